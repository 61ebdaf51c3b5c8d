import { describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  LOGGED_METHOD_LIMIT,
  LOGGED_PEER_LIMIT,
  LOGGED_TEXT_LIMIT,
  RequestLog,
} from '../../src/server/request-log.js';
import { inProcess } from '../helpers/in-process.js';

describe('the request log', () => {
  it('masks a token a client put in the path or the user agent', () => {
    const { emulator, token, call } = inProcess();
    const secret = token();
    call('GET', `/latest/meta-data/${secret}`, {
      'X-aws-ec2-metadata-token': secret,
      'User-Agent': `agent ${secret}`,
    });
    const last = emulator.requests.entries().at(-1)!;
    expect(last.path).toBe('/latest/meta-data/<redacted>');
    expect(last.userAgent).toBe('agent <redacted>');
    expect(JSON.stringify(emulator.requests.entries())).not.toContain(secret);
  });

  it('cuts long paths so a flood of 64 KiB targets cannot grow it', () => {
    const log = new RequestLog(2);
    log.add({
      time: 0,
      method: 'GET',
      path: `/${'a/'.repeat(40_000)}`,
      access: 'none',
      status: 404,
      peer: '127.0.0.1',
    });
    expect(log.entries()[0]!.path.length).toBe(LOGGED_TEXT_LIMIT + 1);
  });

  it('keeps the most recent entries in order once full, and counts all', () => {
    const log = new RequestLog(3);
    for (let index = 0; index < 5; index++)
      log.add({ time: index, method: 'GET', path: `/${index}`, access: 'v1', status: 200, peer: '::1' });
    expect(log.entries().map((entry) => entry.path)).toEqual(['/2', '/3', '/4']);
    expect(log.total).toBe(5);
  });

  it('caps the method and the peer too', () => {
    const log = new RequestLog(1);
    log.add({
      time: 0,
      method: 'X'.repeat(5_000),
      path: '/',
      access: 'none',
      status: 501,
      peer: 'p'.repeat(5_000),
    });
    const [entry] = log.entries();
    expect(entry!.method).toBe(`${'X'.repeat(LOGGED_METHOD_LIMIT)}…`);
    expect(entry!.peer.length).toBe(LOGGED_PEER_LIMIT + 1);
  });

  it('holds at most ~12 MiB at capacity, even when every string is a slice of an 8 KiB head', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const CAPACITY = 10_000;
    const REQUESTS = 12_000;
    gc();
    const before = process.memoryUsage().heapUsed;
    const log = new RequestLog(CAPACITY);
    for (let index = 0; index < REQUESTS; index++) {
      // A distinct flat 8 KiB head per request, as the socket front decodes it; what is logged
      // are slices of it, as the front hands them to the handler.
      const head = `${'M'.repeat(40)} /latest/meta-data/${index}/${'p/'.repeat(240)} HTTP/1.1\r\nUser-Agent: ${'u '.repeat(250)}\r\n${'x'.repeat(7_000)}${index}`;
      const flat = Buffer.from(head, 'latin1').toString('latin1');
      const agentAt = flat.indexOf('User-Agent: ') + 12;
      log.add({
        time: index,
        method: flat.slice(0, 40),
        path: flat.slice(41, flat.indexOf(' HTTP/1.1')),
        access: 'v1',
        status: 200,
        userAgent: flat.slice(agentAt, agentAt + 500),
        peer: '127.0.0.1',
      });
    }
    gc();
    const retained = process.memoryUsage().heapUsed - before;
    console.log(
      `request log at capacity (${CAPACITY} of ${REQUESTS}): ${(retained / 2 ** 20).toFixed(1)} MiB`,
    );
    expect(log.entries()).toHaveLength(CAPACITY);
    expect(log.entries().at(-1)!.path).toMatch(new RegExp(`^/latest/meta-data/${REQUESTS - 1}/(p/)+$`));
    // Measured 11.5 MiB (node 20); the same entries pinning their 8 KiB heads held 79 MiB.
    expect(retained / 2 ** 20).toBeLessThan(16);
    expect(retained / 2 ** 20).toBeGreaterThan(1);
  });
});
