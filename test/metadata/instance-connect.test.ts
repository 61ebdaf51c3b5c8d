/**
 * EC2 Instance Connect's paths: `managed-ssh-keys/active-keys/<user>`, `signer-cert` and
 * `signer-ocsp/`, pushed for 60 s of the emulator's clock, and checked the way the Instance Connect
 * agent checks them (its format and its openssl calls, written here from what it reads; no script of
 * its is used).
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configFromData } from '../../src/config/load-file.js';
import { Controller } from '../../src/control/controller.js';
import type { ImdsResponse } from '../../src/server/exchange.js';
import { crawl } from '../helpers/crawl.js';
import { expectGolden } from '../helpers/golden.js';
import { inProcess, SEED_NOW, text, wireText } from '../helpers/in-process.js';

const KEYS = '/latest/meta-data/managed-ssh-keys/';

/** A fresh ED25519 key as an OpenSSH public key line. */
function opensshKey(comment: string): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ type: 'spki', format: 'der' }).subarray(-32);
  const field = (bytes: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, bytes.length]), bytes]);
  const blob = Buffer.concat([field(Buffer.from('ssh-ed25519')), field(raw)]);
  return `ssh-ed25519 ${blob.toString('base64')} ${comment}`;
}
const ALICE_KEY = opensshKey('alice@laptop');
const BOB_KEY = opensshKey('bob@desk');

/** One key block as the agent reads it: `#Key=value` lines, the key line, base64 lines to a blank line. */
interface KeyBlock {
  readonly fields: Record<string, string>;
  readonly signedData: string;
  readonly key: string;
  readonly signature: string[];
}

/** Splits an `active-keys/<user>` body the way the agent's reader walks it. */
function parseBlocks(body: string): KeyBlock[] {
  expect(body.endsWith('\n')).toBe(true);
  const lines = body.split('\n');
  const blocks: KeyBlock[] = [];
  let i = 0;
  while (i < lines.length - 1) {
    const fields: Record<string, string> = {};
    let signedData = '';
    while (lines[i]?.startsWith('#')) {
      const line = lines[i] as string;
      const eq = line.indexOf('=');
      fields[line.slice(1, eq)] = line.slice(eq + 1);
      signedData += `${line}\n`;
      i++;
    }
    const key = lines[i++] as string;
    signedData += `${key}\n`;
    const signature: string[] = [];
    while (i < lines.length && lines[i] !== '') signature.push(lines[i++] as string);
    i++;
    blocks.push({ fields, signedData, key, signature });
  }
  return blocks;
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function openssl(args: string[], cwd: string): string {
  return execFileSync('openssl', args, { cwd, encoding: 'latin1', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('managed-ssh-keys/', () => {
  it('is a 404 when nothing was pushed, as on an instance no key was pushed to', () => {
    const { get, token } = inProcess();
    const t = token();
    expect(get(KEYS, t).status).toBe(404);
    expect(get(`${KEYS}active-keys/ec2-user/`, t).status).toBe(404);
    expect(get(`${KEYS}signer-cert`, t).status).toBe(404);
    expect(text(get('/latest/meta-data/', t))).not.toContain('managed-ssh-keys');
  });

  it('a push is served for 60 s of the emulator clock, then gone (404 again)', () => {
    const { get, token, emulator, clock } = inProcess();
    const controller = new Controller(emulator);
    const record = controller.pushSshKey({ user: 'ec2-user', publicKey: ALICE_KEY });
    expect(record).toMatchObject({ type: 'instance-connect-key', status: 'active' });
    const t = token();
    expect(text(get('/latest/meta-data/', t)).split('\n')).toContain('managed-ssh-keys/');
    expect(text(get(KEYS, t))).toBe('active-keys/\nsigner-cert\nsigner-ocsp/');
    expect(text(get(`${KEYS}active-keys/`, t))).toBe('ec2-user');
    const [block] = parseBlocks(text(get(`${KEYS}active-keys/ec2-user/`, t)));
    expect(block?.key).toBe(ALICE_KEY);
    expect(block?.fields.Timestamp).toBe(String(Math.floor(SEED_NOW / 1000) + 60));
    expect(controller.activeSshKeys()).toHaveLength(1);

    clock.advance(59_999);
    expect(get(`${KEYS}active-keys/ec2-user`, t).status).toBe(200);
    clock.advance(1);
    expect(get(`${KEYS}active-keys/ec2-user`, t).status).toBe(404);
    expect(get(KEYS, t).status).toBe(404);
    expect(controller.activeSshKeys()).toEqual([]);
    expect(controller.scenarios()[0]?.status).toBe('ended');
  });

  it('is not in versions before 2019-10-01', () => {
    const { get, token, emulator } = inProcess();
    new Controller(emulator).pushSshKey({ user: 'ec2-user', publicKey: ALICE_KEY });
    const t = token();
    expect(get('/2018-09-24/meta-data/managed-ssh-keys/', t).status).toBe(404);
    expect(get('/2019-10-01/meta-data/managed-ssh-keys/', t).status).toBe(200);
  });

  it('lists users sorted, each user only their own keys, blocks in push order', () => {
    const { get, token, emulator, clock } = inProcess();
    const controller = new Controller(emulator);
    controller.pushSshKey({ user: 'ubuntu', publicKey: ALICE_KEY });
    clock.advance(10_000);
    controller.pushSshKey({
      user: 'admin',
      publicKey: BOB_KEY,
      caller: 'arn:aws:iam::123456789012:user/bob',
      requestId: '8c9a4f4e-2b1d-4e6f-9a3c-5d7e1f2a4b6c',
    });
    controller.pushSshKey({ user: 'ubuntu', publicKey: BOB_KEY });
    const t = token();
    expect(text(get(`${KEYS}active-keys/`, t))).toBe('admin\nubuntu');
    const ubuntu = parseBlocks(text(get(`${KEYS}active-keys/ubuntu`, t)));
    expect(ubuntu.map((block) => block.key)).toEqual([ALICE_KEY, BOB_KEY]);
    expect(ubuntu.map((block) => Number(block.fields.Timestamp))).toEqual([
      Math.floor(SEED_NOW / 1000) + 60,
      Math.floor(SEED_NOW / 1000) + 70,
    ]);
    const [admin] = parseBlocks(text(get(`${KEYS}active-keys/admin`, t)));
    expect(admin?.fields).toEqual({
      Timestamp: String(Math.floor(SEED_NOW / 1000) + 70),
      Instance: emulator.instance.instanceId,
      Caller: 'arn:aws:iam::123456789012:user/bob',
      Request: '8c9a4f4e-2b1d-4e6f-9a3c-5d7e1f2a4b6c',
    });
    // The first push ends at 60 s; the later ones stay until 70 s.
    clock.advance(50_000);
    expect(parseBlocks(text(get(`${KEYS}active-keys/ubuntu`, t))).map((b) => b.key)).toEqual([BOB_KEY]);
  });

  it('whole responses (golden), signatures, certificates and fingerprints masked', () => {
    const { get, token, emulator } = inProcess();
    new Controller(emulator).pushSshKey({
      user: 'ec2-user',
      publicKey:
        'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8 golden@example',
      caller: 'arn:aws:iam::123456789012:user/golden',
      requestId: '0f1e2d3c-4b5a-4697-a8b9-cadbecfd0e1f',
    });
    const t = token();
    const seen = crawl((path) => get(path, t), KEYS);
    // The directory, active-keys/ and its user, signer-cert, signer-ocsp/ and its two staples.
    expect([...seen.keys()]).toHaveLength(7);
    const masked = [...seen]
      .map(([path, response]: [string, ImdsResponse]) => {
        let wire = wireText(response)
          .replace(/[0-9A-F]{40}/g, '<SHA1>')
          .replace(/-----BEGIN CERTIFICATE-----\n[\s\S]*?-----END CERTIFICATE-----/g, '<certificate>');
        if (/signer-ocsp\/[0-9A-F]{40}$|active-keys\/ec2-user$|signer-cert$/.test(path))
          wire = wire.replace(/Content-Length: \d+/, 'Content-Length: <n>');
        if (path.endsWith('ec2-user'))
          wire = wire.replace(/(golden@example\n)[A-Za-z0-9+/=\n]+\n$/, '$1<signature>\n');
        if (/signer-ocsp\/[0-9A-F]{40}$/.test(path))
          wire = wire.replace(/\r\n\r\n[\s\S]*$/, '\r\n\r\n<staple>');
        return `### ${path.replace(/[0-9A-F]{40}/, '<SHA1>')}\n${wire}\n`;
      })
      .join('\n');
    expectGolden('instance-connect/managed-ssh-keys', masked);
  });

  it('HEAD on a user answers 200, on another user 404 (the agent fast-exits on 404)', () => {
    const { call, token, emulator } = inProcess();
    new Controller(emulator).pushSshKey({ user: 'ec2-user', publicKey: ALICE_KEY });
    const t = token();
    const head = (path: string) => call('HEAD', path, { 'X-aws-ec2-metadata-token': t }).status;
    expect(head(`${KEYS}active-keys/ec2-user/`)).toBe(200);
    expect(head(`${KEYS}active-keys/root/`)).toBe(404);
  });
});

describe('what the Instance Connect agent verifies', () => {
  /** Reads every part, writes it out as the agent does, and runs the agent's openssl checks. */
  function verifyAsAgent(region: string, domainExpected: string) {
    const config = configFromData({ instance: { region } });
    if ('problems' in config) throw new Error(JSON.stringify(config.problems));
    const { get, token, emulator } = inProcess({ instance: config.config.instance });
    new Controller(emulator).pushSshKey({ user: 'ec2-user', publicKey: ALICE_KEY });
    const t = token();
    const read = (path: string) => {
      const response = get(`/latest/meta-data/${path}`, t);
      expect(response.status, path).toBe(200);
      return text(response);
    };
    const instanceId = read('instance-id/');
    const zone = read('placement/availability-zone/');
    expect(zone).toMatch(/^([a-z]+-){2,3}[0-9][a-z]$/);
    const domain = read('services/domain/');
    expect(domain).toBe(domainExpected);
    const expectedSigner = `managed-ssh-signer.${region}.${domain}`;

    const dir = mkdtempSync(join(tmpdir(), 'eic-'));
    dirs.push(dir);
    const chain = read('managed-ssh-keys/signer-cert/');
    const certificates = chain.match(/-----BEGIN CERTIFICATE-----\n[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
    expect(certificates).toHaveLength(2);
    certificates.forEach((pem, i) => {
      writeFileSync(join(dir, `cert${i}.pem`), `${pem}\n`);
    });
    expect(openssl(['x509', '-noout', '-subject', '-in', 'cert0.pem'], dir)).toMatch(
      new RegExp(`CN\\s*=\\s*${expectedSigner.replaceAll('.', '\\.')}\\n$`),
    );
    // The chain verifies only with the emulator's root added, as a real agent's CA path would need.
    writeFileSync(join(dir, 'chain.pem'), `${certificates[1]}\n`);
    writeFileSync(join(dir, 'root.pem'), emulator.instanceConnect.rootPem);
    writeFileSync(join(dir, 'trust.pem'), `${certificates[1]}\n${emulator.instanceConnect.rootPem}`);
    expect(openssl(['verify', '-x509_strict', '-CAfile', 'trust.pem', 'cert0.pem'], dir)).toBe(
      'cert0.pem: OK\n',
    );
    expect(() => openssl(['verify', '-x509_strict', '-CAfile', 'chain.pem', 'cert0.pem'], dir)).toThrow();

    // Staples: one per served certificate, named by its SHA-1 fingerprint, base64 DER.
    const fingerprints = read('managed-ssh-keys/signer-ocsp/').split('\n');
    expect(fingerprints).toHaveLength(2);
    const issuers = ['cert1.pem', 'root.pem'];
    certificates.forEach((_, i) => {
      const fingerprint = openssl(['x509', '-noout', '-fingerprint', '-sha1', '-in', `cert${i}.pem`], dir)
        .replace(/^.*=/, '')
        .replaceAll(':', '')
        .trim();
      expect(fingerprints).toContain(fingerprint);
      writeFileSync(
        join(dir, fingerprint),
        Buffer.from(read(`managed-ssh-keys/signer-ocsp/${fingerprint}`), 'base64'),
      );
      const issuer = issuers[i] as string;
      const status = openssl(
        [
          'ocsp',
          '-no_nonce',
          '-issuer',
          issuer,
          '-cert',
          `cert${i}.pem`,
          '-VAfile',
          issuer,
          '-respin',
          fingerprint,
        ],
        dir,
      );
      expect(status.startsWith(`cert${i}.pem: good`)).toBe(true);
    });

    // Each key block: comment fields, the key, an RSA-PSS SHA-256 signature by the signer.
    openssl(['x509', '-pubkey', '-noout', '-in', 'cert0.pem', '-out', 'pubkey'], dir);
    const blocks = parseBlocks(read('managed-ssh-keys/active-keys/ec2-user/'));
    expect(blocks).toHaveLength(1);
    const [block] = blocks as [KeyBlock];
    expect(block.key.startsWith('ssh')).toBe(true);
    expect(block.fields.Instance).toBe(instanceId);
    expect(Number(block.fields.Timestamp)).toBeGreaterThan(Math.floor(emulator.clock.now() / 1000));
    expect(block.signature.every((line) => line.length <= 76)).toBe(true);
    writeFileSync(join(dir, 'signedData'), block.signedData);
    writeFileSync(join(dir, 'sig'), Buffer.from(block.signature.join(''), 'base64'));
    const verify = (data: string) =>
      openssl(
        [
          'dgst',
          '-sha256',
          '-sigopt',
          'rsa_padding_mode:pss',
          '-sigopt',
          'rsa_pss_saltlen:32',
          '-verify',
          'pubkey',
          '-signature',
          'sig',
          data,
        ],
        dir,
      );
    expect(verify('signedData')).toBe('Verified OK\n');
    // A changed field (another instance) fails, as the agent then refuses the key.
    writeFileSync(join(dir, 'tampered'), block.signedData.replace(instanceId, 'i-0000000000000000f'));
    expect(() => verify('tampered')).toThrow();
  }

  it('aws partition: chain, CN, staples and key signature all check out', () => {
    verifyAsAgent('us-east-1', 'amazonaws.com');
  });

  it('China: the signer name carries the partition domain (amazonaws.com.cn)', () => {
    verifyAsAgent('cn-north-1', 'amazonaws.com.cn');
  });
});

describe('configuration and bad input', () => {
  /** A configuration with Alice's key for ec2-user, pushed at 13:00 on 2024-02-27 and expiring at `expires`. */
  const configWithAliceKey = (expires: string) =>
    configFromData({
      instance: {
        instanceConnectKeys: [
          { user: 'ec2-user', publicKey: ALICE_KEY, pushed: '2024-02-27T13:00:00Z', expires },
        ],
      },
    });

  it('instance.instanceConnectKeys serves a key between pushed and expires', () => {
    const config = configWithAliceKey('2024-02-27T14:00:00Z');
    if ('problems' in config) throw new Error(JSON.stringify(config.problems));
    const { get, token, clock } = inProcess({ instance: config.config.instance });
    const t = token();
    const [block] = parseBlocks(text(get(`${KEYS}active-keys/ec2-user`, t)));
    expect(block?.fields.Timestamp).toBe(String(Date.UTC(2024, 1, 27, 14) / 1000));
    expect(block?.fields.Caller).toBe('arn:aws:iam::123456789012:user/ec2-imds');
    clock.set(Date.UTC(2024, 1, 27, 14));
    expect(get(`${KEYS}active-keys/ec2-user`, t).status).toBe(404);
  });

  it('a scenario entry pushes a key later (after:) and for a given lifetime', () => {
    const config = configFromData({
      scenarios: [
        { type: 'instance-connect-key', after: '5m', lifetime: '2m', user: 'ec2-user', publicKey: BOB_KEY },
      ],
    });
    if ('problems' in config) throw new Error(JSON.stringify(config.problems));
    const { get, token, clock } = inProcess({ scenarios: config.config.scenarios });
    const t = token();
    expect(get(`${KEYS}active-keys/ec2-user`, t).status).toBe(404);
    clock.advance(300_000);
    expect(get(`${KEYS}active-keys/ec2-user`, t).status).toBe(200);
    clock.advance(119_999);
    expect(get(`${KEYS}active-keys/ec2-user`, t).status).toBe(200);
    clock.advance(1);
    expect(get(`${KEYS}active-keys/ec2-user`, t).status).toBe(404);
  });

  it.each([
    [{ publicKey: ALICE_KEY }, 'user', /missing|expected an OS user/],
    [{ user: 'a/b', publicKey: ALICE_KEY }, 'user', /no \//],
    [{ user: 'ec2-user' }, 'publicKey', /OpenSSH RSA or ED25519/],
    [
      {
        user: 'ec2-user',
        publicKey: 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBAAA x',
      },
      'publicKey',
      /RSA or ED25519/,
    ],
    [{ user: 'ec2-user', publicKey: ALICE_KEY, caller: 'bob' }, 'caller', /ARN/],
    [{ user: 'ec2-user', publicKey: ALICE_KEY, lifetime: 'soon' }, 'lifetime', /duration/],
    [{ user: 'ec2-user', publicKey: ALICE_KEY, colour: 'red' }, 'colour', /unknown/],
  ])('a push %j is refused, naming %s', (body, field, message) => {
    const { emulator } = inProcess();
    const controller = new Controller(emulator);
    let error: unknown;
    try {
      controller.pushSshKey(body);
    } catch (caught) {
      error = caught;
    }
    expect((error as Error).name).toBe('ControlRequestError');
    const lines = (error as { lines: string[] }).lines.join('\n');
    expect(lines).toContain(field);
    expect(lines).toMatch(message);
    expect(controller.scenarios()).toEqual([]);
  });

  it('a config key that expires before it is pushed is a config error naming the field', () => {
    const config = configWithAliceKey('2024-02-27T12:00:00Z');
    expect('problems' in config && config.problems.map((problem) => problem.path.join('.'))).toEqual([
      'instance.instanceConnectKeys.0.expires',
    ]);
  });
});
