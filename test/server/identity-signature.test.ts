import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFromData } from '../../src/config/load-file.js';
import {
  createIdentitySigner,
  IdentityKeyError,
  pkcs7AlgorithmOf,
} from '../../src/metadata/identity-signer.js';
import { inProcess, text } from '../helpers/in-process.js';

/** Runs openssl as AWS's verification guide does; the `-noverify` flag skips the CA chain only. */
function openssl(args: string[], cwd: string): string {
  return execFileSync('openssl', args, { cwd, encoding: 'latin1', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The key size of `<kind>.crt` in `dir`, as openssl prints it. */
function publicKeyBits(dir: string, kind: string): string | undefined {
  return /Public-Key: \((\d+) bit\)/.exec(
    openssl(['x509', '-in', `${kind}.crt`, '-noout', '-text'], dir),
  )?.[1];
}

/** Writes a PKCS#7 leaf (base64, as served) as the PEM file `dir/name`. */
function writePkcs7(dir: string, name: string, body: string): void {
  writeFileSync(join(dir, name), `-----BEGIN PKCS7-----\n${body}\n-----END PKCS7-----\n`);
}

/** Writes the PKCS#7 leaf `body` as `dir/name` (PEM) and returns its signerInfos as openssl prints them. */
function pkcs7SignerInfo(dir: string, name: string, body: string): string {
  writePkcs7(dir, name, body);
  const printed = openssl(['cms', '-cmsout', '-print', '-in', name, '-inform', 'PEM'], dir);
  return printed.slice(printed.indexOf('signerInfos:'));
}

/**
 * The content of the PEM PKCS#7 message `dir/input`, as `openssl smime -verify` gives it with the
 * signer's certificate `dir/certfile` (chains not checked); only that certificate is tried, unless
 * `nointern` is false. Throws when the signature does not verify.
 */
function smimeVerify(dir: string, input: string, certfile: string, { nointern = true } = {}): string {
  const only = nointern ? ['-nointern'] : [];
  return openssl(
    ['smime', '-verify', '-in', input, '-inform', 'PEM', '-certfile', certfile, ...only, '-noverify'],
    dir,
  );
}

/**
 * Checks that the PKCS#7 leaf `body` (written as `dir/name`) is digested with `digest` and signed
 * with `signer` by a key of `bits` bits, whose certificate is `dir/<name>.crt`.
 */
function expectSignedBy(
  dir: string,
  name: string,
  body: string,
  digest: string,
  signer: string,
  bits: string,
): void {
  const signerInfo = pkcs7SignerInfo(dir, name, body);
  expect(signerInfo).toMatch(new RegExp(`digestAlgorithm: \\s*algorithm: ${digest} `));
  expect(signerInfo).toMatch(new RegExp(`signatureAlgorithm: \\s*algorithm: ${signer} `));
  expect(publicKeyBits(dir, name)).toBe(bits);
}

/**
 * A decoder as strict as Java's `Base64.getDecoder()` or a hand-rolled one: only the alphabet, no
 * line breaks. EC2's signature leaves are wrapped, so a client with such a decoder fails there.
 */
function strictBase64(text: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0)
    throw new Error('illegal base64 character');
  return Buffer.from(text, 'base64');
}

describe('the signed identity document', () => {
  const { get, token, emulator } = inProcess();
  const t = token();
  const leaf = (name: string) => text(get(`/latest/dynamic/instance-identity/${name}`, t));
  const dir = mkdtempSync(join(tmpdir(), 'imds-iid-'));
  for (const kind of ['signature', 'pkcs7', 'rsa2048'] as const)
    writeFileSync(join(dir, `${kind}.crt`), emulator.signer.certificateFor(kind));

  it.each(['pkcs7', 'rsa2048'])(
    '%s verifies with openssl smime against its own certificate and yields the document',
    (name) => {
      writePkcs7(dir, name, leaf(name));
      const content = smimeVerify(dir, name, `${name}.crt`, { nointern: false });
      expect(content).toBe(leaf('document'));
    },
  );

  it.each([
    ['pkcs7', 'sha1', 'dsaWithSHA1', '1024'],
    ['rsa2048', 'sha256', 'rsaEncryption', '2048'],
  ])(
    '%s is a PKCS#7 message digested with %s and signed %s by a %s-bit key',
    (name, digest, signer, bits) => {
      expectSignedBy(dir, name, leaf(name), digest, signer, bits);
    },
  );

  it('pkcs7 does not verify against the rsa2048 certificate (each leaf has its own key)', () => {
    writePkcs7(dir, 'pkcs7', leaf('pkcs7'));
    expect(() => smimeVerify(dir, 'pkcs7', 'rsa2048.crt')).toThrow();
  });

  it('signature is base64 RSA-SHA256 by a 1024-bit key, wrapped at 76 columns in 3 lines as on EC2', () => {
    const signature = leaf('signature');
    expect(signature.split('\n').map((line) => line.length)).toEqual([76, 76, 20]);
    expect(publicKeyBits(dir, 'signature')).toBe('1024');
    writeFileSync(join(dir, 'document'), leaf('document'));
    writeFileSync(join(dir, 'signature.bin'), Buffer.from(signature, 'base64'));
    openssl(['x509', '-pubkey', '-noout', '-in', 'signature.crt', '-out', 'key.pub'], dir);
    const verdict = openssl(
      ['dgst', '-sha256', '-verify', 'key.pub', '-signature', 'signature.bin', 'document'],
      dir,
    );
    expect(verdict.trim()).toBe('Verified OK');
  });

  it.each(['signature', 'pkcs7', 'rsa2048', 'dsa2048'])(
    '%s has 76-column lines, no trailing newline, and a strict decoder rejects it until unwrapped',
    (name) => {
      const body = leaf(name);
      const lines = body.split('\n');
      expect(lines.length).toBeGreaterThan(1);
      expect(lines.slice(0, -1).every((line) => line.length === 76)).toBe(true);
      expect(body.endsWith('\n')).toBe(false);
      expect(() => strictBase64(body)).toThrow(/illegal base64/);
      expect(strictBase64(body.replaceAll('\n', ''))).toEqual(Buffer.from(body, 'base64'));
    },
  );

  it('dsa2048 holds the same DSA message as pkcs7', () => {
    expect(leaf('dsa2048')).toBe(leaf('pkcs7'));
  });

  it('a tampered document does not verify', () => {
    writeFileSync(join(dir, 'forged'), leaf('document').replace('t3.micro', 'p5.48xlarge'));
    writeFileSync(join(dir, 'signature.bin'), Buffer.from(leaf('signature'), 'base64'));
    openssl(['x509', '-pubkey', '-noout', '-in', 'signature.crt', '-out', 'key.pub'], dir);
    expect(() =>
      openssl(['dgst', '-sha256', '-verify', 'key.pub', '-signature', 'signature.bin', 'forged'], dir),
    ).toThrow();
  });

  it('the certificate bundle holds the three certificates, signature first', () => {
    const bundle = emulator.signer.certificateBundlePem;
    expect(bundle.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(3);
    expect(bundle).toBe(
      ['signature', 'rsa2048', 'pkcs7']
        .map((kind) => emulator.signer.certificateFor(kind as 'pkcs7'))
        .join(''),
    );
  });

  it('signs rsa2048 with a key loaded from PEM, and names the option when the key is unusable', () => {
    const first = createIdentitySigner();
    const reloaded = createIdentitySigner({
      keyPem: first.privateKeyPem,
      certificatePem: first.certificatePem,
    });
    expect(reloaded.certificateFor('rsa2048')).toBe(first.certificatePem);
    writeFileSync(join(dir, 'loaded.crt'), first.certificatePem);
    writePkcs7(dir, 'loaded', reloaded.sign('{}', 'rsa2048'));
    expect(smimeVerify(dir, 'loaded', 'loaded.crt')).toBe('{}');
    expect(() => createIdentitySigner({ keyPem: 'not a key' })).toThrow(IdentityKeyError);
    expect(() => createIdentitySigner({ keyPem: 'not a key' })).toThrow(/^identity-key: /);
    const other = createIdentitySigner();
    expect(() =>
      createIdentitySigner({ keyPem: first.privateKeyPem, certificatePem: other.certificatePem }),
    ).toThrow(/^identity-cert: .*does not match/);
  });
});

describe('the signed identity document in the China partition', () => {
  const config = configFromData({ instance: { region: 'cn-northwest-1' } });
  if ('problems' in config) throw new Error(JSON.stringify(config.problems));
  const { get, token, emulator } = inProcess({ instance: config.config.instance });
  const t = token();
  const leaf = (name: string) => text(get(`/latest/dynamic/instance-identity/${name}`, t));
  const dir = mkdtempSync(join(tmpdir(), 'imds-iid-cn-'));
  for (const kind of ['signature', 'pkcs7', 'rsa2048'] as const)
    writeFileSync(join(dir, `${kind}.crt`), emulator.signer.certificateFor(kind, 'aws-cn'));

  it.each([
    ['pkcs7', 'sha1', 'rsaEncryption', '2048'],
    ['rsa2048', 'sha256', 'rsaEncryption', '2048'],
  ])(
    '%s is digested with %s and signed %s by a %s-bit key, and openssl smime verifies it',
    (name, digest, signer, bits) => {
      expectSignedBy(dir, name, leaf(name), digest, signer, bits);
      const content = smimeVerify(dir, name, `${name}.crt`);
      expect(content).toBe(leaf('document'));
    },
  );

  it('pkcs7 has its own key: it does not verify against the China rsa2048 certificate, nor the DSA one', () => {
    writePkcs7(dir, 'pkcs7', leaf('pkcs7'));
    writeFileSync(join(dir, 'dsa.crt'), emulator.signer.certificateFor('pkcs7'));
    for (const other of ['rsa2048.crt', 'dsa.crt']) expect(() => smimeVerify(dir, 'pkcs7', other)).toThrow();
    expect(leaf('dsa2048')).toBe(leaf('pkcs7'));
  });

  it('the bundle for aws-cn holds the China pkcs7 certificate; GovCloud keeps DSA', () => {
    expect(emulator.signer.certificateBundleFor('aws-cn')).toBe(
      ['signature', 'rsa2048', 'pkcs7']
        .map((kind) => emulator.signer.certificateFor(kind as 'pkcs7', 'aws-cn'))
        .join(''),
    );
    expect(pkcs7AlgorithmOf('aws-cn')).toBe('rsa');
    expect(pkcs7AlgorithmOf('aws-us-gov')).toBe('dsa');
    expect(pkcs7AlgorithmOf('aws')).toBe('dsa');
    expect(emulator.signer.certificateFor('pkcs7', 'aws-us-gov')).toBe(
      emulator.signer.certificateFor('pkcs7'),
    );
  });
});
