/**
 * `imds serve` as people type it: one-line scenarios, short flags, the live log (`--log`), and
 * `--watch` reloading the configuration file. In-process, on loopback, port 0.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scenariosFromFlags } from '../../src/cli/serve-scenarios.js';
import { ConfigError } from '../../src/config/config-error.js';
import { request } from '../scenarios/http.js';
import { eventually, serveInProcess, type ServeRun } from './helpers/serve-in-process.js';

let running: ServeRun | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe('one-line scenarios', () => {
  it('each flag is the scenario entry a file would hold', () => {
    expect(
      scenariosFromFlags({
        'spot-interruption': ['30s', 'stop@2m'],
        rebalance: ['10s'],
        maintenance: ['system-reboot@1h'],
        lifecycle: ['Terminated@2m', 'Standby,InService@5m'],
      }),
    ).toEqual([
      { type: 'spot-interruption', action: 'terminate', when: { after: 30_000 } },
      { type: 'spot-interruption', action: 'stop', when: { after: 120_000 } },
      { type: 'rebalance-recommendation', when: { after: 10_000 } },
      expect.objectContaining({
        type: 'maintenance-event',
        code: 'system-reboot',
        notBefore: { after: 3_600_000 },
        notAfter: { after: 3 * 3_600_000 },
      }),
      {
        type: 'autoscaling-lifecycle',
        steps: [
          { state: 'InService', after: 0 },
          { state: 'Terminated', after: 120_000 },
        ],
      },
      {
        type: 'autoscaling-lifecycle',
        steps: [
          { state: 'Standby', after: 0 },
          { state: 'InService', after: 300_000 },
        ],
      },
    ]);
  });

  it('bad values are reported together, each naming its flag, with did-you-mean from the schema', () => {
    let caught: unknown;
    try {
      scenariosFromFlags({
        'spot-interruption': ['pause@30s'],
        maintenance: ['system-reboot', 'system-reboto@1h'],
        rebalance: ['soon'],
        lifecycle: ['Terminate@2m'],
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const lines = (caught as ConfigError).lines;
    expect(lines).toHaveLength(5);
    expect(lines).toEqual([
      `--spot-interruption 'pause@30s': expected one of "terminate", "stop", "hibernate", got "pause"`,
      `--rebalance 'soon': expected a duration such as 90s, 2m, 1h30m or 500ms (a bare number is seconds), got "soon"`,
      "--maintenance 'system-reboot': expected CODE@WHEN, such as system-reboot@1h",
      expect.stringMatching(/^--maintenance 'system-reboto@1h': .*; did you mean "system-reboot"\?$/),
      expect.stringMatching(/^--lifecycle 'Terminate@2m': .*; did you mean "Terminated"\?$/),
    ]);
  });

  it('imds serve -p 0 --spot-interruption 3s: the notice appears, and the log says when it fired', async () => {
    running = await serveInProcess([
      '-p',
      '0',
      '--http-tokens',
      'optional',
      '--spot-interruption',
      // 3 s, not 1: the first request must come before it, on a loaded 2-core machine too.
      'stop@3s',
    ]);
    const url = running.url as string;
    expect(running.out()).toContain('with 1 scenario');
    expect((await request(url, '/latest/meta-data/spot/instance-action')).status).toBe(404);
    await eventually(() => running?.err().includes('(spot-interruption): active') === true, 'the notice');
    const answer = await request(url, '/latest/meta-data/spot/instance-action');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).action).toBe('stop');
  });

  it('a bad one-liner stops the start with exit 2, like a bad file', async () => {
    running = await serveInProcess(['-p', '0', '--rebalance', 'later']);
    expect(running.url).toBeUndefined();
    expect(await running.stop()).toBe(2);
    expect(running.err()).toContain("imds serve: --rebalance 'later': expected a duration");
    expect(running.err()).toContain('imds serve: not started (1 problem in the configuration)');
    running = undefined;
  });
});

describe('the live log', () => {
  it('--log requests (the default): one line per request on stderr, with version, client and user agent', async () => {
    running = await serveInProcess(['--port', '0', '--http-tokens', 'optional', '--attribution', 'off']);
    const url = running.url as string;
    await request(url, '/latest/meta-data/instance-id', { headers: { 'user-agent': 'probe/1.0' } });
    await request(url, '/latest/meta-data/nope');
    const lines = running.err().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z GET \/latest\/meta-data\/instance-id 200 v1 127\.0\.0\.1 "probe\/1\.0"$/,
    );
    expect(lines[1]).toMatch(/ GET \/latest\/meta-data\/nope 404 v1 127\.0\.0\.1 -$/);
  });

  it('--log json: one JSON object a line; tokens in paths stay masked', async () => {
    running = await serveInProcess(['--port', '0', '--log', 'json', '--rebalance', '0s']);
    const url = running.url as string;
    await request(url, `/latest/meta-data/${'A'.repeat(56)}`);
    await eventually(() => running?.err().includes('"path"') === true, 'the request line');
    const objects = running
      .err()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(objects).toContainEqual(
      expect.objectContaining({ scenario: 'rebalance-recommendation-1', event: 'active' }),
    );
    expect(objects).toContainEqual(
      expect.objectContaining({
        method: 'GET',
        path: '/latest/meta-data/<redacted>',
        status: 401,
        version: 'v1',
        client: '127.0.0.1',
        userAgent: null,
      }),
    );
  });

  it('--log quiet prints nothing while it runs', async () => {
    running = await serveInProcess(['--port', '0', '--log', 'quiet', '--rebalance', '0s']);
    await request(running.url as string, '/latest/meta-data/');
    expect(await running.stop()).toBe(0);
    expect(running.err()).toBe('imds serve: stopped\n');
    running = undefined;
  });

  it('--log with another level is a usage error naming the choices', async () => {
    running = await serveInProcess(['--port', '0', '--log', 'verbose']);
    expect(await running.stop()).toBe(2);
    expect(running.err()).toContain("--log must be one of quiet, requests, json; got 'verbose'");
    running = undefined;
  });

  it('a fault says when it starts and ends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imds-fault-'));
    try {
      const file = join(dir, 'fault.yaml');
      // 3 s, not 300 ms: the log's first look (at start) must come before the end, however loaded the machine.
      writeFileSync(file, 'faults:\n  - type: latency\n    delay: 1ms\n    for: 3s\n');
      running = await serveInProcess(['-c', file, '-p', '0']);
      await eventually(() => running?.err().includes('fault latency-1 (latency): ended') === true, 'the end');
      expect(running.err()).toContain('fault latency-1 (latency): started');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('--watch', () => {
  it('reloads a changed file; a bad edit keeps the running configuration and prints its problems', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imds-watch-'));
    try {
      const file = join(dir, 'imds.yaml');
      writeFileSync(file, 'httpTokens: optional\ninstance:\n  instanceType: t3.micro\n');
      running = await serveInProcess(['--config', file, '--watch', '--port', '0', '--log', 'quiet']);
      const url = running.url as string;
      expect((await request(url, '/latest/meta-data/instance-type')).body).toBe('t3.micro');

      writeFileSync(file, 'httpTokens: optional\ninstance:\n  instanceType: m7g.large\n');
      await eventually(() => running?.err().includes(`reloaded ${file}`) === true, 'the reload');
      expect((await request(url, '/latest/meta-data/instance-type')).body).toBe('m7g.large');

      writeFileSync(file, 'httpTokens: optional\ninstance:\n  instanceTyp: c7i.large\n');
      await eventually(
        () => running?.err().includes('kept the running configuration') === true,
        'the refusal',
      );
      expect(running.err()).toContain(
        `${file}:3:3: instance.instanceTyp: unknown key; did you mean "instanceType"?`,
      );
      expect((await request(url, '/latest/meta-data/instance-type')).body).toBe('m7g.large');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('needs a file to watch', async () => {
    running = await serveInProcess(['--watch', '--port', '0']);
    expect(await running.stop()).toBe(2);
    expect(running.err()).toContain('--watch needs a configuration file');
    running = undefined;
  });
});

describe('--config - (standard input), through bin/imds.js', () => {
  const BIN = resolve(import.meta.dirname, '../../bin/imds.js');

  it('serves the configuration piped in', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '-p', '0', '-c', '-', '--log', 'quiet']);
    child.stdin.end('httpTokens: optional\ninstance:\n  instanceType: r7g.xlarge\n');
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    const exited = new Promise<number | null>((done) => child.on('exit', done));
    try {
      await eventually(() => /listening on http/.test(out), 'the banner');
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] as string;
      expect((await request(url, '/latest/meta-data/instance-type')).body).toBe('r7g.xlarge');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });

  it('names standard input in its problems', () => {
    const run = spawnSync(process.execPath, [BIN, 'serve', '-p', '0', '--config', '-'], {
      input: 'prot: 3\n',
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      'imds serve: standard input:1:1: prot: unknown key; did you mean "port"?\n' +
        'imds serve: not started (1 problem in the configuration)\n',
    );
  });
});
