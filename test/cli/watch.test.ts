import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as watch } from '../../src/cli/watch.js';
import { plainValue, watchEvents, type WatchChange } from '../../src/cli/client-watch.js';
import { ManualClock } from '../../src/clock.js';
import { DEFAULT_INSTANCE } from '../../src/metadata/default-instance.js';
import type { InstanceDescription } from '../../src/metadata/instance.js';
import type { RunningEmulator } from '../../src/start/start.js';
import { useNetworkGuard } from '../client/helpers/network-guard.js';
import { clientFor, closedPort, emulatorOn } from '../client/helpers/peers.js';
import { endpointEnv, fakeIo } from './helpers/fake-io.js';

useNetworkGuard();

const NOW = Date.UTC(2024, 1, 27, 13, 6, 6);
const SPOT = { action: 'terminate', time: Date.UTC(2024, 1, 27, 13, 8, 6) } as const;
const BUSY: InstanceDescription = {
  ...DEFAULT_INSTANCE,
  spotNotice: SPOT,
  rebalanceNoticeTime: Date.UTC(2024, 1, 27, 13, 0, 0),
  targetLifecycleState: 'Terminated',
  maintenanceEvents: [
    {
      eventId: 'instance-event-0d59937288b749b32',
      code: 'instance-stop',
      description: 'The instance is running on degraded hardware',
      state: 'active',
      notBefore: Date.UTC(2024, 2, 1, 9, 0, 0),
      notAfter: Date.UTC(2024, 2, 1, 11, 0, 0),
    },
  ],
};

let quiet: RunningEmulator;
let busy: RunningEmulator;
beforeAll(async () => {
  quiet = await emulatorOn({ clock: new ManualClock(NOW) });
  busy = await emulatorOn({ clock: new ManualClock(NOW), instance: BUSY });
});
afterAll(async () => {
  await quiet.close();
  await busy.close();
});

function lines(text: string): WatchChange[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as WatchChange);
}

describe('imds watch', () => {
  it('--once on a quiet instance prints nothing and exits 0', async () => {
    const io = fakeIo(endpointEnv(quiet.url));
    expect(await watch(['--once'], io)).toBe(0);
    expect(io.out()).toBe('');
    expect(io.err()).toBe('');
  });

  it('--once reports notices already present, one JSON line each', async () => {
    const io = fakeIo(endpointEnv(busy.url));
    expect(await watch(['--once'], io)).toBe(0);
    const changes = lines(io.out());
    expect(changes.map((change) => change.event)).toEqual([
      'spot-interruption',
      'rebalance-recommendation',
      'scheduled-events',
      'target-lifecycle-state',
    ]);
    expect(changes[0]).toMatchObject({
      path: '/latest/meta-data/spot/instance-action',
      previous: null,
      current: { action: 'terminate', time: '2024-02-27T13:08:06.000Z' },
    });
    expect(changes[1]?.current).toEqual({ noticeTime: '2024-02-27T13:00:00.000Z' });
    expect(changes[2]?.current).toEqual([
      expect.objectContaining({
        code: 'instance-stop',
        eventId: 'instance-event-0d59937288b749b32',
        notBefore: '2024-03-01T09:00:00.000Z',
      }),
    ]);
    expect(changes[3]).toMatchObject({
      path: '/latest/meta-data/autoscaling/target-lifecycle-state',
      current: 'Terminated',
    });
    for (const change of changes) expect(Number.isNaN(Date.parse(change.observedAt))).toBe(false);
  });

  it('--exec runs the hook once per change, in order, with the change in its environment', async () => {
    const io = fakeIo(endpointEnv(busy.url));
    const hook =
      'printf "%s|%s|%s\\n" "$IMDS_EVENT" "$IMDS_EVENT_PATH" "$IMDS_EVENT_PREVIOUS"; printf "%s\\n" "$IMDS_EVENT_JSON"';
    expect(await watch(['--once', '--exec', hook], io)).toBe(0);
    const printed = io.out().trimEnd().split('\n');
    const hookOutput = io.err().trimEnd().split('\n');
    expect(hookOutput).toHaveLength(8);
    expect(hookOutput[0]).toBe('spot-interruption|/latest/meta-data/spot/instance-action|null');
    expect(hookOutput[6]).toBe(
      'target-lifecycle-state|/latest/meta-data/autoscaling/target-lifecycle-state|null',
    );
    // IMDS_EVENT_JSON is exactly the line printed on stdout.
    expect([hookOutput[1], hookOutput[3], hookOutput[5], hookOutput[7]]).toEqual(printed);
  });

  it('reports a failing hook on stderr and goes on', async () => {
    const io = fakeIo(endpointEnv(busy.url));
    expect(await watch(['--once', '--exec', 'exit 3'], io)).toBe(0);
    expect(io.err().match(/--exec exited with 3/g)).toHaveLength(4);
  });

  it('a refusal stops the watch with exit 4 (no endless loop)', async () => {
    const off = await emulatorOn({ httpEndpoint: 'disabled' });
    try {
      const io = fakeIo(endpointEnv(off.url));
      expect(await watch(['--interval', '100ms'], io)).toBe(4);
    } finally {
      await off.close();
    }
  });

  it('--count with an unreachable service ends with exit 3', async () => {
    const io = fakeIo(endpointEnv(await closedPort()));
    expect(await watch(['--count', '2', '--interval', '100ms', '--attempts', '1'], io)).toBe(3);
    expect(io.err()).toContain('ECONNREFUSED');
  });

  it.each([
    [['--interval', '10ms'], '--interval must be a duration of at least 100ms'],
    [['--interval', 'often'], '--interval must be a duration'],
    [['--count', '0'], '--count must be an integer >= 1'],
    [['extra'], 'expected 0 argument'],
  ])('usage errors exit 2: %j', async (argv, message) => {
    const io = fakeIo(endpointEnv(quiet.url));
    expect(await watch(argv, io)).toBe(2);
    expect(io.err()).toContain(message);
  });
});

describe('watchEvents', () => {
  it('reports each change between polls, with the previous value', async () => {
    const imds = await emulatorOn({ clock: new ManualClock(NOW) });
    try {
      const changes: WatchChange[] = [];
      const steps = [
        () => imds.emulator.setInstance({ ...DEFAULT_INSTANCE, spotNotice: SPOT }),
        () =>
          imds.emulator.setInstance({
            ...DEFAULT_INSTANCE,
            spotNotice: SPOT,
            targetLifecycleState: 'Terminated',
          }),
        () => imds.emulator.setInstance(DEFAULT_INSTANCE),
      ];
      await watchEvents({
        client: clientFor(imds.url),
        intervalMs: 1,
        count: 4,
        onChange: (change) => changes.push(change),
        onError: () => false,
        wait: async () => steps.shift()?.(),
      });
      expect(changes.map((change) => [change.event, change.previous, change.current])).toEqual([
        ['spot-interruption', null, { action: 'terminate', time: '2024-02-27T13:08:06.000Z' }],
        ['target-lifecycle-state', null, 'Terminated'],
        ['spot-interruption', { action: 'terminate', time: '2024-02-27T13:08:06.000Z' }, null],
        ['target-lifecycle-state', 'Terminated', null],
      ]);
    } finally {
      await imds.close();
    }
  });

  it('keeps polling through transient errors when onError says so', async () => {
    const errors: unknown[] = [];
    await watchEvents({
      client: clientFor(await closedPort(), { attempts: 1 }),
      intervalMs: 1,
      count: 3,
      onChange: () => {
        throw new Error('no change expected');
      },
      onError: (error) => errors.push(error) > 0,
      wait: async () => {},
    });
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('stops when its signal aborts, even in the middle of a wait', async () => {
    const stop = new AbortController();
    let polls = 0;
    const started = performance.now();
    const client = clientFor(quiet.url);
    setTimeout(() => stop.abort(), 150);
    await watchEvents({
      client,
      intervalMs: 60_000,
      signal: stop.signal,
      onChange: () => {},
      onError: () => false,
    });
    polls = client.transport.requests.filter((request) => request.method === 'GET').length;
    expect(polls).toBe(4); // one poll of the four sources, then the abort ended the 60 s wait
    // Far below the 60 s wait it interrupted: a hang guard, not a speed check.
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

describe('plainValue', () => {
  it('makes dates ISO strings and treats an empty event list as nothing', () => {
    expect(plainValue({ noticeTime: new Date(Date.UTC(2020, 10, 5, 8, 22)) })).toEqual({
      noticeTime: '2020-11-05T08:22:00.000Z',
    });
    expect(plainValue([])).toBeNull();
    expect(plainValue(null)).toBeNull();
    expect(plainValue('InService')).toBe('InService');
  });
});
