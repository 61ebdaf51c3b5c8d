/**
 * An OCSP response saying "good" for one certificate, signed by that certificate's issuer, laid out
 * from ASN.1 (node-forge has no OCSP). EC2 Instance Connect's agent verifies each staple under
 * `managed-ssh-keys/signer-ocsp/` with the issuer as the responder (`openssl ocsp -VAfile issuer`),
 * so the issuer signs here too and is named by key hash.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6960#section-4.2.1
 */
import { createHash, type KeyObject, sign } from 'node:crypto';
import {
  bits,
  CONTEXT_SPECIFIC,
  der,
  explicit,
  generalizedTime,
  implicitPrimitive,
  nodeForge,
  nul,
  octets,
  oid,
  primitive,
  seq,
  T,
  type Asn1,
} from './asn1-der.js';

/** The object identifiers RFC 6960 and RFC 4055 give these names. */
const OID = {
  sha1: '1.3.14.3.2.26',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  ocspBasic: '1.3.6.1.5.5.7.48.1.1',
} as const;

const sha1 = (bytes: string) => createHash('sha1').update(Buffer.from(bytes, 'binary')).digest('binary');

/** The parts of a certificate an OCSP CertID names, read from its DER (never re-encoded). */
function parts(certificateDer: Uint8Array): { subject: string; keyBits: string; serial: Asn1 } {
  // Bit strings stay bytes: forge would otherwise parse the key inside as ASN.1.
  // (node-forge takes these options; its typings know only the older boolean argument.)
  const fromDer = nodeForge().asn1.fromDer as unknown as (
    bytes: string,
    options: { decodeBitStrings: boolean },
  ) => Asn1;
  const certificate = fromDer(Buffer.from(certificateDer).toString('binary'), { decodeBitStrings: false });
  const tbs = (certificate.value as Asn1[])[0] as Asn1;
  const fields = tbs.value as Asn1[];
  // A v3 certificate starts with its [0] version; the fields after it are at fixed places.
  const at = (fields[0] as Asn1).tagClass === CONTEXT_SPECIFIC ? 1 : 0;
  const spki = fields[at + 5] as Asn1;
  const bitString = (spki.value as Asn1[])[1] as Asn1;
  return {
    serial: fields[at] as Asn1,
    subject: der(fields[at + 4] as Asn1),
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
  const good = implicitPrimitive(0, '');
  const single = seq([
    certId,
    good,
    generalizedTime(thisUpdate),
    explicit(0, generalizedTime(new Date(thisUpdate.getTime() + validForMs))),
  ]);
  // ResponderID byKey ([2]): the responder is the issuer, named by the same key hash as the CertID.
  const responseData = seq([explicit(2, octets(keyHash)), generalizedTime(thisUpdate), seq([single])]);
  const signature = sign('sha256', Buffer.from(der(responseData), 'binary'), issuerKey);
  const basic = seq([responseData, seq([oid(OID.sha256WithRsa), nul()]), bits(signature.toString('binary'))]);
  const response = seq([
    primitive(T.ENUMERATED, '\x00'),
    explicit(0, seq([oid(OID.ocspBasic), octets(der(basic))])),
  ]);
  return Buffer.from(der(response), 'binary');
}
