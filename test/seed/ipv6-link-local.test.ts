/**
 * An IPv6-only instance served on the IPv6 endpoint, `[fd00:ec2::254]:80`, and read by the client
 * through its default IPv6 endpoint (`AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6`). The whole body
 * runs inside `unshare --net`, a namespace whose only interface is its own loopback, where the
 * script puts fd00:ec2::254 on `lo` after checking that `lo` is all there is. Without permission
 * for that the test skips (in CI it fails, see below); it never falls back to the host's network.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unshareCommand } from '../helpers/unshare.js';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const script = join(here, 'ipv6-in-netns.sh');

const unshare = unshareCommand('fd00:ec2::254/128');
if (!unshare && process.env.CI)
  throw new Error('CI: network namespaces are needed for test/seed (unshare --net)');

const CONFIG = `instance:
  region: us-west-2
  instanceId: i-0123456789abcdef0
  networkInterfaces:
    - mac: "0a:6e:11:22:33:44"
      localIpv4s: []
      ipv6s: ["2600:1f14:abc:de00::10"]
      subnetIpv6CidrBlocks: ["2600:1f14:abc:de00::/64"]
`;

describe.skipIf(!unshare)('an IPv6-only instance on [fd00:ec2::254] inside a fresh network namespace', () => {
  it('the client in IPv6 endpoint mode reads the resource-based name and the IPv6 address; local-ipv4 is 404', () => {
    const out = mkdtempSync(join(tmpdir(), 'imds-ipv6-'));
    const config = join(out, 'ipv6-only.yaml');
    writeFileSync(config, CONFIG);
    const run = spawnSync(unshare![0]!, [...unshare!.slice(1), 'bash', script, repo, out, config], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    const read = (name: string) => readFileSync(join(out, name), 'utf8');
    expect(run.status, `${run.stdout}\n${run.stderr}\n${read('serve.log')}`).toBe(0);
    expect(read('serve.log')).toContain('listening on http://[fd00:ec2::254]:80');
    expect(read('local-hostname.out')).toBe('i-0123456789abcdef0.us-west-2.compute.internal\n');
    expect(read('ipv6.out')).toBe('2600:1f14:abc:de00::10\n');
    expect(read('local-ipv4.rc').trim()).toBe('1');
    expect(read('local-ipv4.err')).toBe('imds get: /latest/meta-data/local-ipv4 not found (404)\n');
    expect(read('macs.out')).toBe('0a:6e:11:22:33:44/');
    expect(read('serve.log')).toContain('server exit 0');
  });
});
