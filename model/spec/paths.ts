// Formatting paths the way users read them: nodes[2].labels["node-role.kubernetes.io/edge"].

export type PathSegment = string | number;

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function segmentText(segment: PropertyKey, first: boolean): string {
  if (typeof segment === 'number') return `[${segment}]`;
  const key = String(segment);
  if (PLAIN_KEY.test(key)) return first ? key : `.${key}`;
  return `[${JSON.stringify(key)}]`;
}

export function formatPath(segments: readonly PropertyKey[]): string {
  return segments.map((segment, i) => segmentText(segment, i === 0)).join('');
}

/** Appends a key or index to an already formatted path. */
export function childPath(parent: string, key: PathSegment): string {
  return parent + segmentText(key, parent === '');
}
