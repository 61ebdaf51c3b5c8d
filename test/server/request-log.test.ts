import { describe, expect, it } from 'vitest';
import { LOGGED_TEXT_LIMIT, RequestLog } from '../../src/server/request-log.js';
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
});
