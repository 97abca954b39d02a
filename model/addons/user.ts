// The user's own addons: RKE's inline `addons`, a multi-document YAML stream of Kubernetes objects.
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from './types.ts';

export interface UserAddons {
  readonly objects: KubeObject[];
  /** One line per unusable document ("document 2: ..."); empty when every document is an object. */
  readonly problems: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function missingField(value: Record<string, unknown>): string | undefined {
  const metadata = value.metadata;
  if (typeof value.apiVersion !== 'string' || value.apiVersion === '') return 'apiVersion';
  if (typeof value.kind !== 'string' || value.kind === '') return 'kind';
  if (!isRecord(metadata) || typeof metadata.name !== 'string' || metadata.name === '')
    return 'metadata.name';
  return undefined;
}

/** The objects of one document: itself, or the items of a `kind: List`. */
function documentObjects(value: unknown, where: string, problems: string[]): KubeObject[] {
  if (!isRecord(value)) {
    problems.push(`${where}: not a Kubernetes object`);
    return [];
  }
  if (value.kind === 'List' && Array.isArray(value.items)) {
    return value.items.flatMap((item, i) => documentObjects(item, `${where} items[${i}]`, problems));
  }
  const missing = missingField(value);
  if (missing) {
    problems.push(`${where}: ${missing} is missing`);
    return [];
  }
  return [value as unknown as KubeObject];
}

export function parseUserAddons(text: string): UserAddons {
  const problems: string[] = [];
  const objects: KubeObject[] = [];
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents)) return { objects, problems };
  documents.forEach((document, i) => {
    const where = `document ${i + 1}`;
    const [error] = document.errors;
    if (error) {
      problems.push(`${where}: ${error.message.split('\n')[0]}`);
      return;
    }
    const value: unknown = document.toJS();
    // an empty or comment-only document
    if (value !== null && value !== undefined) objects.push(...documentObjects(value, where, problems));
  });
  return { objects, problems };
}
