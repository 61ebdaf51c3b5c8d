import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign as rsaSign,
  X509Certificate,
} from 'node:crypto';
import type Forge from 'node-forge';
import { loadOnFirstUse } from '../load-on-first-use.js';

/** Loaded on the first signature, not at start-up (most runs never sign). */
const nodeForge = loadOnFirstUse<typeof Forge>('node-forge');
import { type DsaCertificate, dsaSha1SignedData, selfSignedDsaCertificate } from './pkcs7-der.js';

/** The leaves EC2 publishes beside the identity document, each signed its own way. */
export type SignatureKind = 'signature' | 'pkcs7' | 'rsa2048';

/**
 * How `pkcs7` is signed in a partition: DSA-SHA1 in `aws` (and wherever AWS publishes a DSA
 * certificate), RSA-2048 with SHA-1 in `aws-cn`, whose published "DSA" certificate for `pkcs7`
 * holds an RSA-2048 key (docs/decisions/0007-signature-shapes.md).
 * @example pkcs7AlgorithmOf('aws-cn') // 'rsa'
 * @see https://docs.amazonaws.cn/en_us/AWSEC2/latest/UserGuide/regions-certs.html
 */
export function pkcs7AlgorithmOf(partition: string): 'dsa' | 'rsa' {
  return partition === 'aws-cn' ? 'rsa' : 'dsa';
}

/** Base64 as EC2 serves every signature leaf: MIME-style lines of 76 characters, no trailing newline. */
export function wrap76(bytes: Uint8Array): string {
  return Buffer.from(bytes)
    .toString('base64')
    .replace(/(.{76})(?=.)/g, '$1\n');
}

/**
 * Signs identity documents as EC2 does, each leaf with its own key, and publishes the certificate
 * that verifies each: `signature` is RSA-SHA256 with a 1024-bit key, `pkcs7` is a DSA-SHA1 PKCS#7
 * message, `rsa2048` an RSA-2048 SHA-256 PKCS#7 message. Each key is generated on first use,
 * because most emulator runs never read a signature and DSA parameters take a moment.
 *
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/verify-iid.html
 */
export interface IdentitySigner {
  /**
   * The leaf's body, base64 in 76-column lines; `partition` (`aws` when absent) decides how
   * `pkcs7` is signed ({@link pkcs7AlgorithmOf}).
   */
  sign(document: string, kind: SignatureKind, partition?: string): string;
  /** The `rsa2048` certificate (PEM): the one `--identity-key`/`--identity-cert` replace. */
  readonly certificatePem: string;
  /** The certificate (PEM) that verifies each leaf in `partition` (`aws` when absent), as AWS publishes one per algorithm. */
  certificateFor(kind: SignatureKind, partition?: string): string;
  /** All three certificates of the `aws` partition in one PEM bundle, `signature`'s first (so `openssl x509 -pubkey` reads it). */
  readonly certificateBundlePem: string;
  /** The three certificates that verify `partition`'s leaves, in the order of {@link certificateBundlePem}. */
  certificateBundleFor(partition: string): string;
  /** The `rsa2048` private key (PKCS#8 PEM); written out only when the user asks. */
  readonly privateKeyPem: string;
}

/** A key or certificate file that cannot be used; `field` names the option that gave it. */
export class IdentityKeyError extends Error {
  override readonly name = 'IdentityKeyError';
  constructor(
    readonly field: 'identity-key' | 'identity-cert',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${message}`, options);
  }
}

interface KeyMaterial {
  keyPem: string;
  certificatePem: string;
  forgeKey: Forge.pki.rsa.PrivateKey;
  forgeCertificate: Forge.pki.Certificate;
}

interface DsaMaterial {
  key: KeyObject;
  certificate: DsaCertificate;
}

/**
 * @param options.keyPem the `rsa2048` RSA private key (PKCS#1 or PKCS#8 PEM); generated when absent.
 * @param options.certificatePem its certificate; a self-signed one is made when absent.
 * @throws IdentityKeyError at once when given material is unreadable or does not match.
 * @example createIdentitySigner().sign(documentText, 'signature')
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/verify-iid.html
 */
export function createIdentitySigner(
  options: { keyPem?: string; certificatePem?: string } = {},
): IdentitySigner {
  let rsa2048: KeyMaterial | undefined =
    options.keyPem !== undefined || options.certificatePem !== undefined ? loadMaterial(options) : undefined;
  let rsa1024: KeyMaterial | undefined;
  let dsa: DsaMaterial | undefined;
  let chinaPkcs7: KeyMaterial | undefined;
  const cache = new Map<string, string>();
  const rsa2048Keys = () => (rsa2048 ??= generateMaterial(2048));
  const rsa1024Keys = () => (rsa1024 ??= generateMaterial(1024));
  const dsaKeys = () => (dsa ??= generateDsa());
  // Its own key: AWS's China pkcs7 certificate is not the China rsa2048 one.
  const chinaPkcs7Keys = () => (chinaPkcs7 ??= generateMaterial(2048));
  const certificateFor = (kind: SignatureKind, partition = 'aws') =>
    kind === 'signature'
      ? rsa1024Keys().certificatePem
      : kind === 'pkcs7'
        ? pkcs7AlgorithmOf(partition) === 'rsa'
          ? chinaPkcs7Keys().certificatePem
          : dsaKeys().certificate.pem
        : rsa2048Keys().certificatePem;
  const certificateBundleFor = (partition: string) =>
    (['signature', 'rsa2048', 'pkcs7'] as const).map((kind) => certificateFor(kind, partition)).join('');
  return {
    get certificatePem() {
      return rsa2048Keys().certificatePem;
    },
    certificateFor,
    get certificateBundlePem() {
      return certificateBundleFor('aws');
    },
    certificateBundleFor,
    get privateKeyPem() {
      return rsa2048Keys().keyPem;
    },
    sign(document, kind, partition = 'aws') {
      const rsaPkcs7 = kind === 'pkcs7' && pkcs7AlgorithmOf(partition) === 'rsa';
      const key = `${kind}${rsaPkcs7 ? '-rsa' : ''}\0${document}`;
      let signed = cache.get(key);
      if (signed === undefined) {
        const bytes = Buffer.from(document, 'utf8');
        if (kind === 'signature') signed = wrap76(rsaSign('sha256', bytes, rsa1024Keys().keyPem));
        else if (rsaPkcs7) {
          const { forgeKey, forgeCertificate } = chinaPkcs7Keys();
          signed = wrap76(rsaSignedData(document, forgeKey, forgeCertificate, 'sha1'));
        } else if (kind === 'pkcs7') {
          const { key: dsaKey, certificate } = dsaKeys();
          signed = wrap76(dsaSha1SignedData(bytes, dsaKey, certificate, new Date()));
        } else {
          const { forgeKey, forgeCertificate } = rsa2048Keys();
          signed = wrap76(rsaSignedData(document, forgeKey, forgeCertificate, 'sha256'));
        }
        // Documents change only when the instance does; a handful of entries covers a run.
        if (cache.size >= 48) cache.clear();
        cache.set(key, signed);
      }
      return signed;
    },
  };
}

const SUBJECT = [
  { shortName: 'C', value: 'US' },
  { shortName: 'ST', value: 'Washington State' },
  { shortName: 'L', value: 'Seattle' },
  { shortName: 'O', value: 'ec2-imds emulator' },
];

/** A DSA key with a 1024-bit prime and 160-bit subgroup, the size SHA-1 signatures are defined for. */
function generateDsa(): DsaMaterial {
  const { privateKey, publicKey } = generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 });
  return {
    key: privateKey,
    certificate: selfSignedDsaCertificate(privateKey, publicKey, SUBJECT, new Date()),
  };
}

function generateMaterial(modulusLength: 1024 | 2048): KeyMaterial {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgeKey = nodeForge().pki.privateKeyFromPem(keyPem) as Forge.pki.rsa.PrivateKey;
  const certificate = selfSignedCertificate(
    forgeKey,
    createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(),
  );
  return {
    keyPem,
    certificatePem: nodeForge().pki.certificateToPem(certificate),
    forgeKey,
    forgeCertificate: certificate,
  };
}

function loadMaterial(options: { keyPem?: string; certificatePem?: string }): KeyMaterial {
  if (options.keyPem === undefined)
    throw new IdentityKeyError('identity-key', 'a certificate was given without its private key');
  let keyPem: string;
  let forgeKey: Forge.pki.rsa.PrivateKey;
  try {
    const key = createPrivateKey(options.keyPem);
    if (key.asymmetricKeyType !== 'rsa')
      throw new Error(`the key is ${key.asymmetricKeyType ?? 'unknown'}, not RSA`);
    keyPem = key.export({ type: 'pkcs8', format: 'pem' }).toString();
    forgeKey = nodeForge().pki.privateKeyFromPem(keyPem) as Forge.pki.rsa.PrivateKey;
  } catch (cause) {
    throw new IdentityKeyError(
      'identity-key',
      `not a readable unencrypted RSA private key in PEM (${(cause as Error).message})`,
      { cause },
    );
  }
  if (options.certificatePem === undefined) {
    const publicPem = createPublicKey(keyPem).export({ type: 'spki', format: 'pem' }).toString();
    const certificate = selfSignedCertificate(forgeKey, publicPem);
    return {
      keyPem,
      certificatePem: nodeForge().pki.certificateToPem(certificate),
      forgeKey,
      forgeCertificate: certificate,
    };
  }
  let forgeCertificate: Forge.pki.Certificate;
  try {
    const x509 = new X509Certificate(options.certificatePem);
    if (!x509.checkPrivateKey(createPrivateKey(keyPem))) throw new Error('it does not match the private key');
    forgeCertificate = nodeForge().pki.certificateFromPem(options.certificatePem);
  } catch (cause) {
    throw new IdentityKeyError(
      'identity-cert',
      `not a usable certificate for the identity key (${(cause as Error).message})`,
      { cause },
    );
  }
  return { keyPem, certificatePem: options.certificatePem, forgeKey, forgeCertificate };
}

/** A certificate shaped like AWS's published ones (Seattle subject), but issued by the emulator itself. */
function selfSignedCertificate(key: Forge.pki.rsa.PrivateKey, publicKeyPem: string): Forge.pki.Certificate {
  const certificate = nodeForge().pki.createCertificate();
  certificate.publicKey = nodeForge().pki.publicKeyFromPem(publicKeyPem);
  certificate.serialNumber = `01${randomBytes(8).toString('hex')}`;
  const now = new Date();
  certificate.validity.notBefore = new Date(now.getTime() - 24 * 3600_000);
  certificate.validity.notAfter = new Date(now.getTime() + 10 * 365 * 24 * 3600_000);
  certificate.setSubject(SUBJECT);
  certificate.setIssuer(SUBJECT);
  certificate.sign(key, nodeForge().md.sha256.create());
  return certificate;
}

/** Attached PKCS#7 SignedData over the document, RSA with the given digest, as DER bytes. */
function rsaSignedData(
  document: string,
  key: Forge.pki.rsa.PrivateKey,
  certificate: Forge.pki.Certificate,
  digest: 'sha1' | 'sha256',
): Uint8Array {
  const message = nodeForge().pkcs7.createSignedData();
  message.content = nodeForge().util.createBuffer(nodeForge().util.encodeUtf8(document));
  message.addSigner({
    key,
    certificate,
    digestAlgorithm: oid(digest),
    authenticatedAttributes: [
      { type: oid('contentType'), value: oid('data') },
      { type: oid('messageDigest') },
      { type: oid('signingTime') },
    ],
  });
  message.sign();
  return Buffer.from(nodeForge().asn1.toDer(message.toAsn1()).getBytes(), 'binary');
}

/** An object identifier node-forge knows by name; its typings allow for a missing one. */
function oid(name: string): string {
  const value = nodeForge().pki.oids[name];
  if (value === undefined) throw new Error(`node-forge does not know the OID ${name}`);
  return value;
}
