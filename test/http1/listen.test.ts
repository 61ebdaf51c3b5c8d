import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HandlerOutcome, ImdsRequest } from '../../src/server/exchange.js';
import { listenerUrl } from '../../src/net/listener-url.js';
import {
  listen,
  ListenError,
  specificLocalEnd,
  type ListenOptions,
  type RunningListener,
} from '../../src/server/listen.js';
import {
  echoHandler,
  type Echo,
  localOptions,
  parseResponse,
  rawExchange,
  sleep,
  statusOf,
} from './helpers.js';

const open: RunningListener[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((listener) => listener.close()));
  vi.restoreAllMocks();
});

async function start(overrides: Partial<ListenOptions> = {}): Promise<RunningListener> {
  const listener = await listen(localOptions(overrides));
  open.push(listener);
  return listener;
}

function fixed(outcome: HandlerOutcome): ListenOptions['handler'] {
  return () => outcome;
}

const INSTANCE_ID_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['X-Aws-Ec2-Metadata-Token-Ttl-Seconds', '21600'],
  ['Content-Type', 'text/plain'],
  ['Accept-Ranges', 'none'],
  ['Last-Modified', 'Tue, 24 Nov 2026 17:33:08 GMT'],
  ['Content-Length', '19'],
  ['Date', 'Tue, 24 Nov 2026 17:33:08 GMT'],
  ['Server', 'EC2ws'],
  ['Connection', 'close'],
];
const INSTANCE_ID_HEAD =
  'HTTP/1.1 200 OK\r\n' +
  INSTANCE_ID_HEADERS.map(([name, value]) => `${name}: ${value}\r\n`).join('') +
  '\r\n';

describe('listen: the request the handler sees', () => {
  it('passes method, target, headers (lower-cased, repeated values in order) and the peer address', async () => {
    const seen: ImdsRequest[] = [];
    const { port } = await start({ handler: echoHandler(seen) });
    const result = await rawExchange(
      port,
      'PUT /latest/api/token?x=1 HTTP/1.1\r\nHost: 169.254.169.254\r\nX-aws-ec2-metadata-token-ttl-seconds:  21600 \r\nX-Multi: a\r\nx-multi: b\r\n\r\n',
    );
    const response = parseResponse(result.bytes);
    expect(response.status).toBe(200);
    const echo = JSON.parse(response.body.toString()) as Echo;
    expect(echo).toEqual({
      method: 'PUT',
      target: '/latest/api/token?x=1',
      headers: [
        ['host', ['169.254.169.254']],
        ['x-aws-ec2-metadata-token-ttl-seconds', ['21600']],
        ['x-multi', ['a', 'b']],
      ],
      remoteAddress: '127.0.0.1',
    });
    expect(seen).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(seen[0]))).toMatchObject({ method: 'PUT', remoteAddress: '127.0.0.1' });
  });

  it('parses a head that arrives one byte at a time', async () => {
    const { port } = await start();
    const request = 'GET /latest/meta-data/ HTTP/1.1\r\nHost: a\r\nUser-Agent: t\r\n\r\n';
    const result = await rawExchange(
      port,
      [...request].map((char) => Buffer.from(char, 'latin1')),
      { gapMs: 1 },
    );
    const echo = JSON.parse(parseResponse(result.bytes).body.toString()) as Echo;
    expect(echo.target).toBe('/latest/meta-data/');
    expect(echo.headers).toEqual([
      ['host', ['a']],
      ['user-agent', ['t']],
    ]);
  });

  it('skips blank lines before the request line and accepts bare LF endings', async () => {
    const { port } = await start();
    const result = await rawExchange(port, ['\r\n', '\n', 'GET /x HTTP/1.1\nHost: a\n\n']);
    expect((JSON.parse(parseResponse(result.bytes).body.toString()) as Echo).target).toBe('/x');
  });

  it('reports its URL, host and port', async () => {
    const listener = await start();
    expect(listener.port).toBeGreaterThan(0);
    expect(listener.host).toBe('127.0.0.1');
    expect(listener.url).toBe(`http://127.0.0.1:${listener.port}`);
    const response = await fetch(`${listener.url}/latest/meta-data/instance-id`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as Echo).target).toBe('/latest/meta-data/instance-id');
  });
});

describe('listen: the connection ends caller attribution reads', () => {
  /** The ends the handler is given, and the ones the client socket itself reports, for one exchange. */
  async function endsSeen(host: string, dial: string) {
    let ends: ReturnType<NonNullable<ImdsRequest['connectionEnds']>>;
    const { port } = await start({
      host,
      handler: (request) => {
        ends = request.connectionEnds?.();
        return fixed({ status: 200, headers: [['Content-Length', '0']], body: new Uint8Array() })(request);
      },
    });
    const client = net.connect({ host: dial, port });
    await new Promise((resolve) => client.once('connect', resolve));
    const own = { address: client.localAddress, port: client.localPort };
    client.resume();
    client.end(`GET / HTTP/1.1\r\nHost: ${dial}\r\n\r\n`);
    await new Promise((resolve) => client.once('close', resolve));
    return { ends, own, port };
  }

  it.each([
    { listener: 'bound to one address', host: '127.0.0.1', dial: '127.0.0.1' },
    { listener: 'on the wildcard (read from the socket)', host: '0.0.0.0', dial: '127.0.0.2' },
  ])('on a listener $listener, the local end is the address the client dialled', async ({ host, dial }) => {
    const { ends, own, port } = await endsSeen(host, dial);
    expect(ends).toEqual({
      peerAddress: own.address,
      peerPort: own.port,
      localAddress: dial,
      localPort: port,
    });
  });

  it('specificLocalEnd: the bound address and port, none for the wildcards or a pipe', () => {
    expect(specificLocalEnd({ address: '169.254.169.254', family: 'IPv4', port: 80 })).toEqual({
      address: '169.254.169.254',
      port: 80,
    });
    expect(specificLocalEnd({ address: '::1', family: 'IPv6', port: 1338 })).toEqual({
      address: '::1',
      port: 1338,
    });
    expect(specificLocalEnd({ address: '0.0.0.0', family: 'IPv4', port: 80 })).toBeUndefined();
    expect(specificLocalEnd({ address: '::', family: 'IPv6', port: 80 })).toBeUndefined();
    expect(specificLocalEnd('/tmp/imds.sock')).toBeUndefined();
    expect(specificLocalEnd(null)).toBeUndefined();
  });
});

describe('listen: the bytes written back', () => {
  it('writes the status line, the headers exactly in the given order, and the body, then closes', async () => {
    const body = Buffer.from('i-0123456789abcdef0');
    const { port } = await start({ handler: fixed({ status: 200, headers: INSTANCE_ID_HEADERS, body }) });
    const result = await rawExchange(port, 'GET /latest/meta-data/instance-id HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(result.bytes.toString('latin1')).toBe(`${INSTANCE_ID_HEAD}i-0123456789abcdef0`);
    expect(result.ending).toBe('closed');
  });

  it('passes a HEAD-like response through: Content-Length 19 and no body', async () => {
    const { port } = await start({
      handler: fixed({ status: 200, headers: INSTANCE_ID_HEADERS, body: new Uint8Array(0) }),
    });
    const result = await rawExchange(port, 'HEAD /latest/meta-data/instance-id HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(result.bytes.toString('latin1')).toBe(INSTANCE_ID_HEAD);
    expect(result.ending).toBe('closed');
  });

  it('writes a large body whole', async () => {
    const body = Buffer.alloc(256 * 1024, 0x61);
    const { port } = await start({
      handler: fixed({ status: 200, headers: [['Content-Length', String(body.length)]], body }),
    });
    const result = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    // Buffer.equals: a deep toEqual over 256 KiB takes half a second.
    expect(parseResponse(result.bytes).body.equals(body)).toBe(true);
  });

  it('holds a response back delayMs', async () => {
    const { port } = await start({
      handler: fixed({
        status: 200,
        headers: [['Content-Length', '0']],
        body: new Uint8Array(0),
        delayMs: 150,
      }),
    });
    const result = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(statusOf(result)).toBe(200);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(140);
  });

  it('clears the delay timer when the connection closes first', async () => {
    // Record each cleared timer's delay as it is cleared (clearing resets it on the object).
    const clearedDelays: Array<number | undefined> = [];
    const original = globalThis.clearTimeout;
    vi.spyOn(globalThis, 'clearTimeout').mockImplementation((timer) => {
      clearedDelays.push((timer as { _idleTimeout?: number } | undefined)?._idleTimeout);
      original(timer);
    });
    const { port } = await start({
      handler: fixed({ status: 200, headers: [], body: new Uint8Array(0), delayMs: 5_000 }),
    });
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    await sleep(50);
    socket.resetAndDestroy();
    await sleep(50);
    expect(clearedDelays).toContain(5_000);
  });

  it("resets the connection without a byte for { noResponse: 'reset' }", async () => {
    const { port } = await start({ handler: fixed({ noResponse: 'reset' }) });
    const result = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(result.bytes.length).toBe(0);
    expect(result.ending).toBe('reset');
  });

  it("writes nothing and keeps the connection open for { noResponse: 'silence' }", async () => {
    const { port } = await start({ handler: fixed({ noResponse: 'silence' }) });
    const result = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n', { timeoutMs: 300 });
    expect(result.bytes.length).toBe(0);
    expect(result.ending).toBe('timeout');
  });

  it('closes a silent connection once the request timeout has passed again', async () => {
    const { port } = await start({
      handler: fixed({ noResponse: 'silence' }),
      limits: { requestTimeoutMs: 200 },
    });
    const result = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n', { timeoutMs: 2_000 });
    expect(result.bytes.length).toBe(0);
    expect(result.ending).toBe('closed');
    expect(result.elapsedMs).toBeGreaterThanOrEqual(190);
    expect(result.elapsedMs).toBeLessThan(4_000); // a hang guard; the status is the check
  });

  it('answers 500 when the handler throws, and keeps serving', async () => {
    let calls = 0;
    const { port } = await start({
      handler: (request) => {
        calls++;
        if (request.target === '/boom') throw new Error('handler bug');
        return { status: 200, headers: [['Content-Length', '0']], body: new Uint8Array(0) };
      },
    });
    const failed = await rawExchange(port, 'GET /boom HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(parseResponse(failed.bytes).headers).toContainEqual(['X-Front-Error', '500']);
    expect(statusOf(await rawExchange(port, 'GET /ok HTTP/1.1\r\nHost: a\r\n\r\n'))).toBe(200);
    expect(calls).toBe(2);
  });

  it('still answers 500 when the error response builder throws too', async () => {
    const { port } = await start({
      handler: () => {
        throw new Error('handler bug');
      },
      errorResponse: () => {
        throw new Error('builder bug');
      },
    });
    const result = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(result.bytes.toString()).toBe(
      'HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
  });
});

describe('listen: requests it refuses', () => {
  it.each([
    ['a malformed request line', 'GET  / HTTP/1.1\r\nHost: a\r\n\r\n', 400],
    ['an unsupported version', 'GET / HTTP/2.0\r\nHost: a\r\n\r\n', 505],
    ['a space before a colon', 'GET / HTTP/1.1\r\nHost : a\r\n\r\n', 400],
    ['a NUL byte', 'GET / HTTP/1.1\r\nHost: a\0\r\n\r\n', 400],
    ['no Host', 'GET / HTTP/1.1\r\n\r\n', 400],
    ['a gzip body', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n', 501],
    [
      'conflicting lengths',
      'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
      400,
    ],
    [
      'both CL and TE',
      'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n',
      400,
    ],
    ['a body over the limit', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2000\r\n\r\n', 413],
    ['bad chunking', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 400],
    [
      'chunked data over the limit',
      `POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n${'x'.repeat(1024)}\r\n401\r\n`,
      413,
    ],
    ['a request line over the head limit', `GET /${'a'.repeat(1_100)} HTTP/1.1\r\nHost: a\r\n\r\n`, 414],
    ['a request line without LF over the head limit', `GET /${'a'.repeat(1_100)}`, 414],
    ['headers over the head limit', `GET / HTTP/1.1\r\nHost: a\r\nX: ${'a'.repeat(1_100)}\r\n\r\n`, 431],
    ['headers over the head limit, unfinished', `GET / HTTP/1.1\r\nHost: a\r\nX: ${'a'.repeat(1_100)}`, 431],
    ['too many header fields', `GET / HTTP/1.1\r\nHost: a\r\n${'X: 1\r\n'.repeat(10)}\r\n`, 431],
  ])('%s', async (_name, request, status) => {
    const seen: ImdsRequest[] = [];
    const { port } = await start({
      handler: echoHandler(seen),
      limits: { maxHeadBytes: 1_024, maxHeaderCount: 8, maxBodyBytes: 1_500 },
    });
    const result = await rawExchange(port, request);
    const response = parseResponse(result.bytes);
    expect(response.status).toBe(status);
    expect(response.headers).toEqual([
      ['Content-Length', '0'],
      ['X-Front-Error', String(status)],
      ['Connection', 'close'],
    ]);
    expect(result.ending).toBe('closed');
    expect(seen).toHaveLength(0);
  });

  it('refuses a head of exactly maxHeadBytes + 1 bytes and accepts one of maxHeadBytes', async () => {
    const { port } = await start({ limits: { maxHeadBytes: 100 } });
    const head = (size: number) => {
      const prefix = 'GET / HTTP/1.1\r\nHost: a\r\nX: ';
      return `${prefix}${'v'.repeat(size - prefix.length - 4)}\r\n\r\n`;
    };
    expect(head(100)).toHaveLength(100);
    expect(statusOf(await rawExchange(port, head(100)))).toBe(200);
    expect(statusOf(await rawExchange(port, head(101)))).toBe(431);
    expect(
      statusOf(
        await rawExchange(
          port,
          [...head(101)].map((char) => Buffer.from(char)),
        ),
      ),
    ).toBe(431);
  });

  it('refuses a malformed request line as soon as it is complete, without waiting for the head', async () => {
    const { port } = await start();
    const result = await rawExchange(port, 'NOT A REQUEST LINE\r\n');
    expect(statusOf(result)).toBe(400);
    expect(result.elapsedMs).toBeLessThan(4_000); // a hang guard; the status is the check
    const dribbled = await rawExchange(port, ['GET / ', 'HTTP/9', '.9\r', '\nHost: a'], { gapMs: 20 });
    expect(statusOf(dribbled)).toBe(505);
  });

  it('answers 400 to a client that closes its side in the middle of a head or a body', async () => {
    const { port } = await start();
    expect(statusOf(await rawExchange(port, 'GET / HTTP/1.1\r\nHost: a\r\n', { endAfterWrite: true }))).toBe(
      400,
    );
    const body = 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc';
    expect(statusOf(await rawExchange(port, body, { endAfterWrite: true }))).toBe(400);
  });

  it('closes a connection that sends nothing and then closes its side, without a response', async () => {
    const { port } = await start();
    const result = await rawExchange(port, [], { endAfterWrite: true });
    expect(result.bytes.length).toBe(0);
    expect(result.ending).toBe('closed');
  });
});

describe('listen: bodies and what follows a request', () => {
  it('reads a Content-Length body, even slowly, before calling the handler', async () => {
    const seen: ImdsRequest[] = [];
    const { port } = await start({ handler: echoHandler(seen) });
    const exchange = rawExchange(port, ['PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n\r\nabc', 'def'], {
      gapMs: 150,
    });
    await sleep(75);
    expect(seen).toHaveLength(0);
    expect(statusOf(await exchange)).toBe(200);
    expect(seen).toHaveLength(1);
  });

  it('decodes a chunked body that arrives one byte at a time', async () => {
    const seen: ImdsRequest[] = [];
    const { port } = await start({ handler: echoHandler(seen) });
    const body = '5\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\n';
    const pieces = ['POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n', ...body];
    const result = await rawExchange(port, pieces, { gapMs: 1 });
    expect(statusOf(result)).toBe(200);
    expect(seen).toHaveLength(1);
  });

  it('answers Expect: 100-continue with an interim response before reading the body', async () => {
    const { port } = await start();
    const result = await rawExchange(
      port,
      ['PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n', 'ok'],
      { gapMs: 50 },
    );
    expect(result.bytes.toString('latin1')).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
  });

  it('answers only the first of pipelined requests and closes gently', async () => {
    const seen: ImdsRequest[] = [];
    const { port } = await start({ handler: echoHandler(seen) });
    const request = 'GET /first HTTP/1.1\r\nHost: a\r\n\r\n';
    const result = await rawExchange(port, `${request}${request.replace('first', 'second')}`);
    expect(result.bytes.toString('latin1').match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(result.ending).toBe('closed');
    expect(seen.map((request) => request.target)).toEqual(['/first']);
  });

  it('survives a megabyte of junk after a valid request and answers it', async () => {
    const { port } = await start();
    const junk = Buffer.alloc(1024 * 1024, 0x00);
    const result = await rawExchange(port, [Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n'), junk], {
      endAfterWrite: true,
    });
    expect(statusOf(result)).toBe(200);
  });

  it('still answers, after a delay, a client that closed its side right after its request', async () => {
    const { port } = await start({
      handler: fixed({ status: 204, headers: [], body: new Uint8Array(0), delayMs: 100 }),
    });
    const result = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n', { endAfterWrite: true });
    expect(statusOf(result)).toBe(204);
  });
});

describe('listen: how the connection is closed', () => {
  /** Sends `request`, waits for the response and the server's FIN, then writes once more. */
  function writeAfterResponse(
    port: number,
    request: string,
  ): Promise<{ response: Buffer; writeFailed: boolean }> {
    return new Promise((resolve) => {
      const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
      const received: Buffer[] = [];
      let writeFailed = false;
      socket.on('data', (chunk) => received.push(chunk));
      socket.on('error', () => {
        writeFailed = true;
      });
      socket.on('end', async () => {
        socket.write('more bytes\r\n');
        await sleep(100);
        socket.write('and more\r\n');
        await sleep(100);
        socket.destroy();
        resolve({ response: Buffer.concat(received), writeFailed });
      });
      socket.write(request);
    });
  }

  it('closes at once after answering a lone request: later client bytes are refused by the kernel', async () => {
    const { port } = await start();
    const result = await writeAfterResponse(port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(parseResponse(result.response).status).toBe(200);
    expect(result.writeFailed).toBe(true);
  });

  it('only ends its side after a client that sent more than one request, and drops what follows', async () => {
    const { port } = await start();
    const request = 'GET / HTTP/1.1\r\nHost: a\r\n\r\n';
    const result = await writeAfterResponse(port, `${request}${request}`);
    expect(parseResponse(result.response).status).toBe(200);
    expect(result.writeFailed).toBe(false);
  });

  it('only ends its side after an error response', async () => {
    const { port } = await start();
    const result = await writeAfterResponse(port, 'GET / HTTP/1.1\r\n\r\n');
    expect(parseResponse(result.response).status).toBe(400);
    expect(result.writeFailed).toBe(false);
  });
});

describe('listen: time and connection limits', () => {
  it('answers 408 to a request still incomplete after requestTimeoutMs', async () => {
    const { port } = await start({ limits: { requestTimeoutMs: 200 } });
    const result = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: a\r\n', { timeoutMs: 2_000 });
    expect(statusOf(result)).toBe(408);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(190);
    expect(result.elapsedMs).toBeLessThan(4_000); // a hang guard; the status is the check
  });

  it('counts the timeout from the connection, not from the last byte (slowloris)', async () => {
    const { port } = await start({ limits: { requestTimeoutMs: 300 } });
    const drip = [...'GET / HTTP/1.1\r\nHost: a\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n'];
    const result = await rawExchange(port, drip, { gapMs: 20, timeoutMs: 3_000 });
    expect(statusOf(result)).toBe(408);
    // Before the whole head had dripped in (63 bytes, 20 ms apart), however slow the machine.
    expect(result.elapsedMs).toBeLessThan(63 * 20);
  });

  it('closes an idle connection that never sent a byte, without a response', async () => {
    const { port } = await start({ limits: { requestTimeoutMs: 150 } });
    const result = await rawExchange(port, [], { timeoutMs: 2_000 });
    expect(result.bytes.length).toBe(0);
    expect(result.ending).toBe('closed');
  });

  it('closes connections past maxConnections at once', async () => {
    const { port } = await start({ limits: { maxConnections: 2 } });
    const idle = [net.connect(port, '127.0.0.1'), net.connect(port, '127.0.0.1')];
    await Promise.all(idle.map((socket) => new Promise((resolve) => socket.once('connect', resolve))));
    await sleep(50);
    const refused = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(refused.bytes.length).toBe(0);
    for (const socket of idle) socket.destroy();
    await sleep(50);
    expect(statusOf(await rawExchange(port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n'))).toBe(200);
  });
});

describe('listen: lifecycle', () => {
  it('close() destroys open connections, resolves, is idempotent, and frees the port', async () => {
    const listener = await listen(localOptions({ handler: fixed({ noResponse: 'silence' }) }));
    const pending = rawExchange(listener.port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n', { timeoutMs: 5_000 });
    const idle = rawExchange(listener.port, 'GET / HT', { timeoutMs: 5_000 });
    await sleep(50);
    const first = listener.close();
    expect(listener.close()).toBe(first);
    await first;
    for (const result of await Promise.all([pending, idle])) {
      expect(result.ending).not.toBe('timeout');
      expect(result.bytes.length).toBe(0);
    }
    const reconnect = await rawExchange(listener.port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(reconnect.bytes.length).toBe(0);
  });

  it('runs two listeners in one process independently', async () => {
    const one = await start({ handler: fixed({ status: 201, headers: [], body: new Uint8Array(0) }) });
    const two = await start({
      handler: fixed({ status: 202, headers: [], body: new Uint8Array(0) }),
      limits: { maxHeadBytes: 64 },
    });
    const longHead = `GET / HTTP/1.1\r\nHost: a\r\nX: ${'a'.repeat(100)}\r\n\r\n`;
    expect(statusOf(await rawExchange(one.port, longHead))).toBe(201);
    expect(statusOf(await rawExchange(two.port, longHead))).toBe(431);
    await one.close();
    expect(statusOf(await rawExchange(two.port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n'))).toBe(202);
  });

  it('rejects with a ListenError when the port is in use', async () => {
    const taken = await start();
    const error = await listen(localOptions({ port: taken.port })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ListenError);
    expect(error).toMatchObject({
      name: 'ListenError',
      code: 'EADDRINUSE',
      host: '127.0.0.1',
      port: taken.port,
    });
    expect((error as Error).message).toMatch(/already in use \(127\.0\.0\.1:\d+\)/);
  });

  it('rejects with a ListenError for a port out of range', async () => {
    await expect(listen(localOptions({ port: 70_000 }))).rejects.toMatchObject({
      name: 'ListenError',
      code: 'ERR_SOCKET_BAD_PORT',
    });
  });

  it('rejects bad limits before binding', async () => {
    await expect(listen(localOptions({ limits: { maxConnections: 0 } }))).rejects.toThrow(RangeError);
  });
});

describe('listenerUrl', () => {
  it.each([
    ['127.0.0.1', 1338, 'http://127.0.0.1:1338'],
    ['0.0.0.0', 80, 'http://127.0.0.1:80'],
    ['::1', 8080, 'http://[::1]:8080'],
    ['::', 1338, 'http://[::1]:1338'],
    ['fd00:ec2::254', 80, 'http://[fd00:ec2::254]:80'],
  ])('%s:%i is %s', (address, port, url) => {
    expect(listenerUrl(address, port)).toBe(url);
  });
});
