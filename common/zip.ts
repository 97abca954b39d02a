// A small reader of zip archives held in memory: the central directory (zip64 included), entries stored or
// deflated (node:zlib), each checked against its CRC-32 and size. Enough for the archives Go's archive/zip
// writes (RKE's snapshots): sizes in a data descriptor, which the central directory repeats. No encryption.
import { crc32, inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  /** Its uncompressed size. */
  size: number;
  /** Its content, inflated and checked. */
  read(): Buffer;
}

/** An archive that cannot be read, and why. */
export class InvalidZip extends Error {}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const ZIP64_EXTRA = 0x0001;
const MAX32 = 0xffffffff;
const STORED = 0;
const DEFLATED = 8;

/** Every file entry of the archive (directories left out), in the central directory's order. */
export function zipEntries(archive: Buffer): ZipEntry[] {
  const { count, offset } = centralDirectory(archive);
  const entries: ZipEntry[] = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > archive.length || archive.readUInt32LE(at) !== CENTRAL)
      throw new InvalidZip(`central directory entry ${i + 1} of ${count} is damaged`);
    const header = centralHeader(archive, at);
    if (!header.name.endsWith('/')) entries.push(entryOf(archive, header));
    at = header.next;
  }
  return entries;
}

interface CentralHeader {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressed: number;
  size: number;
  local: number;
  next: number;
}

function centralDirectory(archive: Buffer): { count: number; offset: number } {
  const eocd = lastSignature(archive, EOCD, 22, 22 + 0xffff);
  if (eocd < 0) throw new InvalidZip('not a zip archive (no end of central directory)');
  const count = archive.readUInt16LE(eocd + 10);
  const offset = archive.readUInt32LE(eocd + 16);
  if (count !== 0xffff && offset !== MAX32) return { count, offset };
  const locator = eocd - 20;
  if (locator < 0 || archive.readUInt32LE(locator) !== ZIP64_LOCATOR)
    throw new InvalidZip('zip64 archive without its end of central directory locator');
  const at = Number(archive.readBigUInt64LE(locator + 8));
  if (at + 56 > archive.length || archive.readUInt32LE(at) !== ZIP64_EOCD)
    throw new InvalidZip('zip64 end of central directory is damaged');
  return {
    count: Number(archive.readBigUInt64LE(at + 32)),
    offset: Number(archive.readBigUInt64LE(at + 48)),
  };
}

/** The offset of the last `signature` within `max` bytes of the end (at least `min` from it), or -1. */
function lastSignature(archive: Buffer, signature: number, min: number, max: number): number {
  for (let at = archive.length - min; at >= Math.max(0, archive.length - max); at--)
    if (archive.readUInt32LE(at) === signature) return at;
  return -1;
}

function centralHeader(archive: Buffer, at: number): CentralHeader {
  const nameLength = archive.readUInt16LE(at + 28);
  const extraLength = archive.readUInt16LE(at + 30);
  const commentLength = archive.readUInt16LE(at + 32);
  const header = {
    name: archive.toString('utf8', at + 46, at + 46 + nameLength),
    flags: archive.readUInt16LE(at + 8),
    method: archive.readUInt16LE(at + 10),
    crc: archive.readUInt32LE(at + 16),
    compressed: archive.readUInt32LE(at + 20),
    size: archive.readUInt32LE(at + 24),
    local: archive.readUInt32LE(at + 42),
    next: at + 46 + nameLength + extraLength + commentLength,
  };
  return withZip64(header, archive.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength));
}

/** The sizes and offset the zip64 extra field holds, for those the header marks 0xffffffff (in that order). */
function withZip64(header: CentralHeader, extra: Buffer): CentralHeader {
  for (let at = 0; at + 4 <= extra.length; at += 4 + extra.readUInt16LE(at + 2)) {
    if (extra.readUInt16LE(at) !== ZIP64_EXTRA) continue;
    let field = at + 4;
    const next = () => {
      const value = Number(extra.readBigUInt64LE(field));
      field += 8;
      return value;
    };
    return {
      ...header,
      size: header.size === MAX32 ? next() : header.size,
      compressed: header.compressed === MAX32 ? next() : header.compressed,
      local: header.local === MAX32 ? next() : header.local,
    };
  }
  return header;
}

function entryOf(archive: Buffer, h: CentralHeader): ZipEntry {
  if (h.flags & 1) throw new InvalidZip(`${h.name} is encrypted`);
  if (h.method !== STORED && h.method !== DEFLATED)
    throw new InvalidZip(
      `${h.name} is compressed with method ${h.method} (only stored and deflate are read)`,
    );
  if (h.local + 30 > archive.length || archive.readUInt32LE(h.local) !== LOCAL)
    throw new InvalidZip(`${h.name}: its local header is damaged`);
  const start = h.local + 30 + archive.readUInt16LE(h.local + 26) + archive.readUInt16LE(h.local + 28);
  if (start + h.compressed > archive.length) throw new InvalidZip(`${h.name} is cut short`);
  return {
    name: h.name,
    size: h.size,
    read() {
      const raw = archive.subarray(start, start + h.compressed);
      const data = h.method === DEFLATED ? inflateRawSync(raw) : Buffer.from(raw);
      if (data.length !== h.size || crc32(data) !== h.crc)
        throw new InvalidZip(`${h.name} is damaged (its size or CRC-32 is not the one recorded)`);
      return data;
    },
  };
}
