/**
 * DER building blocks over node-forge's ASN.1 nodes, for the structures the emulator lays out by
 * hand because node-forge cannot sign them (PKCS#7 with DSA, OCSP responses): tags, constructors
 * and encoding, in one place. node-forge is loaded on first use, not at start-up (most runs never
 * sign anything).
 *
 * @see https://www.itu.int/rec/T-REC-X.690 (X.690: tag classes and universal tags)
 */
import type Forge from 'node-forge';
import { loadOnFirstUse } from '../load-on-first-use.js';

export type Asn1 = Forge.asn1.Asn1;

export const nodeForge = loadOnFirstUse<typeof Forge>('node-forge');
const asn1 = () => nodeForge().asn1;

/** X.690 tag classes: the numbers node-forge's `asn1.Class` holds. */
export const UNIVERSAL = 0x00;
export const CONTEXT_SPECIFIC = 0x80;

/** X.690 universal tags: the numbers node-forge's `asn1.Type` holds. */
export const T = {
  INTEGER: 2,
  BITSTRING: 3,
  OCTETSTRING: 4,
  NULL: 5,
  OID: 6,
  ENUMERATED: 10,
  UTF8: 12,
  SEQUENCE: 16,
  SET: 17,
  UTCTIME: 23,
  GENERALIZEDTIME: 24,
} as const;

/** A primitive of a universal type, its content given as a binary string. */
export const primitive = (type: number, bytes: string): Asn1 => asn1().create(UNIVERSAL, type, false, bytes);
export const seq = (items: Asn1[]): Asn1 => asn1().create(UNIVERSAL, T.SEQUENCE, true, items);
export const set = (items: Asn1[]): Asn1 => asn1().create(UNIVERSAL, T.SET, true, items);
export const oid = (value: string): Asn1 => primitive(T.OID, asn1().oidToDer(value).getBytes());
export const nul = (): Asn1 => primitive(T.NULL, '');
export const int = (bytes: string): Asn1 => primitive(T.INTEGER, bytes);
export const octets = (bytes: string): Asn1 => primitive(T.OCTETSTRING, bytes);
/** A BIT STRING of whole bytes (no unused bits). */
export const bits = (bytes: string): Asn1 => primitive(T.BITSTRING, `\x00${bytes}`);
/** `[tag]` EXPLICIT around `inner`. */
export const explicit = (tag: number, inner: Asn1): Asn1 =>
  asn1().create(CONTEXT_SPECIFIC, tag, true, [inner]);
/** `[tag]` IMPLICIT, constructed, holding `items`. */
export const implicit = (tag: number, items: Asn1[]): Asn1 =>
  asn1().create(CONTEXT_SPECIFIC, tag, true, items);
/** `[tag]` IMPLICIT, primitive, with `bytes` as its content. */
export const implicitPrimitive = (tag: number, bytes: string): Asn1 =>
  asn1().create(CONTEXT_SPECIFIC, tag, false, bytes);
export const utcTime = (date: Date): Asn1 => primitive(T.UTCTIME, asn1().dateToUtcTime(date));
export const generalizedTime = (date: Date): Asn1 =>
  primitive(T.GENERALIZEDTIME, asn1().dateToGeneralizedTime(date));
/** The DER encoding of `node`, as a binary string. */
export const der = (node: Asn1): string => asn1().toDer(node).getBytes();
/** Parses DER given as a binary string. */
export const fromDer = (bytes: string): Asn1 => asn1().fromDer(bytes);
