import {
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  constants,
  X509Certificate,
} from 'node:crypto';
import type Forge from 'node-forge';
import { loadOnFirstUse } from '../load-on-first-use.js';
import { wrap76 } from './identity-signer.js';
import { goodOcspResponse } from './ocsp-der.js';

/** Loaded on the first pushed key read, not at start-up. */
const nodeForge = loadOnFirstUse<typeof Forge>('node-forge');

/** How long an OCSP staple is valid from when it is made (EC2's run about a week). */
const STAPLE_VALIDITY_MS = 7 * 24 * 3600_000;

/**
 * The certificates and keys behind `managed-ssh-keys/`: an emulator root CA (never served), an
 * intermediate it issues, and per signer name (`managed-ssh-signer.<region>.<domain>`, the CN EC2
 * Instance Connect's agent expects) a signer certificate the intermediate issues. The signer signs
 * each pushed key block RSA-PSS SHA-256 (salt 32), the agent's verification; the issuers answer
 * "good" OCSP staples for the certificates they issued. Nothing is generated until first asked.
 *
 * A real agent trusts the chain only once {@link rootPem} is in its CA path (`/etc/ssl/certs`);
 * see docs/configuration.md "EC2 Instance Connect".
 *
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-connect-methods.html
 */
export interface InstanceConnectSigner {
  /** The emulator's root CA (PEM): what to add to a trust store for a real agent to accept the chain. */
  readonly rootPem: string;
  /** `signer-cert`: the signer's certificate then the intermediate's, PEM, `\n` line ends. */
  chainPem(signerName: string): string;
  /**
   * `signer-ocsp/`: one staple per served certificate, by its SHA-1 fingerprint (upper-case hex, no
   * colons, as `openssl x509 -fingerprint -sha1` prints it less the colons), each base64 DER.
   */
  staples(signerName: string): ReadonlyMap<string, string>;
  /** The base64 (76-column lines) RSA-PSS signature of `data` by the signer for `signerName`. */
  signBlock(signerName: string, data: string): string;
}

interface Issued {
  readonly key: KeyObject;
  readonly forgeKey: Forge.pki.rsa.PrivateKey;
  readonly certificate: Forge.pki.Certificate;
  readonly der: Uint8Array;
  readonly pem: string;
  readonly fingerprint: string;
}

const ORGANIZATION = 'ec2-imds emulator';

/**
 * @example
 * ```ts
 * const signer = createInstanceConnectSigner();
 * signer.chainPem('managed-ssh-signer.us-east-1.amazonaws.com'); // generated now, kept after
 * ```
 */
export function createInstanceConnectSigner(): InstanceConnectSigner {
  let root: Issued | undefined;
  let intermediate: Issued | undefined;
  const signers = new Map<string, { issued: Issued; staples: Map<string, string> }>();
  const rootCa = () => (root ??= issue('ec2-imds emulator Instance Connect root CA', undefined, 'ca'));
  const intermediateCa = () =>
    (intermediate ??= issue('ec2-imds emulator Instance Connect intermediate CA', rootCa(), 'ca'));
  const signerFor = (name: string) => {
    let found = signers.get(name);
    if (!found) {
      const issued = issue(name, intermediateCa(), 'signer');
      const now = new Date(Date.now() - 60_000);
      const staple = (certificate: Issued, issuer: Issued) =>
        wrap76(goodOcspResponse(certificate.der, issuer.der, issuer.key, now, STAPLE_VALIDITY_MS));
      found = {
        issued,
        staples: new Map([
          [issued.fingerprint, staple(issued, intermediateCa())],
          [intermediateCa().fingerprint, staple(intermediateCa(), rootCa())],
        ]),
      };
      // A handful of regions per run at most; a bound keeps a scripted loop from growing it.
      if (signers.size >= 32) signers.clear();
      signers.set(name, found);
    }
    return found;
  };
  return {
    get rootPem() {
      return rootCa().pem;
    },
    chainPem: (name) => `${signerFor(name).issued.pem}${intermediateCa().pem}`.trimEnd(),
    staples: (name) => signerFor(name).staples,
    signBlock: (name, data) =>
      wrap76(
        sign('sha256', Buffer.from(data, 'utf8'), {
          key: signerFor(name).issued.key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: 32,
        }),
      ),
  };
}

/**
 * An RSA-2048 key and its X.509 v3 certificate, issued by `issuer` (self-signed when absent), with
 * the extensions `openssl verify -x509_strict` asks of a CA and of a leaf.
 */
function issue(commonName: string, issuer: Issued | undefined, role: 'ca' | 'signer'): Issued {
  const forge = nodeForge();
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const forgeKey = forge.pki.privateKeyFromPem(
    privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  ) as Forge.pki.rsa.PrivateKey;
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.publicKeyFromPem(
    publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  );
  certificate.serialNumber = `01${randomBytes(8).toString('hex')}`;
  const now = Date.now();
  certificate.validity.notBefore = new Date(now - 24 * 3600_000);
  certificate.validity.notAfter = new Date(now + (role === 'ca' ? 10 * 365 : 365) * 24 * 3600_000);
  certificate.setSubject([
    { shortName: 'O', value: ORGANIZATION },
    { shortName: 'CN', value: commonName },
  ]);
  certificate.setIssuer(issuer ? issuer.certificate.subject.attributes : certificate.subject.attributes);
  const ownKeyId = certificate.generateSubjectKeyIdentifier().getBytes();
  certificate.setExtensions([
    role === 'ca'
      ? { name: 'basicConstraints', cA: true, critical: true }
      : { name: 'basicConstraints', cA: false, critical: true },
    role === 'ca'
      ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }
      : { name: 'keyUsage', digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
    {
      name: 'authorityKeyIdentifier',
      keyIdentifier: issuer ? issuer.certificate.generateSubjectKeyIdentifier().getBytes() : ownKeyId,
    },
  ]);
  certificate.sign(issuer ? issuer.forgeKey : forgeKey, forge.md.sha256.create());
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(certificate)).getBytes(), 'binary');
  const x509 = new X509Certificate(der);
  return {
    key: privateKey,
    forgeKey,
    certificate,
    der,
    pem: x509.toString(),
    fingerprint: x509.fingerprint.replaceAll(':', ''),
  };
}
