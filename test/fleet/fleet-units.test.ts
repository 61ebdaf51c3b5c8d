/** The fleet's parts without sockets: derivation, targets, routing order, config problems. */
import { describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { printConfig } from '../../src/config/print-config.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { ManualClock } from '../../src/clock.js';
import { configFromData } from '../../src/config/load-file.js';
import { deriveInstance } from '../../src/fleet/derive-instance.js';
import { Fleet } from '../../src/fleet/fleet.js';
import type { FleetSpec } from '../../src/fleet/fleet-spec.js';
import { nthHexId, nthIpv4, nthMac } from '../../src/fleet/sequence.js';
import { selectTargets } from '../../src/fleet/targets.js';
import { DEFAULT_INSTANCE } from '../../src/metadata/default-instance.js';
import { makeRequest } from '../../src/server/exchange.js';

function fleetOf(data: unknown): FleetSpec {
  const checked = configFromData(data);
  if ('problems' in checked) throw new Error(JSON.stringify(checked.problems));
  if (!checked.config.fleet) throw new Error('no fleet');
  return checked.config.fleet;
}

function problemsOf(data: unknown): string[] {
  const checked = configFromData(data);
  if (!('problems' in checked)) throw new Error('expected problems');
  return checked.problems.map((problem) => `${problem.path.join('.')}: ${problem.message}`);
}

const body = (outcome: ReturnType<Fleet['handle']>) =>
  'body' in outcome ? new TextDecoder().decode(outcome.body) : outcome.noResponse;

describe('sequences', () => {
  it('count ids, addresses and MACs up, and refuse to wrap', () => {
    expect(nthHexId('i-0410f3c9b2d5e8a7f', 1)).toBe('i-0410f3c9b2d5e8a80');
    expect(nthIpv4('10.0.0.255', 1)).toBe('10.0.1.0');
    expect(nthMac('06:3d:8a:5e:c4:ff', 1)).toBe('06:3d:8a:5e:c5:00');
    expect(() => nthIpv4('255.255.255.255', 1)).toThrow(RangeError);
    expect(() => nthHexId('i-ffffffffffffffff', 1)).toThrow(/overflows/);
  });
});

describe('deriveInstance', () => {
  it('shares what does not differ by reference', () => {
    const second = deriveInstance(DEFAULT_INSTANCE, 1);
    expect(second.iam).toBe(DEFAULT_INSTANCE.iam);
    expect(second.services).toBe(DEFAULT_INSTANCE.services);
    expect(second.reservationId).toBe(DEFAULT_INSTANCE.reservationId);
    expect(second.amiLaunchIndex).toBe(1);
    const eni = second.networkInterfaces[0];
    expect(eni?.mac).toBe('06:3d:8a:5e:c4:18');
    expect(eni?.publicIpv4s).toHaveLength(DEFAULT_INSTANCE.networkInterfaces[0]?.publicIpv4s.length ?? 0);
    expect(eni?.publicHostname).not.toBe(DEFAULT_INSTANCE.networkInterfaces[0]?.publicHostname);
  });
});

describe('selectTargets', () => {
  const ids = Array.from({ length: 20 }, (_, index) => `i-${String(index).padStart(17, '0')}`);
  it('draws a share rounded up, the same for the same seed, in fleet order', () => {
    const picked = selectTargets(ids, { percent: 10 }, 7);
    expect(picked).toHaveLength(2);
    expect(selectTargets(ids, { percent: 10 }, 7)).toEqual(picked);
    expect([...picked].sort()).toEqual(picked);
    expect(selectTargets(ids, { percent: 1 }, 7)).toHaveLength(1);
    expect(selectTargets(ids, { count: 5 }, 1)).toHaveLength(5);
    expect(selectTargets(ids, 'all', 1)).toEqual(ids);
  });
  it('names what is wrong', () => {
    expect(() => selectTargets(ids, ['i-nope'], 0)).toThrow("no instance 'i-nope'");
    expect(() => selectTargets(ids, { count: 21 }, 0)).toThrow('targets.count');
    expect(() => selectTargets(ids, { percent: 0 }, 0)).toThrow('targets.percent');
  });
});

describe('Fleet routing', () => {
  const spec = () =>
    fleetOf({
      fleet: {
        header: 'X-Imds-Instance',
        instances: [
          { instance: { instanceId: 'i-0aaaaaaaaaaaaaaa1' }, sources: ['10.0.0.0/24'] },
          { instance: { instanceId: 'i-0bbbbbbbbbbbbbbb2' }, sources: ['10.0.0.7'] },
        ],
      },
    });

  it('prefers an exact address to a block, and the header to both', () => {
    const fleet = new Fleet(spec(), { clock: new ManualClock(0), httpTokens: 'optional' });
    const get = (peer: string, headers: Record<string, string> = {}) =>
      body(fleet.handle(makeRequest('GET', '/latest/meta-data/instance-id', headers, peer)));
    expect(get('10.0.0.7')).toBe('i-0bbbbbbbbbbbbbbb2');
    expect(get('::ffff:10.0.0.8')).toBe('i-0aaaaaaaaaaaaaaa1');
    expect(get('10.0.0.7', { 'x-imds-instance': 'i-0aaaaaaaaaaaaaaa1' })).toBe('i-0aaaaaaaaaaaaaaa1');
    expect(fleet.handle(makeRequest('GET', '/latest/meta-data/instance-id', {}, '10.0.1.1'))).toMatchObject({
      status: 403,
    });
  });

  it('creates instances only when used, and anchors their scenarios at the fleet start', () => {
    const clock = new ManualClock(1_000_000);
    const fleet = new Fleet(
      fleetOf({
        scenarios: [{ type: 'rebalance-recommendation', after: '1m' }],
        fleet: { template: { count: 1000, sources: '10.1.0.1', instance: {} } },
        instance: {
          networkInterfaces: [{ subnetIpv4CidrBlock: '172.31.0.0/16', localIpv4s: ['172.31.0.10'] }],
        },
      }),
      { clock, httpTokens: 'optional' },
    );
    expect(fleet.created).toBe(0);
    clock.advance(90_000);
    const notice = fleet.handle(
      makeRequest('GET', '/latest/meta-data/events/recommendations/rebalance', {}, '10.1.0.5'),
    );
    expect(fleet.created).toBe(1);
    expect(notice).toMatchObject({ status: 200 });
  });

  it('refuses two members with one id, and an unmatched instance it does not have', () => {
    const one = fleetOf({ fleet: { template: { count: 1 } } });
    const member = one.members[0] as FleetSpec['members'][number];
    expect(() => new Fleet({ ...one, members: [member, member] })).toThrow(
      expect.objectContaining({ name: 'FleetError', code: 'duplicate-instance' }),
    );
    expect(
      () => new Fleet({ ...one, unmatched: { kind: 'instance', instanceId: 'i-0000000000000000f' } }),
    ).toThrow(/unmatched: no instance i-0000000000000000f/);
  });

  it('reaches a share of the fleet with trigger', () => {
    const fleet = new Fleet(fleetOf({ fleet: { template: { count: 10 } } }), {
      clock: new ManualClock(0),
      seed: 3,
    });
    const reached = fleet.trigger(
      { percent: 30 },
      { type: 'spot-interruption', action: 'terminate', when: { after: 120_000 } },
    );
    expect(reached).toHaveLength(3);
    expect(fleet.created).toBe(3);
  });
});

describe('fleet configuration problems', () => {
  it('name the key and say what to do', () => {
    expect(problemsOf({ fleet: {} })).toEqual([
      'fleet: expected instances (a list), template (with a count), or both',
    ]);
    expect(problemsOf({ fleet: { template: { count: 5000 } } })[0]).toMatch(
      /^fleet\.template\.count: networkInterfaces\[0\]\.localIpv4s: instance \d+ would get 172\.31\.48\.0, outside its subnet 172\.31\.32\.0\/20/,
    );
    expect(problemsOf({ fleet: { instances: [{}, {}] } })).toEqual([
      'fleet: instances 0 and 1 of the fleet both have the id i-0410f3c9b2d5e8a71; give each its own instanceId',
    ]);
    expect(problemsOf({ fleet: { template: { count: 2 }, unmatched: 'i-0000000000000000f' } })).toEqual([
      'fleet.unmatched: no instance i-0000000000000000f in the fleet',
    ]);
    expect(problemsOf({ fleet: { template: { count: 2, sources: 'nope' } } })[0]).toMatch(
      /^fleet\.template\.sources: expected/,
    );
    expect(
      problemsOf({ fleet: { template: { count: 1 }, instances: [{ instance: { region: 'mars' } }] } })[0],
    ).toMatch(/^fleet\.instances\.0\.instance\.region: expected a region/);
  });
});

describe('tree sharing', () => {
  it('shares identical leaves and directories between instances, and keeps what differs apart', () => {
    const clock = new ManualClock(Date.UTC(2024, 2, 1));
    const fleet = new Fleet(fleetOf({ fleet: { template: { count: 2 } } }), {
      clock,
      httpTokens: 'optional',
    });
    const [a, b] = fleet.ids.map((id) => fleet.emulator(id).tree());
    const child = (root: typeof a, ...path: string[]) =>
      path.reduce<unknown>(
        (node, name) => (node as { children: Map<string, unknown> }).children.get(name),
        root,
      );
    expect(child(b, 'meta-data', 'ami-id')).toBe(child(a, 'meta-data', 'ami-id'));
    expect(child(b, 'meta-data', 'services')).toBe(child(a, 'meta-data', 'services'));
    expect(child(b, 'meta-data', 'instance-id')).not.toBe(child(a, 'meta-data', 'instance-id'));
    expect(child(b, 'meta-data')).not.toBe(child(a, 'meta-data'));
    const text = (path: string, peer: string) =>
      body(fleet.handlerFor(peer)(makeRequest('GET', `/latest/meta-data/${path}`)));
    expect(text('instance-id', fleet.ids[1] as string)).toBe('i-0410f3c9b2d5e8a72');
    expect(text('local-ipv4', fleet.ids[1] as string)).toBe('172.31.38.16');
    expect(text('ami-id', fleet.ids[1] as string)).toBe(DEFAULT_INSTANCE.amiId);
  });
});

describe('EC2 Instance Connect in a fleet', () => {
  it('instances share one signer chain, and building trees leaves the signer-ocsp listing unmade', () => {
    const clock = new ManualClock(Date.UTC(2024, 2, 1));
    const fleet = new Fleet(fleetOf({ fleet: { template: { count: 2 } } }), {
      clock,
      httpTokens: 'optional',
    });
    const publicKey =
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8 ops@example';
    for (const id of fleet.ids)
      fleet
        .emulator(id)
        .timeline.add({ type: 'instance-connect-key', user: 'ec2-user', publicKey }, clock.now());
    const staples = vi.spyOn(fleet.instanceConnect, 'staples');
    for (const id of fleet.ids) fleet.emulator(id).tree();
    // Tree sharing compared both trees without listing signer-ocsp/ (that would generate keys).
    expect(staples).not.toHaveBeenCalled();
    expect(fleet.emulator(fleet.ids[1] as string).instanceConnect).toBe(fleet.instanceConnect);
    const text = (path: string, peer: string) =>
      body(fleet.handlerFor(peer)(makeRequest('GET', `/latest/meta-data/managed-ssh-keys/${path}`)));
    const chains = fleet.ids.map((id) => text('signer-cert', id));
    expect(chains[0]).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(chains[1]).toBe(chains[0]);
    expect(text('signer-ocsp/', fleet.ids[0] as string).split('\n')).toHaveLength(2);
    expect(staples).toHaveBeenCalled();
    expect(text('active-keys/ec2-user', fleet.ids[1] as string)).toContain(`#Instance=${fleet.ids[1]}\n`);
  });
});

describe('--print-config with a fleet', () => {
  it('prints every instance, and loads back to the same fleet', () => {
    const config = resolveConfig({ flags: { config: 'examples/fleet-3.yaml' }, env: {} });
    const printed = printConfig(config);
    const again = configFromData(parse(printed));
    if ('problems' in again) throw new Error(JSON.stringify(again.problems));
    expect(again.config.fleet?.members).toEqual(config.fleet?.members);
    expect(again.config.fleet?.header).toBe('x-imds-instance');
  });
});
