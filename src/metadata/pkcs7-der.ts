/**
 * PKCS#7 SignedData and a self-signed X.509 certificate, assembled from ASN.1 for keys node-forge
 * cannot sign with (DSA). The signing itself is `node:crypto`'s; this file only lays out the bytes
 * RFC 2315 and RFC 5280 define, so any algorithm Node can sign with fits.
 *
 * @see https://www.rfc-editor.org/rfc/rfc2315#section-9
 */
import { createHash, randomBytes, type KeyObject, sign } from 'node:crypto';
import type Forge from 'node-forge';
import {
  bits,
  der,
  explicit,
  fromDer,
  implicit,
  int,
  nodeForge,
  octets,
  oid,
  seq,
  set,
  T,
  utcTime,
  type Asn1,
} from './asn1-der.js';

/** Object identifiers used below, by the names RFC 2315 and RFC 3279 give them. */
const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  sha1: '1.3.14.3.2.26',
  dsa: '1.2.840.10040.4.1',
  dsaWithSha1: '1.2.840.10040.4.3',
} as const;

const binary = (bytes: Uint8Array) => Buffer.from(bytes).toString('binary');
/** An algorithm identifier without parameters (DSA signature algorithms take none, RFC 3279 2.2.2). */
const algorithm = (value: string) => seq([oid(value)]);

/** A DSA certificate and the parts of it a SignerInfo names. */
export interface DsaCertificate {
  readonly pem: string;
  readonly der: string;
  readonly issuer: Asn1;
  readonly serial: string;
}

/**
 * A self-signed X.509 v1 certificate for a DSA key, signed DSA-SHA1 as AWS's published DSA
 * certificate is. `subject` uses the same attribute shapes as node-forge's `setSubject`.
 */
export function selfSignedDsaCertificate(
  privateKey: KeyObject,
  publicKey: KeyObject,
  subject: Forge.pki.CertificateField[],
  now: Date,
): DsaCertificate {
  const name = () => nodeForge().pki.distinguishedNameToAsn1({ attributes: normalised(subject) });
  // A positive serial: the first byte below 0x80 keeps the DER INTEGER from reading as negative.
  const serial = `\x01${randomBytes(8).toString('binary')}`;
  const spki = fromDer(publicKey.export({ type: 'spki', format: 'der' }).toString('binary'));
  const tbs = seq([
    int(serial),
    algorithm(OID.dsaWithSha1),
    name(),
    seq([
      utcTime(new Date(now.getTime() - 24 * 3600_000)),
      utcTime(new Date(now.getTime() + 10 * 365 * 24 * 3600_000)),
    ]),
    name(),
    spki,
  ]);
  const signature = sign('sha1', Buffer.from(der(tbs), 'binary'), privateKey);
  const certificate = seq([tbs, algorithm(OID.dsaWithSha1), bits(signature.toString('binary'))]);
  const bytes = der(certificate);
  const body = Buffer.from(bytes, 'binary')
    .toString('base64')
    .replace(/(.{64})(?=.)/g, '$1\n');
  return {
    pem: `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`,
    der: bytes,
    issuer: name(),
    serial,
  };
}

/** node-forge fills in `type` (the OID) and `valueTagClass` only inside `setSubject`; do it here. */
function normalised(subject: Forge.pki.CertificateField[]): Forge.pki.CertificateField[] {
  return subject.map((field) => {
    const type = field.shortName ? nodeForge().pki.oids[shortNames[field.shortName] ?? ''] : field.type;
    if (!type) throw new Error(`unknown certificate field ${field.shortName ?? field.name}`);
    return { ...field, type, valueTagClass: T.UTF8 as unknown as Forge.asn1.Class };
  });
}
const shortNames: Record<string, string> = {
  C: 'countryName',
  ST: 'stateOrProvinceName',
  L: 'localityName',
  O: 'organizationName',
  CN: 'commonName',
};

/**
 * Attached PKCS#7 SignedData over `content`, SHA-1 digest and DSA signature, with the content-type,
 * signing-time and message-digest attributes, as EC2's `pkcs7` leaf carries. Returns DER bytes.
 */
export function dsaSha1SignedData(
  content: Uint8Array,
  privateKey: KeyObject,
  certificate: DsaCertificate,
  signingTime: Date,
): Uint8Array {
  const digest = createHash('sha1').update(content).digest();
  const attribute = (type: string, value: Asn1) => seq([oid(type), set([value])]);
  // DER sorts the members of a SET OF by their encodings; verifiers re-encode and compare.
  const attributes = [
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.signingTime, utcTime(signingTime)),
    attribute(OID.messageDigest, octets(digest.toString('binary'))),
  ].sort((a, b) => Buffer.compare(Buffer.from(der(a), 'binary'), Buffer.from(der(b), 'binary')));
  const signed = sign('sha1', Buffer.from(der(set(attributes)), 'binary'), privateKey);
  const signerInfo = seq([
    int('\x01'),
    seq([certificate.issuer, int(certificate.serial)]),
    algorithm(OID.sha1),
    implicit(0, attributes),
    algorithm(OID.dsaWithSha1),
    octets(signed.toString('binary')),
  ]);
  const signedData = seq([
    int('\x01'),
    set([algorithm(OID.sha1)]),
    seq([oid(OID.data), explicit(0, octets(binary(content)))]),
    implicit(0, [fromDer(certificate.der)]),
    set([signerInfo]),
  ]);
  return Buffer.from(der(seq([oid(OID.signedData), explicit(0, signedData)])), 'binary');
}
