/**
 * The proxy between the seed's curl lines and an emulator, inside `unshare --net`: a namespace
 * whose only interface is its own loopback. 169.254.169.254 there is the proxy; its upstream is
 * an emulator on 127.0.0.1 in the same namespace. Never the host's network.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unshareCommand } from '../helpers/unshare.js';
import { describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/audit/report.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const script = join(here, 'proxy-in-netns.sh');

const unshare = unshareCommand('169.254.169.254/32');
if (!unshare && process.env.CI)
  throw new Error(
    'unshare --net is not available: the proxy-in-namespace tests need it (run as root, or allow user namespaces)',
  );

function runThrough(mode: 'required' | 'optional', enforce: 'off' | 'dry-run' | 'on') {
  const out = mkdtempSync(join(tmpdir(), `imds-proxy-${mode}-${enforce}-`));
  const command = unshare as string[];
  const run = spawnSync(
    command[0] as string,
    [...command.slice(1), 'bash', script, repo, out, mode, enforce],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  const read = (name: string) => readFileSync(join(out, name), 'utf8');
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  return { read, audit: JSON.parse(read('audit.json')) as AuditReport };
}

const CURL = realpathSync('/usr/bin/curl');

describe.skipIf(!unshare)('imds proxy in front of 169.254.169.254, inside a fresh network namespace', () => {
  it('forwards byte for byte: the seed works through it, and a direct and a proxied crawl are identical', () => {
    const { read, audit } = runThrough('required', 'off');
    expect(read('instance-id.out')).toBe('i-0410f3c9b2d5e8a71');
    expect(read('instance-id.err')).toContain('< Server: EC2ws');
    expect(read('listing.out').split('\n')).toHaveLength(26);
    expect(read('v1.out')).toBe(''); // refused by the service (401), passed on unchanged
    expect(read('crawl.txt').trim()).toBe('same=27 differ=0');
    // 2 token PUTs + 2 v2 reads + 1 v1 read from the seed, then 27 proxied crawl reads.
    expect(audit).toMatchObject({ requests: 32, v1Requests: 1, v2Requests: 29 });
    expect(audit.v1Callers).toHaveLength(1);
    expect(audit.v1Callers[0]).toMatchObject({
      exe: CURL,
      count: 1,
      refused: 1,
      paths: ['/latest/meta-data/instance-id/'],
    });
    expect(audit.v1Callers[0]?.pids).toHaveLength(1);
  });

  it('dry-run lets the token-less read through (HttpTokens=optional) and reports it', () => {
    const { read, audit } = runThrough('optional', 'dry-run');
    expect(read('v1.out')).toBe('i-0410f3c9b2d5e8a71');
    const lines = read('requests.jsonl')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(
      lines.filter((line) => line.enforced === 'dry-run').map((line) => [line.version, line.status]),
    ).toEqual([['v1', 200]]);
    expect(audit.v1Callers[0]).toMatchObject({ exe: CURL, count: 1, refused: 0 });
  });

  it('enforce on refuses the token-less read with 401 although the upstream allows v1; v2 is unaffected', () => {
    const { read, audit } = runThrough('optional', 'on');
    expect(read('v1.out')).toBe('');
    expect(read('instance-id.out')).toBe('i-0410f3c9b2d5e8a71');
    expect(read('crawl.txt').trim()).toBe('same=27 differ=0');
    expect(audit.v1Callers[0]).toMatchObject({ exe: CURL, count: 1, refused: 1 });
    const refusedByProxy = read('requests.jsonl')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .filter((line) => line.enforced === 'refused');
    expect(refusedByProxy).toHaveLength(1);
  });
});
