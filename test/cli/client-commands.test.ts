import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { run as get } from '../../src/cli/get.js';
import { run as ls } from '../../src/cli/ls.js';
import { run as dump } from '../../src/cli/dump.js';
import { run as token } from '../../src/cli/token.js';
import { ManualClock } from '../../src/clock.js';
import { DEFAULT_INSTANCE } from '../../src/metadata/default-instance.js';
import type { RunningEmulator } from '../../src/start/start.js';
import { useNetworkGuard } from '../client/helpers/network-guard.js';
import {
  clientFor,
  closedPort,
  emulatorOn,
  interceptedEmulator,
  page,
  silentPeer,
} from '../client/helpers/peers.js';
import { endpointEnv, fakeIo } from './helpers/fake-io.js';

useNetworkGuard();

const NOW = Date.UTC(2024, 1, 27, 13, 6, 6);
const BINARY_USER_DATA = new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0xff, 0x00, 0x0a]);
let imds: RunningEmulator;
let busy: RunningEmulator;

beforeAll(async () => {
  imds = await emulatorOn({ clock: new ManualClock(NOW) });
  busy = await emulatorOn({
    clock: new ManualClock(NOW),
    instance: { ...DEFAULT_INSTANCE, userData: BINARY_USER_DATA },
  });
});
afterAll(async () => {
  await imds.close();
  await busy.close();
});

describe('imds get', () => {
  it('prints the instance id and a newline, nothing on stderr, exit 0', async () => {
    const io = fakeIo(endpointEnv(imds.url));
    expect(await get(['instance-id'], io)).toBe(0);
    expect(io.out()).toBe('i-0410f3c9b2d5e8a71\n');
    expect(io.err()).toBe('');
  });

  it('is reached through the dispatcher', async () => {
    const io = fakeIo(endpointEnv(imds.url));
    expect(await main(['get', 'placement/region'], io)).toBe(0);
    expect(io.out()).toBe('ap-northeast-1\n');
  });

  it('takes /latest/... as absolute and dynamic/... under /latest/', async () => {
    const io = fakeIo(endpointEnv(imds.url));
    expect(await get(['/latest/meta-data/instance-type'], io)).toBe(0);
    expect(await get(['dynamic/fws/instance-monitoring'], io)).toBe(0);
    expect(io.out()).toBe('t3.micro\ndisabled\n');
  });

  it('--json parses JSON documents', async () => {
    const io = fakeIo(endpointEnv(imds.url));
    expect(await get(['dynamic/instance-identity/document', '--json'], io)).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject({
      instanceId: 'i-0410f3c9b2d5e8a71',
      region: 'ap-northeast-1',
    });
  });

  it('writes user data byte for byte', async () => {
    const io = fakeIo(endpointEnv(busy.url));
    expect(await get(['user-data'], io)).toBe(0);
    expect([...io.stdoutBytes()]).toEqual([...BINARY_USER_DATA]);
  });

  it('--raw writes the document exactly as served, so openssl verifies it; the default adds a newline', async () => {
    const raw = fakeIo(endpointEnv(imds.url));
    expect(await get(['--raw', 'dynamic/instance-identity/document'], raw)).toBe(0);
    const plain = fakeIo(endpointEnv(imds.url));
    expect(await get(['dynamic/instance-identity/document'], plain)).toBe(0);
    const signature = fakeIo(endpointEnv(imds.url));
    expect(await get(['--raw', 'dynamic/instance-identity/signature'], signature)).toBe(0);
    expect(plain.out()).toBe(`${raw.out()}\n`);
    expect(raw.out().endsWith('}')).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'imds-raw-'));
    writeFileSync(join(dir, 'raw'), raw.stdoutBytes());
    writeFileSync(join(dir, 'plain'), plain.stdoutBytes());
    writeFileSync(join(dir, 'sig'), Buffer.from(signature.out(), 'base64'));
    writeFileSync(join(dir, 'cert'), imds.emulator.signer.certificateFor('signature'));
    const verify = (file: string) =>
      execFileSync(
        'sh',
        [
          '-c',
          `openssl x509 -pubkey -noout -in cert > key && openssl dgst -sha256 -verify key -signature sig ${file}`,
        ],
        {
          cwd: dir,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
    expect(verify('raw').trim()).toBe('Verified OK');
    expect(() => verify('plain')).toThrow(/Command failed/);
  });

  it('--raw and --json together are a usage error', async () => {
    const io = fakeIo(endpointEnv(imds.url));
    expect(await get(['--raw', '--json', 'instance-id'], io)).toBe(2);
    expect(io.err()).toContain('--raw and --json cannot be combined');
  });

  it('not found: exit 1 and the path on stderr; --json gives a JSON error', async () => {
    const io = fakeIo(endpointEnv(imds.url));
    expect(await get(['no-such-thing'], io)).toBe(1);
    expect(io.out()).toBe('');
    expect(io.err()).toBe('imds get: /latest/meta-data/no-such-thing not found (404)\n');
    const jsonIo = fakeIo(endpointEnv(imds.url));
    expect(await get(['no-such-thing', '--json'], jsonIo)).toBe(1);
    expect(JSON.parse(jsonIo.err())).toEqual({
      error: {
        name: 'ImdsNotFoundError',
        code: 'NOT_FOUND',
        status: 404,
        path: '/latest/meta-data/no-such-thing',
        attempts: 1,
        message: '/latest/meta-data/no-such-thing not found (404)',
      },
    });
  });

  it.each([
    [[], 'expected 1 argument'],
    [['a', 'b'], 'expected 1 argument'],
    [['instance-id', '--bogus'], "unknown option '--bogus'"],
    [['instance-id', '--endpont', 'x'], "unknown option '--endpont'; did you mean --endpoint?"],
    [['instance-id', '--timeout', 'soon'], '--timeout must be a positive duration'],
    [['instance-id', '--attempts', '0'], '--attempts must be an integer >= 1'],
    [['instance-id', '--endpoint', 'ftp://127.0.0.1'], 'invalid endpoint'],
  ])('usage errors exit 2: %j', async (argv, message) => {
    const io = fakeIo(endpointEnv(imds.url));
    expect(await get(argv, io)).toBe(2);
    expect(io.err()).toContain(message);
  });

  it('--timeout takes the same durations as the config file (1h, 1h30m, bare seconds)', async () => {
    for (const timeout of ['1h', '1h30m', '5']) {
      const io = fakeIo(endpointEnv(imds.url));
      expect(await get(['instance-id', '--timeout', timeout], io)).toBe(0);
      expect(io.out()).toBe('i-0410f3c9b2d5e8a71\n');
    }
  });

  it('a bad AWS_* variable is a configuration error (exit 2) naming it', async () => {
    const io = fakeIo(endpointEnv(imds.url, { AWS_METADATA_SERVICE_TIMEOUT: 'never' }));
    expect(await get(['instance-id'], io)).toBe(2);
    expect(io.err()).toContain('AWS_METADATA_SERVICE_TIMEOUT');
  });

  it('--endpoint wins over the environment', async () => {
    const io = fakeIo(endpointEnv(await closedPort()));
    expect(await get(['instance-id', '--endpoint', imds.url], io)).toBe(0);
    expect(io.out()).toBe('i-0410f3c9b2d5e8a71\n');
  });

  it('closed port: exit 3, quickly', async () => {
    const io = fakeIo(endpointEnv(await closedPort()));
    const started = performance.now();
    expect(await get(['instance-id', '--attempts', '2'], io)).toBe(3);
    // A hang guard, not a speed check: a refused connect is not retried into a timeout.
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(io.err()).toContain('ECONNREFUSED');
  });

  it('silent peer: exit 3 within --timeout × (attempts + 1)', async () => {
    const peer = await silentPeer();
    try {
      const io = fakeIo(endpointEnv(peer.url));
      const started = performance.now();
      expect(await get(['instance-id', '--timeout', '200ms', '--attempts', '1'], io)).toBe(3);
      // The bound is 400 ms (200 ms × 2); four times that is a hang guard a busy machine cannot trip.
      expect(performance.now() - started).toBeLessThan(4 * 400);
      expect(io.err()).toContain('timed out');
    } finally {
      await peer.close();
    }
  });

  it('refused: exit 4 when the metadata endpoint is disabled (403)', async () => {
    const off = await emulatorOn({ httpEndpoint: 'disabled' });
    try {
      const io = fakeIo(endpointEnv(off.url));
      expect(await get(['instance-id'], io)).toBe(4);
      expect(io.err()).toContain('403');
    } finally {
      await off.close();
    }
  });

  it('refused: exit 4 when IMDSv1 is needed but disabled (flag or environment)', async () => {
    const noTokens = await interceptedEmulator(
      (request) => (request.method === 'PUT' ? page(404) : undefined),
      { httpTokens: 'optional' },
    );
    try {
      const flagged = fakeIo(endpointEnv(noTokens.url));
      expect(await get(['instance-id', '--no-v1-fallback'], flagged)).toBe(4);
      expect(flagged.err()).toContain('IMDSv1 fallback is disabled');
      const viaEnv = fakeIo(endpointEnv(noTokens.url, { AWS_EC2_METADATA_V1_DISABLED: 'true' }));
      expect(await get(['instance-id'], viaEnv)).toBe(4);
      // Allowed: it works, and says on stderr that it read without a token.
      const allowed = fakeIo(endpointEnv(noTokens.url));
      expect(await get(['instance-id'], allowed)).toBe(0);
      expect(allowed.out()).toBe('i-0410f3c9b2d5e8a71\n');
      expect(allowed.err()).toBe(
        'imds: warning: reading without a session token (IMDSv1): the token request was answered 404\n',
      );
    } finally {
      await noTokens.close();
    }
  });

  it('refused: exit 4, and no request, with AWS_EC2_METADATA_DISABLED=true', async () => {
    imds.emulator.requests.clear();
    const io = fakeIo(endpointEnv(imds.url, { AWS_EC2_METADATA_DISABLED: 'true' }));
    expect(await get(['instance-id'], io)).toBe(4);
    expect(imds.emulator.requests.total).toBe(0);
  });
});

describe('imds ls, dump, token', () => {
  it('ls lists meta-data by default, one entry per line', async () => {
    const io = fakeIo(endpointEnv(imds.url));
    expect(await ls([], io)).toBe(0);
    const lines = io.out().trimEnd().split('\n');
    expect(lines).toHaveLength(26);
    expect(lines).toContain('placement/');
  });

  it('ls <path> --json prints an array', async () => {
    const io = fakeIo(endpointEnv(imds.url));
    expect(await ls(['placement', '--json'], io)).toBe(0);
    expect(JSON.parse(io.out())).toEqual(['availability-zone', 'availability-zone-id', 'region']);
  });

  it('ls of a missing directory exits 1', async () => {
    const io = fakeIo(endpointEnv(imds.url));
    expect(await ls(['spot'], io)).toBe(1);
  });

  it('dump prints the same tree as the library', async () => {
    const io = fakeIo(endpointEnv(imds.url));
    expect(await dump(['--concurrency', '4'], io)).toBe(0);
    expect(JSON.parse(io.out())).toEqual(await clientFor(imds.url).dump());
  });

  it('dump refuses a silly concurrency', async () => {
    expect(await dump(['--concurrency', '0'], fakeIo(endpointEnv(imds.url)))).toBe(2);
  });

  it('token prints a working token', async () => {
    const io = fakeIo(endpointEnv(imds.url));
    expect(await token([], io)).toBe(0);
    const value = io.out().trim();
    expect(value).toMatch(/^[A-Za-z0-9_-]{54}==$/);
    const response = await fetch(`${imds.url}/latest/meta-data/instance-id`, {
      headers: { 'x-aws-ec2-metadata-token': value },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-aws-ec2-metadata-token-ttl-seconds')).toBe('21600');
  });

  it('token --ttl 60 --json asks for 60 s', async () => {
    const io = fakeIo(endpointEnv(imds.url));
    expect(await token(['--ttl', '60', '--json'], io)).toBe(0);
    const printed = JSON.parse(io.out()) as { token: string; ttlSeconds: number };
    expect(printed.ttlSeconds).toBe(60);
    const response = await fetch(`${imds.url}/latest/meta-data/instance-id`, {
      headers: { 'x-aws-ec2-metadata-token': printed.token },
    });
    expect(response.headers.get('x-aws-ec2-metadata-token-ttl-seconds')).toBe('60');
  });

  it.each(['0', '21601', 'x'])('token --ttl %s is a usage error', async (ttl) => {
    const io = fakeIo(endpointEnv(imds.url));
    expect(await token(['--ttl', ttl], io)).toBe(2);
    expect(io.err()).toContain('--ttl must be an integer from 1 to 21600');
  });

  it('token never falls back: exit 4 when no token is issued', async () => {
    const off = await emulatorOn({ httpEndpoint: 'disabled' });
    try {
      const io = fakeIo(endpointEnv(off.url));
      expect(await token([], io)).toBe(4);
      expect(io.out()).toBe('');
    } finally {
      await off.close();
    }
  });
});

describe('--help', () => {
  it.each(['get', 'ls', 'dump', 'token', 'watch'])(
    'imds %s --help prints usage, flags and exit codes (exit 0)',
    async (command) => {
      const io = fakeIo(endpointEnv(imds.url));
      expect(await main([command, '--help'], io)).toBe(0);
      expect(io.out()).toContain(`Usage: imds ${command}`);
      expect(io.out()).toContain('--endpoint URL');
      expect(io.out()).toContain('--no-v1-fallback');
      expect(io.out()).toContain('Exit codes: 0 ok, 1 not found, 2 usage');
    },
  );

  it('the command list names every client command', async () => {
    const io = fakeIo(endpointEnv(imds.url));
    expect(await main(['--help'], io)).toBe(0);
    for (const command of ['get', 'ls', 'dump', 'token', 'watch', 'serve'])
      expect(io.out()).toMatch(new RegExp(`^  ${command} `, 'm'));
  });
});
