// `npm run bench`: gives the benchmark its own state directory (bench/env.ts) before any zke module reads its
// configuration, then runs bench/main.ts.
import './env.ts';

const { run } = await import('./main.ts');
await run();
