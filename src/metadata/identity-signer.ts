import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign as rsaSign,
  X509Certificate,
} from 'node:crypto';
import forge from 'node-forge';

/** The three signatures EC2 publishes beside the identity document, as the service serves them. */
export interface IdentitySignatures {
  /** base64 RSA-SHA256 over the document bytes (the `signature` leaf). */
  signature: string;
  /** PKCS#7 SignedData with the document attached, base64 without PEM armour (the `pkcs7` leaf). */
  pkcs7: string;
  /** The same kind of PKCS#7 message (the `rsa2048` leaf). */
  rsa2048: string;
  /** Served at `dsa2048`; the emulator has one RSA key, so it is the `pkcs7` message (see ADR 0003). */
  dsa2048: string;
}

/**
 * Signs identity documents with one RSA-2048 key and publishes the certificate that verifies them.
 * Keys are generated on first use, because most emulator runs never read a signature.
 */
export interface IdentitySigner {
  sign(document: string): IdentitySignatures;
  /** The certificate (PEM) a client passes to `openssl smime -verify -certfile`. */
  readonly certificatePem: string;
  /** The private key (PKCS#8 PEM); written out only when the user asks. */
  readonly privateKeyPem: string;
  /** Whether `dsa2048` is served; it is, as the `pkcs7` message (see ADR 0003). */
  readonly supportsDsa: boolean;
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
  forgeKey: forge.pki.rsa.PrivateKey;
  forgeCertificate: forge.pki.Certificate;
}

/**
 * @param options.keyPem an RSA private key (PKCS#1 or PKCS#8 PEM); generated when absent.
 * @param options.certificatePem its certificate; a self-signed one is made when absent.
 * @throws IdentityKeyError at once when given material is unreadable or does not match.
 * @example createIdentitySigner().sign(documentText).signature
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/verify-iid.html
 */
export function createIdentitySigner(
  options: { keyPem?: string; certificatePem?: string } = {},
): IdentitySigner {
  let material: KeyMaterial | undefined =
    options.keyPem !== undefined || options.certificatePem !== undefined ? loadMaterial(options) : undefined;
  const cache = new Map<string, IdentitySignatures>();
  const keys = () => (material ??= generateMaterial());
  return {
    supportsDsa: true,
    get certificatePem() {
      return keys().certificatePem;
    },
    get privateKeyPem() {
      return keys().keyPem;
    },
    sign(document) {
      let signed = cache.get(document);
      if (!signed) {
        const { keyPem, forgeKey, forgeCertificate } = keys();
        const pkcs7 = signedData(document, forgeKey, forgeCertificate);
        signed = {
          signature: rsaSign('sha256', Buffer.from(document, 'utf8'), keyPem).toString('base64'),
          pkcs7,
          rsa2048: pkcs7,
          dsa2048: pkcs7,
        };
        // Documents change only when the instance does; a handful of entries covers a run.
        if (cache.size >= 16) cache.clear();
        cache.set(document, signed);
      }
      return signed;
    },
  };
}

function generateMaterial(): KeyMaterial {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const certificate = selfSignedCertificate(
    forgeKey,
    createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(),
  );
  return {
    keyPem,
    certificatePem: forge.pki.certificateToPem(certificate),
    forgeKey,
    forgeCertificate: certificate,
  };
}

function loadMaterial(options: { keyPem?: string; certificatePem?: string }): KeyMaterial {
  if (options.keyPem === undefined)
    throw new IdentityKeyError('identity-key', 'a certificate was given without its private key');
  let keyPem: string;
  let forgeKey: forge.pki.rsa.PrivateKey;
  try {
    const key = createPrivateKey(options.keyPem);
    if (key.asymmetricKeyType !== 'rsa')
      throw new Error(`the key is ${key.asymmetricKeyType ?? 'unknown'}, not RSA`);
    keyPem = key.export({ type: 'pkcs8', format: 'pem' }).toString();
    forgeKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
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
      certificatePem: forge.pki.certificateToPem(certificate),
      forgeKey,
      forgeCertificate: certificate,
    };
  }
  let forgeCertificate: forge.pki.Certificate;
  try {
    const x509 = new X509Certificate(options.certificatePem);
    if (!x509.checkPrivateKey(createPrivateKey(keyPem))) throw new Error('it does not match the private key');
    forgeCertificate = forge.pki.certificateFromPem(options.certificatePem);
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
function selfSignedCertificate(key: forge.pki.rsa.PrivateKey, publicKeyPem: string): forge.pki.Certificate {
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  certificate.serialNumber = `01${randomBytes(8).toString('hex')}`;
  const now = new Date();
  certificate.validity.notBefore = new Date(now.getTime() - 24 * 3600_000);
  certificate.validity.notAfter = new Date(now.getTime() + 10 * 365 * 24 * 3600_000);
  const subject = [
    { shortName: 'C', value: 'US' },
    { shortName: 'ST', value: 'Washington State' },
    { shortName: 'L', value: 'Seattle' },
    { shortName: 'O', value: 'ec2-imds emulator' },
  ];
  certificate.setSubject(subject);
  certificate.setIssuer(subject);
  certificate.sign(key, forge.md.sha256.create());
  return certificate;
}

/** Attached PKCS#7 SignedData over the document, base64 in 64-column lines as EC2 serves it, no armour. */
function signedData(
  document: string,
  key: forge.pki.rsa.PrivateKey,
  certificate: forge.pki.Certificate,
): string {
  const message = forge.pkcs7.createSignedData();
  message.content = forge.util.createBuffer(forge.util.encodeUtf8(document));
  message.addSigner({
    key,
    certificate,
    digestAlgorithm: oid('sha256'),
    authenticatedAttributes: [
      { type: oid('contentType'), value: oid('data') },
      { type: oid('messageDigest') },
      { type: oid('signingTime') },
    ],
  });
  message.sign();
  const der = forge.asn1.toDer(message.toAsn1()).getBytes();
  return Buffer.from(der, 'binary')
    .toString('base64')
    .replace(/(.{64})(?=.)/g, '$1\n');
}

/** An object identifier node-forge knows by name; its typings allow for a missing one. */
function oid(name: string): string {
  const value = forge.pki.oids[name];
  if (value === undefined) throw new Error(`node-forge does not know the OID ${name}`);
  return value;
}
