// A zip archive written as Go's archive/zip writes one through CreateHeader (go/src/archive/zip/writer.go), which
// is how rke-tools writes RKE's snapshot archives: each entry deflated, flag 0x8 with zero CRC and sizes in the
// local header and the real ones in a data descriptor after the data, an extended timestamp extra field
// (0x5455) for `Modified`, version 2.0; then the central directory and its end record. No zip64.
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipFile {
  /** The name as written, e.g. `/backup/<name>` (RKE keeps the leading slash). */
  name: string;
  data: Buffer;
  /** Store instead of deflate. */
  stored?: boolean;
}

const u16 = (v: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return b;
};
const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
};

/** rke-tools sets `header.Modified = time.Unix(0, 0)`: the extra field carries 0, and Go's timeToMsDosTime
 *  gives 1970-01-01 the date 1 + 1<<5 + (1970-1980)<<9 as a uint16. */
const EXT_TIME = Buffer.concat([u16(0x5455), u16(5), Buffer.from([1]), u32(0)]);
const DOS_TIME = 0;
const DOS_DATE = (1 + (1 << 5) + ((1970 - 1980) << 9)) & 0xffff;

export function goZip(files: ZipFile[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const push = (b: Buffer) => {
    parts.push(b);
    offset += b.length;
  };
  for (const f of files) {
    const name = Buffer.from(f.name, 'utf8');
    const method = f.stored ? 0 : 8;
    const body = f.stored ? f.data : deflateRawSync(f.data);
    const crc = crc32(f.data);
    const at = offset;
    const common = [u16(20), u16(0x8), u16(method), u16(DOS_TIME), u16(DOS_DATE)];
    push(Buffer.concat([u32(0x04034b50), ...common, u32(0), u32(0), u32(0), u16(name.length)]));
    push(Buffer.concat([u16(EXT_TIME.length), name, EXT_TIME, body]));
    push(Buffer.concat([u32(0x08074b50), u32(crc), u32(body.length), u32(f.data.length)]));
    const sizes = [u32(crc), u32(body.length), u32(f.data.length)];
    const lengths = [u16(name.length), u16(EXT_TIME.length), u16(0)];
    const attrs = [u16(0), u16(0), u32(0o100600 << 16)]; // disk, internal, external (Unix mode)
    central.push(
      Buffer.concat([u32(0x02014b50), u16((3 << 8) | 20), ...common, ...sizes, ...lengths, ...attrs]),
      Buffer.concat([u32(at), name, EXT_TIME]),
    );
  }
  const directory = Buffer.concat(central);
  const start = offset;
  const end = Buffer.concat([
    u32(0x06054b50),
    u16(0),
    u16(0),
    u16(files.length),
    u16(files.length),
    u32(directory.length),
    u32(start),
    u16(0),
  ]);
  return Buffer.concat([...parts, directory, end]);
}
