import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import type { DumpTree, DumpValue } from '../../src/client/dump.js';
import { DEFAULT_INSTANCE } from '../../src/metadata/default-instance.js';
import type { Directory, MetadataNode } from '../../src/metadata/tree.js';
import type { Transport } from '../../src/client/transport.js';
import { httpTransport } from '../../src/client/http-transport.js';
import { useNetworkGuard } from './helpers/network-guard.js';
import { clientFor, emulatorOn, interceptedEmulator, ok, tokenPuts } from './helpers/peers.js';

useNetworkGuard();

const NOW = Date.UTC(2024, 1, 27, 13, 6, 6);
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** The dump the emulator's own tree implies: the oracle, computed without any request. */
function expectedDump(node: Directory): DumpTree {
  const tree: DumpTree = {};
  for (const [name, child] of node.children) tree[name] = expectedValue(child);
  return tree;
}

function expectedValue(node: MetadataNode): DumpValue {
  if (node.kind === 'dir') return expectedDump(node);
  const text = new TextDecoder('utf-8', { fatal: true }).decode(node.body);
  return /^\s*[[{]/.test(text) ? (JSON.parse(text) as DumpValue) : text;
}

describe('dump()', () => {
  it('equals the tree the emulator serves (seed instance), with one token PUT', async () => {
    const imds = await emulatorOn({ clock: new ManualClock(NOW) });
    closers.push(() => imds.close());
    const dump = await clientFor(imds.url).dump();
    expect(dump).toEqual(expectedDump(imds.emulator.tree()));
    expect(Object.keys(dump)).toEqual(['dynamic', 'meta-data']);
    expect((dump['meta-data'] as DumpTree)['instance-id']).toBe('i-0410f3c9b2d5e8a71');
    expect(((dump.dynamic as DumpTree)['instance-identity'] as DumpTree).document).toMatchObject({
      region: 'ap-northeast-1',
    });
    expect(tokenPuts(imds)).toBe(1);
  });

  it('equals the tree of a busy instance: tags, spot, events, lifecycle, text user data', async () => {
    const imds = await emulatorOn({
      clock: new ManualClock(NOW),
      instance: {
        ...DEFAULT_INSTANCE,
        tags: { Name: 'web-1' },
        userData: new TextEncoder().encode('#cloud-config\npackages: [jq]\n'),
        spotNotice: { action: 'stop', time: NOW + 120_000 },
        rebalanceNoticeTime: NOW,
        targetLifecycleState: 'InService',
      },
    });
    closers.push(() => imds.close());
    const dump = await clientFor(imds.url).dump();
    expect(dump).toEqual(expectedDump(imds.emulator.tree()));
    expect(dump['user-data']).toBe('#cloud-config\npackages: [jq]\n');
    expect(((dump['meta-data'] as DumpTree).spot as DumpTree)['instance-action']).toMatchObject({
      action: 'stop',
    });
  });

  it('keys public keys by path segment and walks into them', async () => {
    const imds = await emulatorOn({ clock: new ManualClock(NOW) });
    closers.push(() => imds.close());
    const dump = await clientFor(imds.url).dump();
    const keys = (dump['meta-data'] as DumpTree)['public-keys'] as DumpTree;
    expect(Object.keys(keys)).toEqual(['0']);
    expect((keys['0'] as DumpTree)['openssh-key']).toMatch(/^ssh-ed25519 /);
  });

  it('gives binary user data as base64', async () => {
    const bytes = new Uint8Array([0xff, 0xfe, 0x00, 0x01]);
    const imds = await emulatorOn({
      clock: new ManualClock(NOW),
      instance: { ...DEFAULT_INSTANCE, userData: bytes },
    });
    closers.push(() => imds.close());
    expect((await clientFor(imds.url).dump())['user-data']).toEqual({ base64: '//4AAQ==' });
  });

  it('never has more than `concurrency` requests in flight', async () => {
    const imds = await emulatorOn({ clock: new ManualClock(NOW) });
    closers.push(() => imds.close());
    let active = 0;
    let peak = 0;
    const counting: Transport = async (request) => {
      active++;
      peak = Math.max(peak, active);
      try {
        return await httpTransport(request);
      } finally {
        active--;
      }
    };
    const client = clientFor(imds.url, { transport: counting });
    await client.dump({ concurrency: 3 });
    expect(peak).toBe(3);
    expect(client.transport.requests.length).toBeGreaterThan(40);
  });

  it('refuses a listing entry that would climb out of its directory', async () => {
    const imds = await interceptedEmulator((request) =>
      request.target === '/latest/meta-data/placement/' ? ok('../\nregion') : undefined,
    );
    closers.push(() => imds.close());
    await expect(clientFor(imds.url).dump()).rejects.toMatchObject({
      code: 'MALFORMED_RESPONSE',
      path: '/latest/meta-data/placement/',
    });
  });

  it('stops a peer that invents directories forever', async () => {
    const imds = await interceptedEmulator((request) =>
      request.target.startsWith('/latest/meta-data/deep/') ? ok('deeper/') : undefined,
    );
    closers.push(() => imds.close());
    await imds.emulator.setValue('meta-data/deep/x', 'y');
    await expect(clientFor(imds.url).dump()).rejects.toMatchObject({ code: 'MALFORMED_RESPONSE' });
  });
});
