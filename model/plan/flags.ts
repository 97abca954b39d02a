// Flags as maps, merged in layers (version defaults < computed < the spec's extra_args) and written
// sorted, so one changed entry changes one argv element of one container.

export type FlagMap = Readonly<Record<string, string>>;

export function mergeFlags(...layers: readonly FlagMap[]): FlagMap {
  return Object.assign({}, ...layers);
}

export function argv(binary: string, flags: FlagMap): string[] {
  const keys = Object.keys(flags).sort();
  return [binary, ...keys.map((key) => `--${key}=${flags[key]}`)];
}

/** KEY=value lists: later entries replace earlier ones with the same KEY; order of first appearance is kept. */
export function mergeEnv(...layers: readonly (readonly string[])[]): string[] {
  const byKey = new Map<string, string>();
  for (const entry of layers.flat()) byKey.set(entry.slice(0, entry.indexOf('=')), entry);
  return [...byKey.values()];
}

/** Binds: a later bind to the same container path replaces the earlier one (Docker refuses duplicates). */
export function mergeBinds(...layers: readonly (readonly string[])[]): string[] {
  const byTarget = new Map<string, string>();
  for (const bind of layers.flat()) byTarget.set(bind.split(':')[1] ?? bind, bind);
  return [...byTarget.values()];
}
