/**
 * The transport's connect timeout. On loopback a connection is accepted or refused at once, so a
 * SYN that goes unanswered (off EC2, the link-local address) is simulated: `node:http` is replaced
 * by a request whose socket never connects.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';

const sockets: FakeSocket[] = [];

class FakeSocket extends EventEmitter {
  connecting = true;
}

class FakeRequest extends EventEmitter {
  destroyed = false;
  constructor() {
    super();
    const socket = new FakeSocket();
    sockets.push(socket);
    queueMicrotask(() => this.emit('socket', socket));
  }
  end(): void {}
  destroy(): void {
    this.destroyed = true;
  }
}

vi.mock('node:http', () => ({ request: () => new FakeRequest() }));

const { httpTransport } = await import('../../src/client/http-transport.js');
const { TransportFailure } = await import('../../src/client/transport.js');

const REQUEST = {
  method: 'GET',
  url: 'http://127.0.0.1:9/latest/meta-data/',
  headers: {},
  maxBodyBytes: 1024,
} as const;

describe('httpTransport connect timeout', () => {
  it('fails with connect-timeout after connectTimeoutMs when the socket never connects', async () => {
    const started = performance.now();
    const failure = await httpTransport({ ...REQUEST, connectTimeoutMs: 100, timeoutMs: 1_000 }).catch(
      (error: unknown) => error,
    );
    const elapsed = performance.now() - started;
    expect(failure).toBeInstanceOf(TransportFailure);
    expect(failure).toMatchObject({ kind: 'connect-timeout', limit: 100 });
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(500);
  });

  it('a connected socket is no longer under the connect timeout; the total timeout still applies', async () => {
    const pending = httpTransport({ ...REQUEST, connectTimeoutMs: 50, timeoutMs: 200 }).catch(
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    const socket = sockets.at(-1) as FakeSocket;
    socket.connecting = false;
    socket.emit('connect');
    expect(await pending).toMatchObject({ kind: 'response-timeout', limit: 200 });
  });
});
