// DER building blocks for X.509 (RFC 5280), on node-forge's ASN.1 encoder. Key-type neutral: the subject
// public key arrives as SubjectPublicKeyInfo DER from node:crypto, so RSA and EC keys encode alike.
import forge from 'node-forge';

const { asn1 } = forge;
const { Class, Type } = asn1;
export type Node = forge.asn1.Asn1;

export const seq = (...items: Node[]): Node => asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, items);
export const set = (...items: Node[]): Node => asn1.create(Class.UNIVERSAL, Type.SET, true, items);
export const oid = (dotted: string): Node =>
  asn1.create(Class.UNIVERSAL, Type.OID, false, asn1.oidToDer(dotted).getBytes());
/** The dotted text of an OBJECT IDENTIFIER node. */
export const oidOf = (node: Node): string => asn1.derToOid(node.value as string);
export const nul = (): Node => asn1.create(Class.UNIVERSAL, Type.NULL, false, '');
export const bool = (value: boolean): Node =>
  asn1.create(Class.UNIVERSAL, Type.BOOLEAN, false, value ? '\xff' : '\x00');
export const utf8 = (text: string): Node =>
  asn1.create(Class.UNIVERSAL, Type.UTF8, false, forge.util.encodeUtf8(text));
export const octets = (bytes: string): Node => asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, bytes);
/** An INTEGER from big-endian bytes that already form a minimal, positive DER integer. */
export const integer = (bytes: string): Node => asn1.create(Class.UNIVERSAL, Type.INTEGER, false, bytes);
/** [n] EXPLICIT wrapping one node. */
export const explicit = (tag: number, inner: Node): Node =>
  asn1.create(Class.CONTEXT_SPECIFIC, tag, true, [inner]);
/** [n] IMPLICIT primitive value (e.g. a GeneralName or a key identifier). */
export const implicit = (tag: number, bytes: string): Node =>
  asn1.create(Class.CONTEXT_SPECIFIC, tag, false, bytes);

/** A BIT STRING of whole bytes (signatures, key bits). */
export const bitString = (bytes: string): Node =>
  asn1.create(Class.UNIVERSAL, Type.BITSTRING, false, `\x00${bytes}`);

/** A named-bit BIT STRING (e.g. KeyUsage) from the numbers of the bits set, trailing zeros dropped (DER). */
export function namedBits(bits: number[]): Node {
  const bytes = new Uint8Array(Math.floor(Math.max(...bits) / 8) + 1);
  for (const bit of bits) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  const last = bytes[bytes.length - 1]!;
  const unused = Math.min(7, Math.log2(last & -last) | 0);
  return asn1.create(Class.UNIVERSAL, Type.BITSTRING, false, String.fromCharCode(unused, ...bytes));
}

/** UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5). */
export function time(date: Date): Node {
  return date.getUTCFullYear() < 2050
    ? asn1.create(Class.UNIVERSAL, Type.UTCTIME, false, asn1.dateToUtcTime(date))
    : asn1.create(Class.UNIVERSAL, Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

export const fromDer = (der: Buffer): Node => asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
export const toDer = (node: Node): Buffer => Buffer.from(asn1.toDer(node).getBytes(), 'binary');

/** The bytes of a BIT STRING node without its unused-bits byte. */
export const bitStringBytes = (node: Node): string => (node.value as string).slice(1);

/** IPv4 or IPv6 text as network-order bytes. */
export const ipBytes = (ip: string): string =>
  (forge.util as unknown as { bytesFromIP(ip: string): string }).bytesFromIP(ip);
