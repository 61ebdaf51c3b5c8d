import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { ImdsClient } from '../../src/client/client.js';
import { ImdsUnavailableError } from '../../src/client/errors.js';
import {
  assertLoopbackUrl,
  guardedTransport,
  isAllowedHost,
  useNetworkGuard,
} from './helpers/network-guard.js';
import { emulatorOn } from './helpers/peers.js';

// 127.0.0.2 is loopback: harmless if the guard failed, and refused by it here, to prove it works.
const guard = useNetworkGuard({ alsoDeny: ['127.0.0.2'] });

describe('the network guard', () => {
  it('allows loopback only, never the metadata addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost'])
      expect(isAllowedHost(host), host).toBe(true);
    for (const host of [
      '169.254.169.254',
      'fd00:ec2::254',
      '[fd00:ec2::254]',
      '10.0.0.1',
      'example.com',
      '0.0.0.0',
    ]) {
      expect(isAllowedHost(host), host).toBe(false);
    }
    expect(() => assertLoopbackUrl('http://169.254.169.254')).toThrow('network guard');
    expect(() => assertLoopbackUrl('http://[fd00:ec2::254]')).toThrow('network guard');
  });

  it('the guarded transport refuses the default endpoint before any socket exists', async () => {
    const transport = guardedTransport();
    const client = new ImdsClient({ env: {}, attempts: 1, transport });
    expect(client.config.endpoint).toBe('http://169.254.169.254');
    await expect(client.instanceId()).rejects.toBeInstanceOf(ImdsUnavailableError);
    expect(transport.requests).toHaveLength(0);
  });

  it("refuses raw connections and the default transport's connections to a denied host", async () => {
    const socket = net.connect(9, '127.0.0.2');
    const error = await new Promise<Error>((resolve) => socket.on('error', resolve));
    expect(error.message).toContain('network guard');
    const client = new ImdsClient({ env: {}, endpoint: 'http://127.0.0.2:9', attempts: 1 });
    await expect(client.instanceId()).rejects.toBeInstanceOf(ImdsUnavailableError);
    expect(guard.blocked).toEqual(['127.0.0.2', '127.0.0.2']);
    guard.blocked.length = 0; // provoked on purpose; the end-of-file check must stay green
  });

  it('lets loopback through: the client reads an emulator on ::1', async () => {
    const imds = await emulatorOn({ host: '::1' });
    try {
      expect(imds.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
      const client = new ImdsClient({ env: {}, endpoint: imds.url, transport: guardedTransport() });
      expect(await client.instanceId()).toBe('i-0410f3c9b2d5e8a71');
    } finally {
      await imds.close();
    }
  });
});
