import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createIdentitySigner, IdentityKeyError } from '../../src/metadata/identity-signer.js';
import { inProcess, text } from '../helpers/in-process.js';

/** Runs openssl as AWS's verification guide does; the `-noverify` flag skips the CA chain only. */
function openssl(args: string[], cwd: string): string {
  return execFileSync('openssl', args, { cwd, encoding: 'latin1', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('the signed identity document', () => {
  const { get, token, emulator } = inProcess();
  const t = token();
  const leaf = (name: string) => text(get(`/latest/dynamic/instance-identity/${name}`, t));
  const dir = mkdtempSync(join(tmpdir(), 'imds-iid-'));
  writeFileSync(join(dir, 'certificate'), emulator.signer.certificatePem);

  it.each(['pkcs7', 'rsa2048'])(
    '%s verifies with openssl smime against the published certificate and yields the document',
    (name) => {
      writeFileSync(join(dir, name), `-----BEGIN PKCS7-----\n${leaf(name)}\n-----END PKCS7-----\n`);
      const content = openssl(
        ['smime', '-verify', '-in', name, '-inform', 'PEM', '-certfile', 'certificate', '-noverify'],
        dir,
      );
      expect(content).toBe(leaf('document'));
    },
  );

  it('signature is base64 RSA-SHA256 over the document bytes', () => {
    writeFileSync(join(dir, 'document'), leaf('document'));
    writeFileSync(join(dir, 'signature.bin'), Buffer.from(leaf('signature'), 'base64'));
    openssl(['x509', '-pubkey', '-noout', '-in', 'certificate', '-out', 'key.pub'], dir);
    const verdict = openssl(
      ['dgst', '-sha256', '-verify', 'key.pub', '-signature', 'signature.bin', 'document'],
      dir,
    );
    expect(verdict.trim()).toBe('Verified OK');
  });

  it('a tampered document does not verify', () => {
    writeFileSync(join(dir, 'forged'), leaf('document').replace('t3.micro', 'p5.48xlarge'));
    writeFileSync(join(dir, 'signature.bin'), Buffer.from(leaf('signature'), 'base64'));
    openssl(['x509', '-pubkey', '-noout', '-in', 'certificate', '-out', 'key.pub'], dir);
    expect(() =>
      openssl(['dgst', '-sha256', '-verify', 'key.pub', '-signature', 'signature.bin', 'forged'], dir),
    ).toThrow();
  });

  it('signs with a key loaded from PEM, and names the option when the key is unusable', () => {
    const first = createIdentitySigner();
    const reloaded = createIdentitySigner({
      keyPem: first.privateKeyPem,
      certificatePem: first.certificatePem,
    });
    expect(reloaded.sign('{}').signature).toBe(first.sign('{}').signature);
    expect(() => createIdentitySigner({ keyPem: 'not a key' })).toThrow(IdentityKeyError);
    expect(() => createIdentitySigner({ keyPem: 'not a key' })).toThrow(/^identity-key: /);
    const other = createIdentitySigner();
    expect(() =>
      createIdentitySigner({ keyPem: first.privateKeyPem, certificatePem: other.certificatePem }),
    ).toThrow(/^identity-cert: .*does not match/);
  });
});
