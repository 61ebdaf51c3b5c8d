/**
 * The hop-limit hint of the client commands: given only when the token request timed out after
 * connecting and a read without a token was then answered; never for an endpoint silent to all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as get } from '../../src/cli/get.js';
import type { RunningEmulator } from '../../src/start/start.js';
import { useNetworkGuard } from '../client/helpers/network-guard.js';
import { emulatorOn, silentPeer } from '../client/helpers/peers.js';
import { endpointEnv, fakeIo } from './helpers/fake-io.js';

useNetworkGuard();

const HINT = "raise the instance's HttpPutResponseHopLimit to 2";
let hopLimited: RunningEmulator;

beforeAll(async () => {
  hopLimited = await emulatorOn({ httpTokens: 'optional', scenarios: [{ type: 'hop-limit' }] });
});
afterAll(() => hopLimited.close());

describe('imds get and the hop-limit hint', () => {
  it('token request lost, read without a token answered: the value, then the hint, once', async () => {
    const io = fakeIo(endpointEnv(hopLimited.url));
    expect(await get(['instance-id', '--timeout', '300ms', '--attempts', '1'], io)).toBe(0);
    expect(io.out()).toBe(`${hopLimited.emulator.instance.instanceId}\n`);
    expect(io.err()).toBe(
      `imds: warning: reading without a session token (IMDSv1): the token request timed out (in a container, ${HINT})\n`,
    );
  });

  it('an endpoint silent to everything: a timeout error and no hop-limit hint', async () => {
    const peer = await silentPeer();
    try {
      const io = fakeIo(endpointEnv(peer.url));
      expect(await get(['instance-id', '--timeout', '200ms', '--attempts', '1'], io)).toBe(3);
      expect(io.err()).toContain('timed out');
      expect(io.err()).not.toContain('HttpPutResponseHopLimit');
      expect(io.err()).not.toContain('warning');
    } finally {
      await peer.close();
    }
  });

  it('a read answered 404 after the lost token request still earns the hint: the service answered', async () => {
    const io = fakeIo(endpointEnv(hopLimited.url));
    const before = hopLimited.emulator.requests.total;
    expect(await get(['/latest/meta-data/nope', '--timeout', '300ms', '--attempts', '1'], io)).toBe(1);
    // The hop-limit fault only drops token responses; a 404 read is still an answer, so the hint holds.
    expect(io.err()).toContain(HINT);
    expect(hopLimited.emulator.requests.total - before).toBe(2);
  });
});
