/**
 * Raw-socket fuzz: thousands of seeded hostile or broken clients against one listener, then a
 * well-formed request that must still be answered correctly. Every case either gets one complete,
 * well-formed response with an expected status, or none; the handler only ever sees requests that
 * obey the grammar; nothing hangs and nothing crashes the process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImdsRequest } from '../../src/server/exchange.js';
import { listen, type RunningListener } from '../../src/server/listen.js';
import { fuzzCaseOf, runFuzzCase, type FuzzCase } from '../helpers/raw-fuzz.js';
import { echoHandler, errorResponse, parseResponse, seededRandom, sleep } from './helpers.js';

const SEED = 0x1eed_2026;
const CASES = 3_000;
const CONCURRENCY = 32;
const ALLOWED_STATUSES = new Set([200, 400, 408, 413, 414, 431, 501, 505]);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const VALID =
  'PUT /latest/api/token HTTP/1.1\r\nHost: 169.254.169.254\r\nX-aws-ec2-metadata-token-ttl-seconds: 21600\r\n\r\n';

function generateCase(random: () => number): FuzzCase {
  const int = (max: number) => Math.floor(random() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const randomBytes = (length: number) => Buffer.from(Array.from({ length }, () => int(256)));
  const interesting = () =>
    pick([
      ' ',
      '\t',
      '\r',
      '\n',
      '\r\n',
      ':',
      '\0',
      '\x7f',
      '\xff',
      'HTTP/1.1',
      'chunked',
      '0\r\n\r\n',
      '\r\n\r\n',
    ]);

  let kind: string;
  let bytes: Buffer;
  switch (int(7)) {
    case 0: {
      kind = 'mutated request';
      const text = [...VALID];
      for (let edits = 1 + int(4); edits > 0; edits--) {
        const at = int(text.length);
        const operation = int(3);
        if (operation === 0) text.splice(at, 1);
        else if (operation === 1) text.splice(at, 0, interesting());
        else text[at] = String.fromCharCode(int(256));
      }
      bytes = Buffer.from(text.join(''), 'latin1');
      break;
    }
    case 1: {
      kind = 'bad chunking';
      const chunks = Array.from({ length: 1 + int(4) }, () =>
        pick([
          '5\r\nhello\r\n',
          'zz\r\n',
          '5\r\nhel',
          '3;x\r\nabc\r\n',
          'ffffffff\r\n',
          '0\r\n',
          '\r\n',
          interesting(),
        ]),
      );
      bytes = Buffer.from(
        `POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n${chunks.join('')}`,
        'latin1',
      );
      break;
    }
    case 2: {
      kind = 'oversized head';
      bytes =
        int(2) === 0
          ? Buffer.from(`GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'v'.repeat(1_000 + int(10_000))}\r\n\r\n`)
          : Buffer.from(`GET / HTTP/1.1\r\nHost: a\r\n${'X-Many: 1\r\n'.repeat(50 + int(200))}\r\n`);
      break;
    }
    case 3:
      kind = 'random bytes';
      bytes = randomBytes(int(2_000));
      break;
    case 4:
      kind = 'early disconnect';
      bytes = Buffer.from(VALID.slice(0, int(VALID.length)));
      break;
    case 5:
      kind = 'bodies';
      bytes = Buffer.from(
        pick([
          `POST / HTTP/1.1\r\nHost: a\r\nContent-Length: ${int(20_000)}\r\n\r\n${'b'.repeat(int(500))}`,
          `POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: ${int(5)}\r\n\r\nabc`,
          `POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ${pick(['gzip', 'chunked, gzip', 'chunked;x', ''])}\r\n\r\n`,
          `POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nok${VALID}`,
        ]),
      );
      break;
    default:
      kind = 'junk after a request';
      bytes = Buffer.concat([Buffer.from(VALID), randomBytes(int(4_000))]);
      break;
  }
  // Split into up to 4 pieces at random points, so the slow path is fuzzed too.
  return fuzzCaseOf(kind, bytes, random);
}

/** Checks what a handler may rely on: the grammar the front enforces. */
function grammarViolation(request: ImdsRequest): string | undefined {
  if (!TOKEN.test(request.method)) return `method ${JSON.stringify(request.method)}`;
  if (request.target.length === 0 || /[\x00-\x20\x7f]/.test(request.target))
    return `target ${JSON.stringify(request.target)}`;
  for (const [name, values] of request.headers) {
    if (!TOKEN.test(name) || name !== name.toLowerCase()) return `name ${JSON.stringify(name)}`;
    for (const value of values) {
      if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value) || /^[ \t]|[ \t]$/.test(value))
        return `value ${JSON.stringify(value)}`;
    }
  }
  return undefined;
}

describe('raw-socket fuzz', () => {
  let listener: RunningListener;
  const seen: ImdsRequest[] = [];

  beforeAll(async () => {
    listener = await listen({
      host: '127.0.0.1',
      port: 0,
      handler: echoHandler(seen),
      errorResponse,
      limits: { maxHeadBytes: 4_096, maxHeaderCount: 50, maxBodyBytes: 8_192, requestTimeoutMs: 500 },
    });
  });
  afterAll(async () => {
    await listener.close();
  });

  it(`survives ${CASES} seeded hostile clients, answering each with one well-formed response or none`, async () => {
    const random = seededRandom(SEED);
    const cases = Array.from({ length: CASES }, () => generateCase(random));
    const problems: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const index = next++;
        const fuzzCase = cases[index] as FuzzCase;
        const outcome = await runFuzzCase(listener.port, fuzzCase, 3_000);
        const where = `case ${index} (${fuzzCase.kind}, ${fuzzCase.finish}, seed ${SEED})`;
        if (outcome.timedOut) problems.push(`${where}: server neither answered nor closed within 3 s`);
        if (outcome.bytes.length === 0) continue;
        try {
          const response = parseResponse(outcome.bytes);
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          if (!/^HTTP\/1\.1 \d{3} [A-Za-z ]*$/.test(response.statusLine))
            problems.push(`${where}: status line ${response.statusLine}`);
          if (!ALLOWED_STATUSES.has(response.status)) problems.push(`${where}: status ${response.status}`);
        } catch (error) {
          problems.push(`${where}: ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    expect(problems.slice(0, 10)).toEqual([]);
    expect(seen.map(grammarViolation).filter(Boolean).slice(0, 10)).toEqual([]);
    // The corpus must reach both sides of the front: accepted requests and each kind of refusal.
    for (const status of [200, 400, 413, 431, 501])
      expect(statuses.get(status) ?? 0, `responses with ${status}`).toBeGreaterThan(0);
  });

  it('answers a well-formed request correctly afterwards', async () => {
    await sleep(50);
    const outcome = await runFuzzCase(
      listener.port,
      { kind: 'valid', pieces: [Buffer.from(VALID)], finish: 'wait' },
      3_000,
    );
    const response = parseResponse(outcome.bytes);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString())).toMatchObject({
      method: 'PUT',
      target: '/latest/api/token',
      headers: [
        ['host', ['169.254.169.254']],
        ['x-aws-ec2-metadata-token-ttl-seconds', ['21600']],
      ],
    });
  });
});
