/**
 * `imds serve --link-local` on both endpoints: `169.254.169.254:80` always, `[fd00:ec2::254]:80`
 * when `HttpProtocolIpv6` is enabled or, not given, when the address is on an interface. Each run's
 * whole body is inside `unshare --net`, a namespace whose only interface is its own loopback (the
 * script checks that before anything else); nothing reaches the host's network. The decision
 * rule itself is also tested as a pure function over made-up interface lists.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import type { NetworkInterfaceInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bindsIpv6Endpoint } from '../../src/net/link-local.js';
import { unshareCommand } from '../helpers/unshare.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const script = join(here, 'link-local-in-netns.sh');

const unshare = unshareCommand('fd00:ec2::254/128');
if (!unshare && process.env.CI)
  throw new Error('CI: network namespaces are needed for test/seed (unshare --net)');

const address = (value: string, family: 'IPv4' | 'IPv6') =>
  ({ address: value, family, netmask: '', mac: '', internal: false, cidr: null }) as NetworkInterfaceInfo;

describe('which link-local endpoints --link-local binds (pure rule)', () => {
  const withIpv6 = { lo: [address('127.0.0.1', 'IPv4'), address('fd00:ec2:0:0::254', 'IPv6')] };
  const without = { lo: [address('127.0.0.1', 'IPv4'), address('::1', 'IPv6')], eth0: undefined };
  it.each([
    ['enabled', without, true],
    ['enabled', withIpv6, true],
    ['disabled', withIpv6, false],
    [undefined, withIpv6, true],
    [undefined, without, false],
  ] as const)('HttpProtocolIpv6 %s, interfaces %j: IPv6 endpoint %s', (option, interfaces, expected) => {
    expect(bindsIpv6Endpoint(option, interfaces)).toBe(expected);
  });
  it('an IPv4 address that spells like it is not the IPv6 endpoint', () => {
    expect(bindsIpv6Endpoint(undefined, { lo: [address('169.254.169.254', 'IPv4')] })).toBe(false);
  });
});

/** Runs `imds serve --link-local <flags>` in a fresh namespace; returns what each endpoint answered. */
function runInNamespace(withIpv6Address: boolean, flags: string[]) {
  const out = mkdtempSync(join(tmpdir(), 'imds-link-local-'));
  const run = spawnSync(
    unshare?.[0] as string,
    [...(unshare?.slice(1) ?? []), 'bash', script, repo, out, withIpv6Address ? 'yes' : 'no', ...flags],
    { encoding: 'utf8', timeout: 40_000 },
  );
  const read = (name: string) => (existsSync(join(out, name)) ? readFileSync(join(out, name), 'utf8') : '');
  const log = read('serve.log');
  expect(run.status, `${run.stdout}\n${run.stderr}\n${log}`).toBe(0);
  return { log, ipv4: read('ipv4.out'), ipv6: read('ipv6.out'), ipv6Rc: read('ipv6.rc').trim() };
}

describe.skipIf(!unshare)('--link-local inside a fresh network namespace', () => {
  it('with fd00:ec2::254 on lo and HttpProtocolIpv6 not given: both endpoints serve the same instance', () => {
    const { log, ipv4, ipv6 } = runInNamespace(true, []);
    expect(log).toContain('listening on http://169.254.169.254:80');
    expect(log).toContain('Also listening on http://[fd00:ec2::254]:80 (the IPv6 endpoint)');
    expect(ipv4).toBe('i-0410f3c9b2d5e8a71');
    expect(ipv6).toBe(ipv4);
    expect(log).toContain('server exit 0');
  });

  it('HttpProtocolIpv6 disabled: only the IPv4 endpoint, although the address is there', () => {
    const { log, ipv4, ipv6, ipv6Rc } = runInNamespace(true, ['--http-protocol-ipv6', 'disabled']);
    expect(ipv4).toBe('i-0410f3c9b2d5e8a71');
    expect(log).not.toContain('Also listening');
    expect(ipv6).toBe('');
    expect(ipv6Rc).toBe('7'); // curl: could not connect
  });

  it('without the address and HttpProtocolIpv6 not given: IPv4 only, no error', () => {
    const { log, ipv4 } = runInNamespace(false, []);
    expect(ipv4).toBe('i-0410f3c9b2d5e8a71');
    expect(log).not.toContain('Also listening');
  });

  it('HttpProtocolIpv6 enabled but the address on no interface: refused at start, naming the address', () => {
    const { log } = runInNamespace(false, ['--http-protocol-ipv6', 'enabled']);
    expect(log).toMatch(
      /^imds serve: --link-local: HttpProtocolIpv6 is enabled, so \[fd00:ec2::254\] is served too, but: .*not available.*ip addr add fd00:ec2::254\/128 dev lo/m,
    );
    expect(log).toContain('server exit 2');
    expect(log).not.toContain('    at '); // no stack trace
  });
});
