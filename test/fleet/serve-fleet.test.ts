/** `imds serve` with a fleet (examples/fleet-3.yaml, --fleet-count) and its control API, in-process, on loopback. */
import { describe, expect, it } from 'vitest';
import { serve } from '../../src/cli/serve.js';
import { exchange, read } from './loopback-get.js';

function capture(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: (text: string | Uint8Array) => void out.push(String(text)),
      stderr: (text: string) => void err.push(text),
      env,
    },
    out,
    err,
  };
}

/** Runs `imds serve argv` until the callback is done; returns its banner, stderr and exit code. */
async function running(argv: string[], body: (banner: string) => Promise<void>) {
  const { io, out, err } = capture();
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let started!: () => void;
  const ready = new Promise<void>((resolve) => (started = resolve));
  const exit = serve(argv, io, () => {
    started();
    return stopped;
  });
  const first = await Promise.race([ready.then(() => 'ready' as const), exit]);
  if (first !== 'ready') return { code: first, err: err.join(''), out: out.join('') };
  try {
    await body(out.join(''));
  } finally {
    stop();
  }
  return { code: await exit, err: err.join(''), out: out.join('') };
}

describe('imds serve with a fleet', () => {
  it('serves examples/fleet-3.yaml: by source, by listener, and the fleet control API', async () => {
    const result = await running(
      ['--config', 'examples/fleet-3.yaml', '--port', '0', '--control-port', '0'],
      async (banner) => {
        const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1] as string;
        const own = /i-0a1b2c3d4e5f60003 on (http:\/\/127\.0\.1\.1:\d+)/.exec(banner)?.[1] as string;
        const control = /Control API on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1] as string;
        expect(banner).toContain('IMDS fleet of 3 instances');
        expect((await read(url, '/latest/meta-data/tags/instance/Name', '127.0.0.2')).body).toBe('web-1');
        expect((await read(url, '/latest/meta-data/tags/instance/Name', '127.0.0.3')).body).toBe('web-2');
        expect((await read(own, '/latest/meta-data/tags/instance/Name')).body).toBe('batch-1');
        expect((await read(own, '/latest/meta-data/placement/region')).body).toBe('eu-west-1');
        expect((await exchange(url, '/latest/meta-data/', { from: '127.0.0.7' })).status).toBe(403);

        const instances = (await (await fetch(`${control}/instances`)).json()) as { instanceId: string }[];
        expect(instances.map((each) => each.instanceId)).toEqual([
          'i-0a1b2c3d4e5f60001',
          'i-0a1b2c3d4e5f60002',
          'i-0a1b2c3d4e5f60003',
        ]);
        const posted = await fetch(`${control}/scenarios`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            targets: ['i-0a1b2c3d4e5f60002'],
            scenario: { type: 'rebalance-recommendation' },
          }),
        });
        expect(posted.status).toBe(201);
        expect(await posted.json()).toMatchObject({ count: 1 });
        const path = '/latest/meta-data/events/recommendations/rebalance';
        expect((await read(url, path, '127.0.0.2')).status).toBe(404);
        expect((await read(url, path, '127.0.0.3')).status).toBe(200);
        const state = (await (await fetch(`${control}/instances/i-0a1b2c3d4e5f60003/state`)).json()) as {
          instance: { instanceId: string };
          scenarios: { type: string }[];
        };
        expect(state.instance.instanceId).toBe('i-0a1b2c3d4e5f60003');
        expect(state.scenarios.map((each) => each.type)).toEqual(['spot-interruption']);
        const log = (await (await fetch(`${control}/requests`)).json()) as {
          requests: { instance: string | null; peer: string; status: number }[];
        };
        expect(log.requests.filter((entry) => entry.instance === null).map((entry) => entry.peer)).toEqual([
          '127.0.0.7',
        ]);
        expect((await fetch(`${control}/instances/i-0000000000000000f/state`)).status).toBe(404);
        const bad = await fetch(`${control}/scenarios`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ targets: { percent: 300 }, scenario: { type: 'rebalance-recommendation' } }),
        });
        expect(bad.status).toBe(400);
      },
    );
    expect(result.code).toBe(0);
    expect(result.err).toBe('imds serve: stopped\n');
  });

  it('derives a fleet with --fleet-count and --fleet-sources', async () => {
    const result = await running(
      ['--fleet-count', '3', '--fleet-sources', '127.0.0.2', '--port', '0', '--http-tokens', 'optional'],
      async (banner) => {
        const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1] as string;
        const ids = await Promise.all(
          ['127.0.0.2', '127.0.0.3', '127.0.0.4'].map(
            async (from) => (await exchange(url, '/latest/meta-data/instance-id', { from })).body,
          ),
        );
        expect(ids).toEqual(['i-0410f3c9b2d5e8a71', 'i-0410f3c9b2d5e8a72', 'i-0410f3c9b2d5e8a73']);
      },
    );
    expect(result.code).toBe(0);
  });

  it('refuses fleet flags that cannot work, naming the flag, and starts nothing', async () => {
    const cases: [string[], string][] = [
      [
        ['--fleet-count', 'lots'],
        "--fleet-count: expected a number of instances from 1 to 100000, got 'lots'",
      ],
      [['--fleet-sources', '127.0.0.2'], '--fleet-sources and --fleet-listen go with --fleet-count'],
      [
        ['--fleet-count', '2', '--fleet-unmatched', 'maybe'],
        '--fleet-unmatched: expected refuse, timeout or an instance id',
      ],
      [['--config', 'examples/fleet-3.yaml', '--fleet-count', '2'], 'already describes a fleet'],
      [
        ['--fleet-count', '2', '--fleet-unmatched', 'i-0000000000000000f'],
        'unmatched: no instance i-0000000000000000f',
      ],
    ];
    for (const [argv, message] of cases) {
      const result = await running([...argv, '--port', '0'], async () => {
        throw new Error(`started with ${argv.join(' ')}`);
      });
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.err).toContain(message);
    }
  });
});
