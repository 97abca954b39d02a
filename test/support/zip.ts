// A zip archive written as Go's archive/zip writes one through CreateHeader (go/src/archive/zip/writer.go), which
// is how rke-tools writes RKE's snapshot archives: each entry deflated, flag 0x8 with zero CRC and sizes in the
// local header and the real ones in a data descriptor after the data, an extended timestamp extra field
// (0x5455) for `Modified`, version 2.0; then the central directory and its end record. With `zip64`, the
// central directory and its end as Go writes them for archives past 4 GiB (sizes in a zip64 extra field, the
// zip64 end record and its locator), here for small files.
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

const u64 = (v: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(v));
  return b;
};
const MAX32 = 0xffffffff;

export function goZip(files: ZipFile[], o: { zip64?: boolean } = {}): Buffer {
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
    const sizes = o.zip64
      ? [u32(crc), u32(MAX32), u32(MAX32)]
      : [u32(crc), u32(body.length), u32(f.data.length)];
    const extra = o.zip64
      ? Buffer.concat([EXT_TIME, u16(0x0001), u16(24), u64(f.data.length), u64(body.length), u64(at)])
      : EXT_TIME;
    const lengths = [u16(name.length), u16(extra.length), u16(0)];
    const attrs = [u16(0), u16(0), u32(0o100600 << 16)]; // disk, internal, external (Unix mode)
    central.push(
      Buffer.concat([u32(0x02014b50), u16((3 << 8) | 20), ...common, ...sizes, ...lengths, ...attrs]),
      Buffer.concat([u32(at), name, extra]),
    );
  }
  const directory = Buffer.concat(central);
  const start = offset;
  const records = o.zip64 ? 0xffff : files.length;
  const zip64 = o.zip64
    ? Buffer.concat([
        u32(0x06064b50),
        u64(44),
        u16(45),
        u16(45),
        u32(0),
        u32(0),
        u64(files.length),
        u64(files.length),
        u64(directory.length),
        u64(start),
        u32(0x07064b50),
        u32(0),
        u64(start + directory.length),
        u32(1),
      ])
    : Buffer.alloc(0);
  const end = Buffer.concat([
    u32(0x06054b50),
    u16(0),
    u16(0),
    u16(records),
    u16(records),
    u32(o.zip64 ? MAX32 : directory.length),
    u32(o.zip64 ? MAX32 : start),
    u16(0),
  ]);
  return Buffer.concat([...parts, directory, zip64, end]);
}
