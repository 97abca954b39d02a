// Shared by normalization and validation: collects issues and remembers where in the user's file each
// normalized field came from, so every error names the path the user wrote (or would write).
import type { SpecIssue } from './types.ts';

export type SourceFormat = 'zke' | 'rke';

export interface Candidate<T> {
  readonly path: string;
  readonly value: T | undefined;
  /** zke's effective setting (an `option.*` key): the keys it feeds give way to it with a warning. */
  readonly feeds?: true;
}

const RKE_PATH =
  /^(services|dns|ingress|loadbalancer|monitoring|system_images|kubernetes_version|ssh_key_path)\b|\.(hostname_override|role)$/;
const ZKE_PATH = /^(option|core|monitor|image)\b|^network\.(dns|ingress|loadbalancer)\b|\.(name|roles)$/;

function pathFormat(path: string): SourceFormat | 'both' {
  if (RKE_PATH.test(path)) return 'rke';
  return ZKE_PATH.test(path) ? 'zke' : 'both';
}

function show(value: unknown): string {
  return JSON.stringify(value);
}

export class SpecContext {
  readonly errors: SpecIssue[] = [];
  readonly warnings: SpecIssue[] = [];
  private readonly origins = new Map<string, string>();

  constructor(readonly format: SourceFormat) {}

  error(path: string, message: string): void {
    this.errors.push({ path, message });
  }

  warn(path: string, message: string): void {
    this.warnings.push({ path, message });
  }

  /** Where the user set (or would set) the normalized field `key`. */
  at(key: string): string {
    return this.origins.get(key) ?? key;
  }

  locate(key: string, path: string): void {
    this.origins.set(key, path);
  }

  /**
   * The first given candidate wins; other given candidates that differ are conflicts. When none is given the
   * field is located at the first candidate written in the file's format.
   */
  pick<T>(key: string, candidates: readonly Candidate<T>[], fallback: T): T {
    const given = candidates.filter((c) => c.value !== undefined);
    const [first] = given;
    for (const other of given.slice(1)) {
      if (!first || show(other.value) === show(first.value)) continue;
      const clash = `${show(other.value)} vs ${show(first.value)}`;
      if (first.feeds) this.warn(other.path, `ignored: zke derives it from ${first.path} (${clash})`);
      else this.error(other.path, `conflicts with ${first.path} (${clash})`);
    }
    const preferred = candidates.find((c) => pathFormat(c.path) !== this.otherFormat()) ?? candidates[0];
    if (first ?? preferred) this.locate(key, (first ?? preferred)!.path);
    return first ? (first.value as T) : fallback;
  }

  /** `value` must be one of `known`; reports `unknown <what> "x" (known: a, b)` and returns undefined. */
  member<T extends string>(path: string, value: string, known: readonly T[], what: string): T | undefined {
    if ((known as readonly string[]).includes(value)) return value as T;
    this.error(path, `unknown ${what} ${show(value)} (known: ${known.join(', ')})`);
    return undefined;
  }

  oneOf<T extends string>(
    path: string,
    value: string | undefined,
    known: readonly T[],
    what: string,
    fallback: T,
  ): T {
    return value === undefined ? fallback : (this.member(path, value, known, what) ?? fallback);
  }

  /** A whole number in [min, max], given as a number or numeric string. */
  int(path: string, value: number | string | undefined, min: number, max: number, fallback: number): number {
    if (value === undefined) return fallback;
    const n = typeof value === 'number' ? value : /^\s*-?[0-9]+\s*$/.test(value) ? Number(value) : Number.NaN;
    if (Number.isInteger(n) && n >= min && n <= max) return n;
    this.error(path, `${show(value)} is not a whole number between ${min} and ${max}`);
    return fallback;
  }

  private otherFormat(): SourceFormat {
    return this.format === 'zke' ? 'rke' : 'zke';
  }
}
