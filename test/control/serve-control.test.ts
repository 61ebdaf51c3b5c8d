/** `imds serve` with a configuration file and the control API, in-process, on loopback. */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { serve } from '../../src/cli/serve.js';
import { request } from '../scenarios/http.js';
import { freePort } from '../helpers/free-port.js';

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

describe('imds serve with --config and the control API', () => {
  it("serves the file's scenario on a manual clock that the control API moves", async () => {
    const { io, out, err } = capture({ IMDS_CONTROL_PORT: '0' });
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    let started!: () => void;
    const ready = new Promise<void>((resolve) => (started = resolve));
    const exit = serve(
      [
        '--config',
        'examples/control-api.yaml',
        '--port',
        '0',
        '--http-tokens',
        'optional',
        '--attribution',
        'off',
      ],
      io,
      () => {
        started();
        return stopped;
      },
    );
    await ready;
    const banner = out.join('');
    const metadata = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1] as string;
    const control = /Control API on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1] as string;
    expect(banner).toContain('(HttpTokens=optional) with 1 scenario');
    expect(control).not.toBe(metadata);

    expect((await request(metadata, '/latest/meta-data/spot/instance-action')).status).toBe(404);
    const moved = await fetch(`${control}/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advance: '2m' }),
    });
    expect(await moved.json()).toEqual({ now: '2024-03-01T09:02:00Z' });
    expect(JSON.parse((await request(metadata, '/latest/meta-data/spot/instance-action')).body)).toEqual({
      action: 'terminate',
      time: '2024-03-01T09:04:00Z',
    });
    // The control API is not on the metadata port: its paths are just 404s there.
    expect((await request(metadata, '/state')).status).toBe(404);

    stop();
    expect(await exit).toBe(0);
    // The live log: the scenario's changes and one line per request, on the emulator's (manual) clock.
    // Scenario lines come from a poll of the timeline, so they may fall between request lines.
    const log = err.join('');
    for (const line of [
      '2024-03-01T09:00:00.000Z scenario spot-interruption-1 (spot-interruption): added',
      '2024-03-01T09:00:00.000Z GET /latest/meta-data/spot/instance-action 404 v1 127.0.0.1 -',
      '2024-03-01T09:02:00.000Z GET /latest/meta-data/spot/instance-action 200 v1 127.0.0.1 -',
      '2024-03-01T09:02:00.000Z GET /state 404 v1 127.0.0.1 -',
      '2024-03-01T09:02:00.000Z scenario spot-interruption-1 (spot-interruption): active',
    ])
      expect(log.split('\n')).toContain(line);
    expect(log.split('\n')).toHaveLength(7);
    expect(log.endsWith('imds serve: stopped\n')).toBe(true);
    await expect(fetch(`${control}/state`)).rejects.toThrow();
  });

  it('never starts half: a control port in use closes the metadata listener again and exits 2', async () => {
    const blocker = net.createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const blocked = (blocker.address() as net.AddressInfo).port;
    const metadataPort = await freePort();
    try {
      const { io, out, err } = capture();
      const code = await serve(
        ['--port', String(metadataPort), '--control-port', String(blocked)],
        io,
        () => {
          throw new Error('must not wait: the start failed');
        },
      );
      expect(code).toBe(2);
      expect(out).toEqual([]);
      expect(err.join('')).toMatch(
        new RegExp(`imds serve: .*already in use \\(127\\.0\\.0\\.1:${blocked}\\)`),
      );
      const probe = net.createServer();
      await new Promise<void>((done, fail) => {
        probe.once('error', fail);
        probe.listen(metadataPort, '127.0.0.1', done);
      });
      await new Promise<void>((done) => probe.close(() => done()));
    } finally {
      blocker.close();
    }
  });

  it('refuses a control API beyond loopback without a token, binding nothing', async () => {
    const { io, err } = capture();
    const code = await serve(['--port', '0', '--control-port', '0', '--control-host', '0.0.0.0'], io, () => {
      throw new Error('must not start');
    });
    expect(code).toBe(2);
    expect(err.join('')).toBe(
      'imds serve: the control API listens beyond loopback (0.0.0.0) without a bearer token (control host from --control-host): set --control-token, IMDS_CONTROL_TOKEN or control.token, or keep it on 127.0.0.1\n' +
        'imds serve: not started (1 problem in the configuration)\n',
    );
  });
});
