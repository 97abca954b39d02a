// Shared shape of CLI commands and their documented exit codes.
export const EXIT = { ok: 0, failed: 1, usage: 2, busy: 3, unreachable: 4 } as const;

/** A command takes its argv (after the command name) and returns the process exit code. */
export type Command = (argv: string[]) => Promise<number>;
