#!/usr/bin/env node
// CLI entry: runs the TypeScript sources through tsx (no build step).
// Both loaders: the Temporal client require()s its converters (common/failureConverter.ts) in embedded mode.
import { register as registerCjs } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';

registerCjs();
register();
const { main } = await import('../cli/main.ts');
// Exit as soon as the command is done: in embedded mode an activity its worker was running may still be
// unwinding (an SSH handshake waits out its own timeout); the operation itself is saved in ZKE_HOME.
process.exit(await main(process.argv.slice(2)));
