/**
 * `imds record` and `imds serve --from` end to end over loopback sockets: the command crawls an
 * emulator started on a free port, every request it sends reaches that emulator (the request log
 * counts them), secrets are left out and named on stderr, and errors have the usual exit codes.
 */
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { serve } from '../../src/cli/serve.js';
import { clientFromFlags } from '../../src/cli/client-options.js';
import { EXIT } from '../../src/cli/io.js';
import { parseRecording } from '../../src/recording/read.js';
import { startImds } from '../../src/testing/index.js';
import { endpointEnv, fakeIo } from '../cli/helpers/fake-io.js';
import { closedPort } from '../client/helpers/peers.js';

const FIXTURE = fileURLToPath(new URL('fixtures/cloud-init-2018-09-24.yaml', import.meta.url));
const scratch = () => mkdtempSync(join(tmpdir(), 'imds-record-'));

describe('imds record', () => {
  it('records every version; every request goes to the endpoint given; secrets are left out and named', async () => {
    await using imds = await startImds();
    const file = join(scratch(), 'instance.yaml');
    const io = fakeIo(endpointEnv(imds.url));
    // A generous timeout: on a loaded machine a timed-out attempt is retried, and the emulator may
    // never have logged the attempt the client gave up on.
    expect(
      await main(
        ['record', '--endpoint', imds.url, '--rate', '0', '--concurrency', '8', '--timeout', '30s', file],
        io,
      ),
    ).toBe(EXIT.ok);
    const text = readFileSync(file, 'utf8');
    const recording = parseRecording(text, file);
    expect(recording.versions).toHaveLength(30);
    expect(recording.httpTokens).toBe('required');
    expect(text).not.toMatch(/SecretAccessKey"? *:|"Token"|ASIA[A-Z0-9]{16}/);
    const sent = Number(/with (\d+) requests/.exec(io.err())?.[1]);
    const answered = imds.requests.length;
    // Every request reached this emulator; on a loaded machine a connection may fail before it is
    // handled and be retried, so the recorder may count a few more than the emulator logged.
    expect(answered).toBeGreaterThan(1600);
    expect(sent).toBeGreaterThanOrEqual(answered);
    expect(sent - answered).toBeLessThanOrEqual(8);
    expect(imds.requests.every((entry) => entry.peer === '127.0.0.1')).toBe(true);
    expect(io.err()).toContain(
      'left out role credentials (imds serve --from generates them): meta-data/iam/security-credentials/ec2-imds-demo-role',
    );
    expect(io.err()).toContain('left out identity signature');
    const paths = new Set(recording.entries.map((entry) => entry.path)).size;
    expect(paths).toBeGreaterThan(70);
    expect(io.err()).toContain(
      `recorded ${paths} paths (${recording.entries.length} entries) in 30 versions`,
    );
  });

  it('leaves user data out unless asked, and redacts more on request', async () => {
    await using imds = await startImds({ instance: { userData: '#!/bin/sh\necho secret=1\n' } });
    const io = fakeIo(endpointEnv(imds.url));
    expect(
      await main(
        ['record', '-q', '--rate', '0', '--versions', 'latest', '--redact', 'meta-data/placement/'],
        io,
      ),
    ).toBe(EXIT.ok);
    expect(io.out()).not.toContain('secret=1');
    const recording = parseRecording(io.out(), 'stdout');
    expect(recording.versions).toEqual(['latest']);
    const userData = recording.entries.find((entry) => entry.path === 'user-data');
    expect(userData).toMatchObject({ kind: 'leaf', omitted: 'user data', size: 24 });
    expect(recording.entries.find((entry) => entry.path === 'meta-data/placement/region')).toMatchObject({
      omitted: 'redacted',
    });
    expect(io.err()).toContain('left out user data (--include-user-data keeps it): user-data');
    expect(io.err()).not.toMatch(/\/\d+ paths, \d+ req\/s/);

    const kept = fakeIo(endpointEnv(imds.url));
    expect(
      await main(
        ['record', '-q', '--rate', '0', '--versions', 'latest', '--include-user-data', '--format', 'json'],
        kept,
      ),
    ).toBe(EXIT.ok);
    expect(kept.err()).toContain('imds record: warning: user data is kept; it often holds secrets');
    expect(JSON.parse(kept.out()).tree['user-data']).toEqual({
      text: '#!/bin/sh\necho secret=1\n',
      contentType: 'application/octet-stream',
    });
  });

  it('usage errors exit 2, an unreachable endpoint exits 3, and nothing is written', async () => {
    await using imds = await startImds();
    const io = fakeIo(endpointEnv(imds.url));
    expect(await main(['record', '--versions', '1999-01-01'], io)).toBe(EXIT.usage);
    expect(io.err()).toContain("imds record: version '1999-01-01' is not listed by the service");
    expect(await main(['record', '--rate', 'fast'], fakeIo(endpointEnv(imds.url)))).toBe(EXIT.usage);
    expect(await main(['record', '--format', 'xml'], fakeIo(endpointEnv(imds.url)))).toBe(EXIT.usage);
    const closed = await closedPort();
    const file = join(scratch(), 'never.yaml');
    const down = fakeIo(endpointEnv(closed));
    expect(await main(['record', '-q', '--attempts', '1', file], down)).toBe(EXIT.unreachable);
    expect(down.err()).toMatch(
      /^imds record: metadata service unavailable: connection failed \(ECONNREFUSED\)/,
    );
    expect(() => readFileSync(file)).toThrow();
  });

  it('a service whose tree never ends is a bad answer (exit 3), not a crash', async () => {
    const deep = `meta-data/${Array.from({ length: 20 }, (_, index) => `d${index}`).join('/')}`;
    await using imds = await startImds({ set: { [deep]: 'bottom' } });
    const io = fakeIo(endpointEnv(imds.url));
    expect(await main(['record', '-q', '--rate', '0', '--versions', 'latest'], io)).toBe(EXIT.unreachable);
    expect(io.err()).toMatch(
      /^imds record: not a metadata tree: \/latest\/meta-data\/d0\/.*\/ nests deeper than 16 levels\n$/,
    );
    expect(io.out()).toBe('');
  });

  it('without --endpoint, resolves the endpoint as the SDKs do (checked without sending anything)', () => {
    const io = fakeIo(endpointEnv('http://127.0.0.1:9'));
    const real = clientFromFlags({}, { ...io, env: {} });
    expect('config' in real && real.config.endpoint).toBe('http://169.254.169.254');
    const ipv6 = clientFromFlags({}, { ...io, env: { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: 'IPv6' } });
    expect('config' in ipv6 && ipv6.config.endpoint).toBe('http://[fd00:ec2::254]');
    const given = clientFromFlags({ endpoint: 'http://127.0.0.1:9' }, { ...io, env: {} });
    expect('config' in given && given.config.endpoint).toBe('http://127.0.0.1:9');
  });
});

describe('imds serve --from', () => {
  it('serves a recording, with a configuration adding set values and settings', async () => {
    const dir = scratch();
    const config = join(dir, 'overrides.yaml');
    writeFileSync(config, 'httpTokens: optional\nset:\n  meta-data/tags/instance/Name: replayed\n');
    const io = fakeIo(endpointEnv('http://127.0.0.1:9'));
    let answers: string[] = [];
    const code = await serve(['--from', FIXTURE, '--config', config, '--port', '0'], io, async () => {
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(io.out())?.[1] as string;
      answers = await Promise.all(
        [
          '/latest/meta-data/instance-id',
          '/latest/meta-data/tags/instance/Name',
          '/2018-09-24/meta-data/mac',
        ].map(async (path) => (await fetch(`${url}${path}`)).text()),
      );
    });
    expect(code).toBe(EXIT.ok);
    expect(answers).toEqual(['i-069e01e8cc43732f8', 'replayed', '0a:07:84:3d:6e:38']);
  });

  it("refuses a file's instance description with --from, naming the key, and applies its metadata options", async () => {
    const dir = scratch();
    const described = join(dir, 'described.yaml');
    writeFileSync(described, 'instance:\n  instanceType: m7g.large\n');
    const refused = fakeIo(endpointEnv('http://127.0.0.1:9'));
    const code = await serve(['--from', FIXTURE, '--config', described, '--port', '0'], refused, async () => {
      throw new Error('must not start');
    });
    expect(code).toBe(EXIT.usage);
    expect(refused.err()).toBe(
      `imds serve: ${described}: instance.instanceType: describes a built instance and cannot be combined with --from (the recording is the instance); set, remove, credentials and metadata options still apply\n` +
        'imds serve: not started (1 problem in the configuration)\n',
    );

    const options = join(dir, 'options.yaml');
    writeFileSync(
      options,
      'httpTokens: optional\ninstance:\n  metadataOptions:\n    instanceMetadataTags: disabled\n',
    );
    const io = fakeIo(endpointEnv('http://127.0.0.1:9'));
    let settings: unknown;
    expect(
      await serve(
        ['--from', FIXTURE, '--config', options, '--port', '0', '--control-port', '0'],
        io,
        async () => {
          const control = /Control API on (http:\/\/127\.0\.0\.1:\d+)/.exec(io.out())?.[1] as string;
          settings = await (await fetch(`${control}/settings`)).json();
        },
      ),
    ).toBe(EXIT.ok);
    expect(settings).toMatchObject({
      httpTokens: { served: 'optional' },
      metadataOptions: { instanceMetadataTags: 'disabled' },
    });
  });

  it('refuses --from with a fleet (a fleet derives instances from a described one)', async () => {
    const io = fakeIo(endpointEnv('http://127.0.0.1:9'));
    const code = await serve(['--from', FIXTURE, '--fleet-count', '2', '--port', '0'], io, async () => {
      throw new Error('must not start');
    });
    expect(code).toBe(EXIT.usage);
    expect(io.err()).toContain(
      'imds serve: --from serves one recorded instance and cannot be combined with a fleet',
    );
  });

  it('refuses a bad recording with the file, line and path, and starts nothing', async () => {
    const file = join(scratch(), 'bad.yaml');
    writeFileSync(
      file,
      'format: ec2-imds-recording/1\nversions: [latest]\ntree:\n  /: [meta-data]\n  meta-data/: 7\n',
    );
    const io = fakeIo(endpointEnv('http://127.0.0.1:9'));
    let started = false;
    const code = await serve(['--from', file, '--port', '0'], io, async () => {
      started = true;
    });
    expect(code).toBe(EXIT.usage);
    expect(started).toBe(false);
    expect(io.err()).toBe(
      `imds serve: ${file}:5:3: tree["meta-data/"]: expected a listing or an object (text, base64, listing, omitted, missing), got 7 (write text in quotes)\n` +
        'imds serve: not started (1 problem in the recording)\n',
    );
  });
});
