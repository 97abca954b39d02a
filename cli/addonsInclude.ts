// RKE's `addons_include`: manifests from files (relative to the cluster file) and http(s) URLs, read where the
// cluster file is read, as `rke up` reads them, and sent to zke inline: appended to `addons`, one source per
// document group, so every revision holds exactly what was applied and the API never reads a user's path.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isMap, parseDocument } from 'yaml';
import { parseUserAddons } from '../model/addons/user.ts';

/** The most an included manifest may weigh. */
const MAX_BYTES = 4 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 30_000;

export class IncludeError extends Error {}

const isUrl = (source: string) => /^https?:\/\//i.test(source);

async function fetchManifest(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
  const text = await res.text();
  if (Buffer.byteLength(text) > MAX_BYTES) throw new Error(`larger than ${MAX_BYTES} bytes`);
  return text;
}

async function readManifest(file: string, baseDir: string): Promise<string> {
  const expanded = file.startsWith('~/') ? path.join(os.homedir(), file.slice(2)) : file;
  const text = await readFile(path.resolve(baseDir, expanded), 'utf8');
  if (Buffer.byteLength(text) > MAX_BYTES) throw new Error(`larger than ${MAX_BYTES} bytes`);
  return text;
}

/** One include's manifest, checked: every document a Kubernetes object. */
async function manifestOf(source: string, at: string, baseDir: string): Promise<string> {
  let text: string;
  try {
    text = isUrl(source) ? await fetchManifest(source) : await readManifest(source, baseDir);
  } catch (error) {
    const reason = (error as Error).cause ?? (error as Error).message;
    throw new IncludeError(`${at} (${source}): cannot be read: ${reason}`);
  }
  const { problems } = parseUserAddons(text);
  if (problems.length > 0) throw new IncludeError(`${at} (${source}): ${problems.join('; ')}`);
  return text;
}

/**
 * The cluster file's text with every `addons_include` manifest appended to `addons` and the key removed; the
 * text unchanged when it has none. `baseDir`: where relative paths start (the cluster file's directory).
 */
export async function resolveAddonsInclude(text: string, baseDir: string): Promise<string> {
  const doc = parseDocument(text);
  if (doc.errors.length > 0 || !isMap(doc.contents)) return text; // the spec's parser says what is wrong
  const sources: unknown = (doc.toJS() as Record<string, unknown>).addons_include;
  if (!Array.isArray(sources) || sources.length === 0) return text;
  if (!sources.every((s): s is string => typeof s === 'string')) return text; // named by the validation
  const parts: string[] = [];
  const inline = doc.get('addons');
  if (typeof inline === 'string' && inline.trim() !== '') parts.push(inline.trimEnd());
  for (const [i, source] of sources.entries()) {
    const manifest = await manifestOf(source, `addons_include[${i}]`, baseDir);
    parts.push(`# addons_include: ${source}\n${manifest.replace(/^---\s*\n/, '').trimEnd()}`);
  }
  doc.set('addons', `${parts.join('\n---\n')}\n`);
  doc.delete('addons_include');
  return doc.toString();
}
