// parseClusterSpec: YAML text or an already parsed object -> the normalized spec, or every error at once.
import { SpecContext } from './context.ts';
import { detectFormat, normalize } from './normalize.ts';
import { checkStructure } from './structure.ts';
import type { ParseResult, SpecIssue } from './types.ts';
import { checkUnsupported } from './unsupported.ts';
import { validateSpec } from './validate.ts';
import { parseYaml } from './yaml.ts';

/** Keeps the first issue per path and message (type errors and value errors may say the same thing). */
function unique(issues: readonly SpecIssue[]): SpecIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\n${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function parseClusterSpec(input: string | unknown): ParseResult {
  let document = input;
  if (typeof input === 'string') {
    const yaml = parseYaml(input);
    if (!yaml.ok) return { ok: false, errors: yaml.errors, warnings: [] };
    document = yaml.value;
  }
  const structure = checkStructure(document);
  if (!structure.raw) return { ok: false, errors: structure.errors, warnings: structure.warnings };
  const ctx = new SpecContext(detectFormat(structure.raw));
  checkUnsupported(ctx, structure.raw);
  const spec = normalize(ctx, structure.raw);
  validateSpec(ctx, spec);
  const errors = unique([...structure.errors, ...ctx.errors]);
  const warnings = unique([...structure.warnings, ...ctx.warnings]);
  return errors.length > 0 ? { ok: false, errors, warnings } : { ok: true, spec, warnings };
}
