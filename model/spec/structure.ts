// Type-checks the raw document against rawClusterSchema. Values of the wrong type and unknown keys are
// reported and then dropped, so that value validation can still run on the rest and report everything at once.
import { ZodArray, ZodObject, ZodOptional, ZodRecord, ZodUnknown, type z } from 'zod';
import { formatPath } from './paths.ts';
import { imageMap, type RawCluster, rawClusterSchema } from './raw-schema.ts';
import type { SpecIssue } from './types.ts';

export interface StructureResult {
  readonly raw?: RawCluster;
  readonly errors: SpecIssue[];
  readonly warnings: SpecIssue[];
}

const DROPPED = Symbol('dropped');

export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  boolean: 'a boolean (true or false)',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

function expectedOf(issue: z.core.$ZodIssue): string[] {
  if (issue.code === 'invalid_type') return [TYPE_WORDS[issue.expected] ?? issue.expected];
  if (issue.code === 'invalid_union') return issue.errors.flatMap((branch) => branch.flatMap(expectedOf));
  return [];
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (value, key) => (value as Record<PropertyKey, unknown> | undefined)?.[key],
    root,
  );
}

function typeMessage(issue: z.core.$ZodIssue, doc: unknown): string {
  const expected = [...new Set(expectedOf(issue))];
  if (expected.length === 0) return issue.message;
  return `expected ${expected.join(' or ')}, got ${describeValue(valueAt(doc, issue.path))}`;
}

/** Every key zke or RKE knows is in the schema (model/spec/unsupported.ts says what zke does with the rest). */
function unknownKeyMessage(key: string): string {
  return `unknown key "${key}" (ignored)`;
}

/** An empty setting: RKE and zke fill the default wherever a value is "", [] or {} (Go's zero value). */
function isEmpty(value: unknown): boolean {
  if (value === '' || value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

function unwrapOptional(schema: z.ZodType | undefined): z.ZodType | undefined {
  return schema instanceof ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
}

/** The schema that describes the key `key` of a value described by `schema`, if any. */
function fieldSchema(schema: z.ZodType | undefined, key: string): z.ZodType | undefined {
  const inner = unwrapOptional(schema);
  if (inner instanceof ZodObject) return unwrapOptional(inner.shape[key] as z.ZodType | undefined);
  if (inner instanceof ZodRecord) return unwrapOptional(inner.valueType as z.ZodType);
  return undefined;
}

/**
 * A copy without the settings that are not given: the one rule, for every key of either format. A key with
 * no value (YAML null), "" or [] (what `rke config` writes for every question left blank), or a mapping that
 * is empty once its empty settings are gone, means "the default". Entries of data maps (labels, extra_args,
 * options) and list items are values, not settings, and stay as written: `label: ""` is a label.
 */
function withoutUnset(value: unknown, schema: z.ZodType | undefined): unknown {
  const inner = unwrapOptional(schema);
  // inside a Kubernetes config object passed on as written, `{}` and `[]` are values (`identity: {}`)
  if (inner instanceof ZodUnknown) return value;
  if (Array.isArray(value)) {
    const items = inner instanceof ZodArray ? (inner.element as z.ZodType) : undefined;
    return value.filter((v) => v !== null).map((v) => withoutUnset(v, items));
  }
  if (!value || typeof value !== 'object') return value;
  // unknown keys (schema undefined) hold settings too: an empty one says nothing worth a warning
  const settings = inner === undefined || inner instanceof ZodObject || inner === imageMap;
  const entries = Object.entries(value).flatMap(([key, v]): [string, unknown][] => {
    const cleaned = withoutUnset(v, fieldSchema(inner, key));
    const unset = v === null || (settings && isEmpty(cleaned));
    return unset ? [] : [[key, cleaned]];
  });
  return Object.fromEntries(entries);
}

/** Marks the value at `path` as dropped (arrays are compacted afterwards). */
function drop(root: unknown, path: readonly PropertyKey[]): void {
  const parent = valueAt(root, path.slice(0, -1));
  const last = path[path.length - 1];
  if (parent === null || typeof parent !== 'object' || last === undefined) return;
  if (Array.isArray(parent)) parent[last as number] = DROPPED;
  else delete (parent as Record<PropertyKey, unknown>)[last];
}

function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== DROPPED).map(compact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compact(v)]));
  }
  return value;
}

function collect(issues: readonly z.core.$ZodIssue[], doc: unknown, out: StructureResult): void {
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.warnings.push({ path: formatPath([...issue.path, key]), message: unknownKeyMessage(key) });
        drop(doc, [...issue.path, key]);
      }
    } else {
      out.errors.push({ path: formatPath(issue.path), message: typeMessage(issue, doc) });
      drop(doc, issue.path);
    }
  }
}

export function checkStructure(input: unknown): StructureResult {
  const out: StructureResult = { errors: [], warnings: [] };
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    out.errors.push({ path: '', message: `the cluster spec must be a mapping, got ${describeValue(input)}` });
    return out;
  }
  const doc = withoutUnset(input, rawClusterSchema);
  const first = rawClusterSchema.safeParse(doc);
  if (first.success) return { ...out, raw: first.data };
  collect(first.error.issues, doc, out);
  const second = rawClusterSchema.safeParse(compact(doc));
  if (second.success) return { ...out, raw: second.data };
  collect(second.error.issues, doc, out);
  return out;
}
