/**
 * The socket transport's own edges. Everything else (timeouts against silent and dripping peers,
 * the body cap, refused connections) runs through it in the other client tests, since it is the
 * client's default. A connect timeout cannot happen on loopback, so `node:net` is replaced here by
 * a socket that never connects.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';

class NeverConnects extends EventEmitter {
  destroyed = false;
  setNoDelay(): void {}
  write(): boolean {
    return true;
  }
  destroy(): void {
    this.destroyed = true;
  }
}
const sockets: NeverConnects[] = [];
vi.mock('node:net', () => ({ connect: () => sockets[sockets.push(new NeverConnects()) - 1] }));

const { socketTransport, requestHead } = await import('../../src/client/socket-transport.js');
const { TransportFailure } = await import('../../src/client/transport.js');

const REQUEST = {
  method: 'GET',
  url: 'http://127.0.0.1:9/latest/meta-data/',
  headers: {},
  maxBodyBytes: 1024,
} as const;

describe('socketTransport', () => {
  it('fails with connect-timeout after connectTimeoutMs and destroys the socket', async () => {
    const started = performance.now();
    const failure = await socketTransport({ ...REQUEST, connectTimeoutMs: 100, timeoutMs: 1_000 }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(TransportFailure);
    expect(failure).toMatchObject({ kind: 'connect-timeout', limit: 100 });
    expect(performance.now() - started).toBeLessThan(500);
    expect(sockets.at(-1)!.destroyed).toBe(true);
  });

  it('after connecting, only the total timeout applies', async () => {
    const pending = socketTransport({ ...REQUEST, connectTimeoutMs: 50, timeoutMs: 200 }).catch(
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    sockets.at(-1)!.emit('connect');
    expect(await pending).toMatchObject({ kind: 'response-timeout', limit: 200 });
  });

  it('writes a minimal HTTP/1.1 request with Host, an empty PUT body and Connection: close', () => {
    const head = requestHead(new URL('http://[::1]:1338/latest/api/token'), {
      ...REQUEST,
      method: 'PUT',
      headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '21600' },
      connectTimeoutMs: 1,
      timeoutMs: 1,
    });
    expect(head).toBe(
      'PUT /latest/api/token HTTP/1.1\r\nHost: [::1]:1338\r\nx-aws-ec2-metadata-token-ttl-seconds: 21600\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
  });

  it('refuses to send a header value with a line break (a hostile token cannot inject headers), without quoting it', async () => {
    const failure = await socketTransport({
      ...REQUEST,
      headers: { 'x-aws-ec2-metadata-token': 'abc\r\nX-Evil: 1' },
      connectTimeoutMs: 100,
      timeoutMs: 100,
    }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ kind: 'connection', errno: 'EINVALIDHEADER' });
    expect((failure as Error).message).not.toContain('abc');
  });
});
