/**
 * An OCSP response saying "good" for one certificate, signed by that certificate's issuer, laid out
 * from ASN.1 (node-forge has no OCSP). EC2 Instance Connect's agent verifies each staple under
 * `managed-ssh-keys/signer-ocsp/` with the issuer as the responder (`openssl ocsp -VAfile issuer`),
 * so the issuer signs here too and is named by key hash.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6960#section-4.2.1
 */
import { createHash, type KeyObject, sign } from 'node:crypto';
import type Forge from 'node-forge';
import { loadOnFirstUse } from '../load-on-first-use.js';

const nodeForge = loadOnFirstUse<typeof Forge>('node-forge');

const UNIVERSAL = 0x00;
const CONTEXT_SPECIFIC = 0x80;
const T = {
  INTEGER: 2,
  BITSTRING: 3,
  OCTETSTRING: 4,
  NULL: 5,
  OID: 6,
  ENUMERATED: 10,
  SEQUENCE: 16,
  GENERALIZEDTIME: 24,
} as const;

/** The object identifiers RFC 6960 and RFC 4055 give these names. */
const OID = {
  sha1: '1.3.14.3.2.26',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  ocspBasic: '1.3.6.1.5.5.7.48.1.1',
} as const;

const asn1 = () => nodeForge().asn1;
const seq = (items: Forge.asn1.Asn1[]) => asn1().create(UNIVERSAL, T.SEQUENCE, true, items);
const oid = (value: string) => asn1().create(UNIVERSAL, T.OID, false, asn1().oidToDer(value).getBytes());
const nul = () => asn1().create(UNIVERSAL, T.NULL, false, '');
const octets = (bytes: string) => asn1().create(UNIVERSAL, T.OCTETSTRING, false, bytes);
const explicit = (tag: number, inner: Forge.asn1.Asn1) => asn1().create(CONTEXT_SPECIFIC, tag, true, [inner]);
const time = (date: Date) =>
  asn1().create(UNIVERSAL, T.GENERALIZEDTIME, false, asn1().dateToGeneralizedTime(date));
const der = (node: Forge.asn1.Asn1) => asn1().toDer(node).getBytes();
const sha1 = (bytes: string) => createHash('sha1').update(Buffer.from(bytes, 'binary')).digest('binary');

/** The parts of a certificate an OCSP CertID names, read from its DER (never re-encoded). */
function parts(certificateDer: Uint8Array): { subject: string; keyBits: string; serial: Forge.asn1.Asn1 } {
  // Bit strings stay bytes: forge would otherwise parse the key inside as ASN.1.
  // (node-forge takes these options; its typings know only the older boolean argument.)
  const fromDer = asn1().fromDer as unknown as (
    bytes: string,
    options: { decodeBitStrings: boolean },
  ) => Forge.asn1.Asn1;
  const certificate = fromDer(Buffer.from(certificateDer).toString('binary'), { decodeBitStrings: false });
  const tbs = (certificate.value as Forge.asn1.Asn1[])[0] as Forge.asn1.Asn1;
  const fields = tbs.value as Forge.asn1.Asn1[];
  // A v3 certificate starts with its [0] version; the fields after it are at fixed places.
  const at = (fields[0] as Forge.asn1.Asn1).tagClass === CONTEXT_SPECIFIC ? 1 : 0;
  const spki = fields[at + 5] as Forge.asn1.Asn1;
  const bitString = (spki.value as Forge.asn1.Asn1[])[1] as Forge.asn1.Asn1;
  return {
    serial: fields[at] as Forge.asn1.Asn1,
    subject: der(fields[at + 4] as Forge.asn1.Asn1),
    // The key hash covers the key's bits, without the BIT STRING's unused-bits byte.
    keyBits: (bitString.value as string).slice(1),
  };
}

/**
 * A successful OCSP response (DER) with one SingleResponse, status good, for `certificate`,
 * signed SHA-256 with RSA by `issuerKey`, valid from `thisUpdate` for `validForMs`.
 */
export function goodOcspResponse(
  certificate: Uint8Array,
  issuerCertificate: Uint8Array,
  issuerKey: KeyObject,
  thisUpdate: Date,
  validForMs: number,
): Uint8Array {
  const issuer = parts(issuerCertificate);
  const subject = parts(certificate);
  const keyHash = sha1(issuer.keyBits);
  const certId = seq([
    seq([oid(OID.sha1), nul()]),
    octets(sha1(issuer.subject)),
    octets(keyHash),
    subject.serial,
  ]);
  const good = asn1().create(CONTEXT_SPECIFIC, 0, false, '');
  const single = seq([
    certId,
    good,
    time(thisUpdate),
    explicit(0, time(new Date(thisUpdate.getTime() + validForMs))),
  ]);
  // ResponderID byKey ([2]): the responder is the issuer, named by the same key hash as the CertID.
  const responseData = seq([explicit(2, octets(keyHash)), time(thisUpdate), seq([single])]);
  const signature = sign('sha256', Buffer.from(der(responseData), 'binary'), issuerKey);
  const basic = seq([
    responseData,
    seq([oid(OID.sha256WithRsa), nul()]),
    asn1().create(UNIVERSAL, T.BITSTRING, false, `\x00${signature.toString('binary')}`),
  ]);
  const response = seq([
    asn1().create(UNIVERSAL, T.ENUMERATED, false, '\x00'),
    explicit(0, seq([oid(OID.ocspBasic), octets(der(basic))])),
  ]);
  return Buffer.from(der(response), 'binary');
}
