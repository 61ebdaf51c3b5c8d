/**
 * The audit settings (`attribution`, `attributionBudget`, `requestLog`) through the commands:
 * `imds serve` from a variable and from its configuration file, `imds proxy` from its variables,
 * and a bad value reported with exit 2, naming the variable or key.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run as audit } from '../../src/cli/audit.js';
import { proxy } from '../../src/cli/proxy.js';
import { startImds } from '../../src/testing/index.js';
import { eventually, serveInProcess } from '../cli/helpers/serve-in-process.js';

const dir = mkdtempSync(join(tmpdir(), 'imds-audit-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { path: string; method: string; caller?: unknown });

describe('imds serve: audit settings from the environment and the file', () => {
  it('IMDS_REQUEST_LOG and IMDS_ATTRIBUTION=off: every request logged, without a caller', async () => {
    const file = join(dir, 'env.jsonl');
    const run = await serveInProcess(['--port', '0', '--http-tokens', 'optional', '--log', 'quiet'], {
      IMDS_REQUEST_LOG: file,
      IMDS_ATTRIBUTION: 'off',
    });
    expect(run.url, run.err()).toBeDefined();
    for (const path of ['instance-id', 'ami-id']) {
      const response = await fetch(`${run.url}/latest/meta-data/${path}`);
      expect(response.status).toBe(200);
      await response.text();
    }
    await eventually(() => lines(file).length === 2, 'two logged requests');
    expect(await run.stop()).toBe(0);
    const logged = lines(file);
    expect(logged.map((entry) => entry.path)).toEqual([
      '/latest/meta-data/instance-id',
      '/latest/meta-data/ami-id',
    ]);
    expect(logged.every((entry) => entry.caller === undefined)).toBe(true);
  });

  it('audit.requestLog in the file is relative to the file; a flag wins over it', async () => {
    const config = join(dir, 'imds.yaml');
    writeFileSync(
      config,
      'httpTokens: optional\naudit:\n  attribution: off\n  requestLog: from-file.jsonl\n',
    );
    const run = await serveInProcess(['--port', '0', '--config', config, '--log', 'quiet']);
    expect(run.url, run.err()).toBeDefined();
    await (await fetch(`${run.url}/latest/meta-data/instance-id`)).text();
    await eventually(() => lines(join(dir, 'from-file.jsonl')).length === 1, 'one logged request');
    expect(await run.stop()).toBe(0);

    const flagged = join(dir, 'from-flag.jsonl');
    const again = await serveInProcess(['--port', '0', '--config', config, '--request-log', flagged]);
    await (await fetch(`${again.url}/latest/meta-data/ami-id`)).text();
    await eventually(() => lines(flagged).length === 1, 'one request in the flag-named log');
    expect(await again.stop()).toBe(0);
    expect(lines(join(dir, 'from-file.jsonl'))).toHaveLength(1);
  });

  it('a bad value is exit 2 naming the variable or the key; nothing is started', async () => {
    const bad = await serveInProcess(['--port', '0'], { IMDS_ATTRIBUTION_BUDGET: '150' });
    expect(bad.url).toBeUndefined();
    expect(await bad.stop()).toBe(2);
    expect(bad.err()).toContain(
      "IMDS_ATTRIBUTION_BUDGET must be a percentage greater than 0 and at most 100, such as 5; got '150'",
    );
    const config = join(dir, 'bad.yaml');
    writeFileSync(config, 'audit:\n  attribution: sometimes\n');
    const badFile = await serveInProcess(['--port', '0', '--config', config]);
    expect(await badFile.stop()).toBe(2);
    expect(badFile.err()).toContain(
      `${config}:2:3: audit.attribution: expected one of auto, before, after, off, got "sometimes"`,
    );
  });

  it('a request log that cannot be opened names where it was set', async () => {
    const run = await serveInProcess(['--port', '0'], {
      IMDS_REQUEST_LOG: join(dir, 'no-such-dir', 'r.jsonl'),
      IMDS_ATTRIBUTION: 'off',
    });
    expect(await run.stop()).toBe(2);
    expect(run.err()).toMatch(/^imds serve: IMDS_REQUEST_LOG: cannot open .*no-such-dir.*: ENOENT$/m);
  });
});

describe('imds proxy: audit settings from the environment', () => {
  it('IMDS_REQUEST_LOG names the log; a bad IMDS_ATTRIBUTION is exit 2 naming it', async () => {
    const imds = await startImds({ httpTokens: 'optional' });
    try {
      const file = join(dir, 'proxy.jsonl');
      const out: string[] = [];
      const err: string[] = [];
      let release!: () => void;
      let started!: () => void;
      const ready = new Promise<void>((resolve) => (started = resolve));
      const io = {
        stdout: (text: string) => void out.push(text),
        stderr: (text: string) => void err.push(text),
        env: { IMDS_REQUEST_LOG: file, IMDS_ATTRIBUTION: 'off' },
      };
      const exit = proxy(['--upstream', imds.url, '--port', '0'], io, () => {
        started();
        return new Promise<void>((resolve) => (release = resolve));
      });
      await Promise.race([ready, exit]);
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out.join(''))?.[1];
      expect(url, err.join('')).toBeDefined();
      await (await fetch(`${url}/latest/meta-data/instance-id`)).text();
      await eventually(() => lines(file).length === 1, 'one proxied request logged');
      release();
      expect(await exit).toBe(0);
      expect(lines(file)[0]?.path).toBe('/latest/meta-data/instance-id');

      const badErr: string[] = [];
      const code = await proxy(
        ['--upstream', imds.url, '--port', '0'],
        { stdout: () => {}, stderr: (text) => void badErr.push(text), env: { IMDS_ATTRIBUTION: 'on' } },
        () => Promise.resolve(),
      );
      expect(code).toBe(2);
      expect(badErr.join('')).toBe(
        "imds proxy: IMDS_ATTRIBUTION must be one of auto, before, after, off; got 'on'\n",
      );
    } finally {
      await imds.close();
    }
  });

  it('imds proxy and imds audit share the CLI flag parser: a misspelt flag is one line naming the likely one', async () => {
    for (const [command, argv, expected] of [
      [
        proxy,
        ['--upstrem', 'http://127.0.0.1:9'],
        "imds proxy: unknown option '--upstrem'; did you mean --upstream?",
      ],
      [audit, ['--jsn', 'log.jsonl'], "imds audit: unknown option '--jsn'; did you mean --json?"],
    ] as const) {
      const err: string[] = [];
      const io = { stdout: () => {}, stderr: (text: string) => void err.push(text), env: {} };
      const code = await command([...argv], io, () => Promise.resolve());
      expect(code).toBe(2);
      expect(err.join('').split('\n')[0]).toBe(expected);
    }
  });
});
