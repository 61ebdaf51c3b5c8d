import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../src/control/api-shapes.js';
import { startImds, type Imds } from '../../src/testing/index.js';

const run = promisify(execFile);
const linux = process.platform === 'linux';
let imds: Imds | undefined;

afterEach(async () => {
  await imds?.close();
  imds = undefined;
});

function callerOf(records: readonly RequestRecord[], path: string, method = 'GET') {
  const record = records.find((each) => each.path === path && each.method === method);
  expect(record, `a logged ${method} ${path}`).toBeDefined();
  return record?.caller;
}

describe.runIf(linux)('caller attribution with real processes', () => {
  it('names curl (v1), curl with a token (v2) and a node client, each with its own pid', async () => {
    imds = await startImds({ httpTokens: 'optional', attribution: true });
    const curl = realpathSync('/usr/bin/curl');

    const v1 = await run('curl', ['-s', `${imds.url}/latest/meta-data/instance-id`]);
    expect(v1.stdout).toMatch(/^i-/);
    const token = (
      await run('curl', [
        '-s',
        '-X',
        'PUT',
        '-H',
        'X-aws-ec2-metadata-token-ttl-seconds: 60',
        `${imds.url}/latest/api/token`,
      ])
    ).stdout;
    await run('curl', [
      '-s',
      '-H',
      `X-aws-ec2-metadata-token: ${token}`,
      `${imds.url}/latest/meta-data/ami-id`,
    ]);
    const script = `const r = await fetch(${JSON.stringify(`${imds.url}/latest/meta-data/hostname`)}); await r.text(); setTimeout(() => {}, 50);`;
    await run(process.execPath, ['--input-type=module', '-e', script]);

    const records = await imds.attributed();
    expect(records.map((each) => each.version)).toEqual(['v1', 'token-request', 'v2', 'v1']);
    const pids = new Set<number>();
    for (const [path, method, exe] of [
      ['/latest/meta-data/instance-id', 'GET', curl],
      ['/latest/api/token', 'PUT', curl],
      ['/latest/meta-data/ami-id', 'GET', curl],
      ['/latest/meta-data/hostname', 'GET', realpathSync(process.execPath)],
    ] as const) {
      const caller = callerOf(records, path, method);
      expect(caller?.status, `${method} ${path}`).toBe('resolved');
      if (caller?.status !== 'resolved') continue;
      expect(caller.exe).toBe(exe);
      expect(caller.pid).not.toBe(process.pid);
      expect(caller.uid).toBe(process.getuid?.());
      expect(caller.parents[0]?.pid).toBe(process.pid);
      pids.add(caller.pid);
    }
    expect(pids.size).toBe(4);
  });

  it('names this process for an in-process fetch, with its command line and user', async () => {
    imds = await startImds({ httpTokens: 'optional', attribution: true });
    await (await fetch(`${imds.url}/latest/meta-data/`)).text();
    const [record] = await imds.attributed();
    expect(record?.caller?.status).toBe('resolved');
    if (record?.caller?.status !== 'resolved') return;
    expect(record.caller.pid).toBe(process.pid);
    expect(record.caller.cmdline).toContain('node');
    expect(typeof record.caller.user).toBe('string');
  });

  it('leaves caller out when attribution is off', async () => {
    imds = await startImds({ httpTokens: 'optional' });
    await (await fetch(`${imds.url}/latest/meta-data/`)).text();
    const records = await imds.attributed();
    expect(records).toHaveLength(1);
    expect(records[0]).not.toHaveProperty('caller');
  });
});
