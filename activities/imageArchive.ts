// The image names inside a `docker save` archive (plain or gzip tar): RepoTags of its manifest.json, read by
// walking the tar headers as the file streams by.
import fs from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

const BLOCK = 512;

interface Entry {
  name: string;
  size: number;
}

/** Parses tar blocks fed in arbitrary chunks; calls onFile for each regular file with its whole content. */
export class TarWalker {
  private buffer: Buffer = Buffer.alloc(0);
  private entry?: Entry & { left: number; parts: Buffer[]; keep: boolean };

  constructor(
    private readonly wanted: (name: string) => boolean,
    private readonly onFile: (name: string, content: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      if (this.entry) {
        if (!this.consumeBody()) return;
        continue;
      }
      if (this.buffer.length < BLOCK) return;
      const header = this.buffer.subarray(0, BLOCK);
      this.buffer = this.buffer.subarray(BLOCK);
      const entry = parseHeader(header);
      if (!entry) continue; // zero block (end of archive) or a non-file entry without content
      this.entry = {
        ...entry,
        left: Math.ceil(entry.size / BLOCK) * BLOCK,
        parts: [],
        keep: this.wanted(entry.name),
      };
    }
  }

  private consumeBody(): boolean {
    const entry = this.entry!;
    const take = Math.min(entry.left, this.buffer.length);
    if (entry.keep) entry.parts.push(this.buffer.subarray(0, take));
    this.buffer = this.buffer.subarray(take);
    entry.left -= take;
    if (entry.left > 0) return false;
    if (entry.keep) this.onFile(entry.name, Buffer.concat(entry.parts).subarray(0, entry.size));
    this.entry = undefined;
    return true;
  }
}

function parseHeader(header: Buffer): Entry | undefined {
  if (header.every((b) => b === 0)) return undefined;
  const text = (from: number, len: number) =>
    header
      .subarray(from, from + len)
      .toString('utf8')
      .replace(/\0.*$/s, '');
  const size = Number.parseInt(text(124, 12).trim() || '0', 8);
  const prefix = text(257, 6).startsWith('ustar') ? text(345, 155) : '';
  const name = (prefix ? `${prefix}/` : '') + text(0, 100);
  const type = text(156, 1);
  // Entries with content are walked past even when not files (e.g. pax headers); size 0 needs no body.
  if (size === 0 && type !== '0' && type !== '') return undefined;
  return { name: name.replace(/^\.\//, ''), size };
}

/** RepoTags of every image in the archive (gzip detected by its magic bytes). */
export async function archiveImageTags(file: string): Promise<string[]> {
  const head = Buffer.alloc(2);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, 2, 0);
  } finally {
    fs.closeSync(fd);
  }
  let manifest: Buffer | undefined;
  const walker = new TarWalker(
    (name) => name === 'manifest.json',
    (_name, content) => {
      manifest = content;
    },
  );
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      walker.push(chunk);
      done();
    },
  });
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  await (gzip
    ? pipeline(fs.createReadStream(file), zlib.createGunzip(), sink)
    : pipeline(fs.createReadStream(file), sink));
  if (!manifest) throw new Error(`${file} is not an image archive (no manifest.json)`);
  const entries = JSON.parse(manifest.toString('utf8')) as { RepoTags?: string[] | null }[];
  return entries.flatMap((e) => e.RepoTags ?? []);
}
