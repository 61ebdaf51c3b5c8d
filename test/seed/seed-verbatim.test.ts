/**
 * The seed article's command lines, exactly as written, against `imds serve --link-local`.
 * The whole body runs inside `unshare --net`: a new network namespace whose only interface is its
 * own loopback, where 169.254.169.254 is put on `lo`. Without permission for that, the test skips;
 * it never falls back to the host's network.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unshareCommand } from '../helpers/unshare.js';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const script = join(here, 'seed-in-netns.sh');

const unshare = unshareCommand('169.254.169.254/32');
const SEED_LISTING_BYTES = 325;

function runSeed(mode: 'required' | 'optional') {
  const out = mkdtempSync(join(tmpdir(), `imds-seed-${mode}-`));
  const run = spawnSync(unshare![0]!, [...unshare!.slice(1), 'bash', script, repo, out, mode], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(run.status, `${run.stdout}\n${run.stderr}\n${readFileSync(join(out, 'serve.log'), 'utf8')}`).toBe(0);
  const read = (name: string) => readFileSync(join(out, name), 'utf8');
  return { read };
}

describe.skipIf(!unshare)('the seed, verbatim, on 169.254.169.254 inside a fresh network namespace', () => {
  it('IMDSv2 enforced: the token pair prints the instance id and the 26-entry listing; plain curl prints nothing', () => {
    const { read } = runSeed('required');
    expect(read('instance-id.out')).toBe('i-0410f3c9b2d5e8a71');
    const verbose = read('instance-id.err');
    expect(verbose).toContain('> GET /latest/meta-data/instance-id/ HTTP/1.1');
    expect(verbose).toContain('> Host: 169.254.169.254');
    const headerLines = verbose
      .split(/\r?\n/)
      .filter((line) => line.startsWith('< '))
      .map((line) => line.replace(/^< /, '').split(':')[0]);
    expect(headerLines).toEqual([
      'HTTP/1.1 200 OK',
      'X-Aws-Ec2-Metadata-Token-Ttl-Seconds',
      'Content-Type',
      'Accept-Ranges',
      'Last-Modified',
      'Content-Length',
      'Date',
      'Server',
      'Connection',
      '',
    ]);
    expect(verbose).toContain('< Content-Length: 19');
    expect(verbose).toContain('< Server: EC2ws');
    const listing = read('listing.out');
    expect(listing.split('\n')).toHaveLength(26);
    expect(Buffer.byteLength(listing)).toBe(SEED_LISTING_BYTES);
    expect(read('listing.err')).toContain(`< Content-Length: ${SEED_LISTING_BYTES}`);
    expect(read('v1.out')).toBe('');
  });

  it('IMDSv1 allowed: plain curl prints the instance id', () => {
    const { read } = runSeed('optional');
    expect(read('v1.out')).toBe('i-0410f3c9b2d5e8a71');
  });
});
