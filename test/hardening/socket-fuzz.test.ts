/**
 * Raw-socket fuzz of the whole emulator (socket front + handler, default limits but a shorter
 * request timeout). test/http1/fuzz.test.ts fuzzes the front alone with an echo handler; this one
 * aims at what reaches the IMDS handler and at request smuggling: mutated token PUTs and token
 * reads, header floods at and past the limits, bad chunking and lying lengths on the token PUT,
 * pipelined second requests, every early disconnect of a valid request, random bytes.
 *
 * While the fuzz runs, well-formed clients keep asking and must keep getting exact answers: the
 * server has to stay up *and* keep serving, not just survive to the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { DEFAULT_FRONT_LIMITS } from '../../src/server/listen.js';
import { startEmulator, type RunningEmulator } from '../../src/start/start.js';
import { SEED_NOW } from '../helpers/in-process.js';
import { fuzzCaseOf, runFuzzCase, type FuzzCase } from '../helpers/raw-fuzz.js';
import { seededRandom, sleep } from '../http1/helpers.js';
import { sendRequest } from './support/wire-client.js';
import { headerValue, splitResponse } from '../helpers/http1-response.js';

const SEED = 0x1eed_0006;
const CASES = 3_000;
const CONCURRENCY = 32;
const REQUEST_TIMEOUT_MS = 1_000;
/** What the emulator may answer a hostile request with: the spec's statuses and the front's refusals. */
const ALLOWED = new Set([200, 400, 401, 403, 404, 405, 408, 413, 414, 431, 501, 505]);
const INSTANCE_ID = 'i-0410f3c9b2d5e8a71';

const TOKEN_PUT =
  'PUT /latest/api/token HTTP/1.1\r\nHost: 169.254.169.254\r\nX-aws-ec2-metadata-token-ttl-seconds: 21600\r\n\r\n';
const TOKEN_GET = (token: string) =>
  `GET /latest/meta-data/iam/security-credentials/ HTTP/1.1\r\nHost: 169.254.169.254\r\nX-aws-ec2-metadata-token: ${token}\r\n\r\n`;
const V1_GET =
  'GET /latest/meta-data/instance-id HTTP/1.1\r\nHost: 169.254.169.254\r\nUser-Agent: fuzz\r\n\r\n';

function generateCase(random: () => number, token: string): FuzzCase {
  const int = (max: number) => Math.floor(random() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const valid = () => pick([TOKEN_PUT, TOKEN_GET(token), V1_GET]);
  // The token is not among the insertions: a client that writes its token into the path or the
  // User-Agent puts it in the request log itself (see docs/security.md).
  const interesting = () =>
    pick([
      ' ',
      '\t',
      '\r',
      '\n',
      '\r\n',
      ':',
      '\0',
      '%',
      '%00',
      '%2e%2e/',
      '//',
      '\x7f',
      '\xff',
      'HTTP/1.1',
      'chunked',
      '\r\n\r\n',
    ]);
  const maxHead = DEFAULT_FRONT_LIMITS.maxHeadBytes;
  const maxFields = DEFAULT_FRONT_LIMITS.maxHeaderCount;

  let kind: string;
  let text: string;
  switch (int(8)) {
    case 0: {
      kind = 'mutated IMDS request';
      const chars = [...valid()];
      for (let edits = 1 + int(4); edits > 0; edits--) {
        const at = int(chars.length);
        const operation = int(3);
        if (operation === 0) chars.splice(at, 1);
        else if (operation === 1) chars.splice(at, 0, interesting());
        else chars[at] = String.fromCharCode(int(256));
      }
      text = chars.join('');
      break;
    }
    case 1: {
      kind = 'header flood';
      const filler = pick([
        () => 'X-aws-ec2-metadata-token: x\r\n'.repeat(maxFields - 2 + int(5)),
        () => `X-aws-ec2-metadata-token-ttl-seconds: ${'6'.repeat(maxHead - 120 + int(200))}\r\n`,
        () => `X-Pad: ${'p'.repeat(maxHead - 130 + int(60))}\r\n`,
        () => 'X-aws-ec2-metadata-token-ttl-seconds: 60\r\n'.repeat(2 + int(maxFields)),
        () => `${'A'.repeat(maxHead + int(1_000))}: v\r\n`,
      ])();
      text = `PUT /latest/api/token HTTP/1.1\r\nHost: 169.254.169.254\r\n${filler}\r\n`;
      break;
    }
    case 2: {
      kind = 'token PUT with a body';
      const chunks = Array.from({ length: 1 + int(4) }, () =>
        pick([
          '2\r\n60\r\n',
          'zz\r\n',
          '5\r\nhel',
          'ffffffffffffffff\r\n',
          `3;${'e'.repeat(int(9_000))}\r\nabc\r\n`,
          '0\r\n',
          `0\r\n${'T: v\r\n'.repeat(int(2_000))}\r\n`,
          '\r\n',
          interesting(),
        ]),
      );
      text = pick([
        `${TOKEN_PUT.slice(0, -2)}Transfer-Encoding: chunked\r\n\r\n${chunks.join('')}`,
        `${TOKEN_PUT.slice(0, -2)}Content-Length: ${int(100_000)}\r\n\r\n${'b'.repeat(int(2_000))}`,
        `${TOKEN_PUT.slice(0, -2)}Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
        `${TOKEN_PUT.slice(0, -2)}Expect: 100-continue\r\nContent-Length: ${1 + int(10)}\r\n\r\n`,
        `${TOKEN_PUT.slice(0, -2)}Transfer-Encoding: ${pick(['gzip', 'chunked, chunked', ' chunked', 'chunked\t', 'identity', 'Chunked'])}\r\n\r\n0\r\n\r\n`,
      ]);
      break;
    }
    case 3: {
      kind = 'smuggled second request';
      // The front answers one request per connection: the bytes after it must never be answered.
      const second = pick([TOKEN_PUT, V1_GET, 'GET /latest/meta-data/ HTTP/1.1\r\nHost: x\r\n\r\n']);
      text = pick([
        `${TOKEN_PUT.slice(0, -2)}Content-Length: 0\r\n\r\n${second}`,
        `${V1_GET.slice(0, -2)}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n${second}`,
        `${V1_GET.slice(0, -2)}Content-Length: ${second.length}\r\nContent-Length: 0\r\n\r\n${second}`,
        `${V1_GET}${second}${second}`,
      ]);
      break;
    }
    case 4: {
      kind = 'early disconnect';
      const whole = valid();
      text = whole.slice(0, int(whole.length));
      break;
    }
    case 5:
      kind = 'random bytes';
      text = Buffer.from(Array.from({ length: int(3_000) }, () => int(256))).toString('latin1');
      break;
    case 6: {
      kind = 'hostile target';
      const target = pick([
        `/latest/meta-data/${'%2e%2e/'.repeat(1 + int(200))}`,
        `/${'/'.repeat(int(6_000))}latest/meta-data/`,
        `/latest/meta-data/${'%'.repeat(1 + int(50))}`,
        `/latest/meta-data/%c0%ae%c0%ae/`,
        `http://169.254.169.254/latest/api/token`,
        `/latest/api/token?${'q'.repeat(int(9_000))}`,
        `/latest/meta-data/${'é'.repeat(int(100))}`,
        '*',
      ]);
      text = `${pick(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'])} ${target} HTTP/1.1\r\nHost: x\r\nX-aws-ec2-metadata-token-ttl-seconds: 60\r\n\r\n`;
      break;
    }
    default:
      kind = 'valid, sliced';
      text = valid();
      break;
  }
  const bytes = Buffer.from(text, 'latin1');
  return fuzzCaseOf(kind, bytes, random);
}

/** Problems with what a fuzzed connection got back: more than one response, a bad status, a lying length. */
function responseProblems(bytes: Buffer): string[] {
  if (bytes.length === 0) return [];
  let text = bytes.toString('latin1');
  if (text.startsWith('HTTP/1.1 100 Continue\r\n\r\n'))
    text = text.slice('HTTP/1.1 100 Continue\r\n\r\n'.length);
  const split = splitResponse(Buffer.from(text, 'latin1'));
  if ('problem' in split)
    return [
      split.problem.startsWith('no end of head')
        ? `incomplete head ${JSON.stringify(text.slice(0, 80))}`
        : `bad status line ${JSON.stringify(text.slice(0, 40))}`,
    ];
  if (!/^[A-Za-z -]*$/.test(split.reason)) return [`bad status line ${JSON.stringify(text.slice(0, 40))}`];
  const problems: string[] = [];
  const status = split.status;
  if (!ALLOWED.has(status)) problems.push(`status ${status}`);
  const length = headerValue(split, 'Content-Length');
  const body = split.body.toString('latin1');
  // HEAD answers carry the length of the body they leave out.
  if (length === undefined || (body.length !== Number(length) && body.length !== 0))
    problems.push(`Content-Length ${length} with ${body.length} body bytes`);
  if (/HTTP\/1\.[01] \d{3} /.test(body)) problems.push('a second response on one connection');
  return problems;
}

describe('raw-socket fuzz of the whole emulator', () => {
  let imds: RunningEmulator;
  let token: string;

  beforeAll(async () => {
    imds = await startEmulator({
      httpTokens: 'optional',
      clock: new ManualClock(SEED_NOW),
      limits: { requestTimeoutMs: REQUEST_TIMEOUT_MS },
    });
    const put = await sendRequest(imds.port, {
      method: 'PUT',
      path: '/latest/api/token',
      headers: [['X-aws-ec2-metadata-token-ttl-seconds', '21600']],
    });
    if (put.kind !== 'response') throw new Error(put.detail);
    token = put.body.toString('latin1');
  });
  afterAll(async () => {
    await imds.close();
  });

  it(`keeps serving exact answers while ${CASES} seeded hostile clients hit it`, async () => {
    const random = seededRandom(SEED);
    const cases = Array.from({ length: CASES }, () => generateCase(random, token));
    const problems: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    let fuzzing = true;
    const fuzzer = async () => {
      while (next < cases.length) {
        const index = next++;
        const fuzzCase = cases[index] as FuzzCase;
        const outcome = await runFuzzCase(imds.port, fuzzCase, REQUEST_TIMEOUT_MS * 3 + 1_000);
        const where = `case ${index} (${fuzzCase.kind}, ${fuzzCase.finish}, seed ${SEED})`;
        if (outcome.timedOut) problems.push(`${where}: neither answered nor closed in time`);
        for (const problem of responseProblems(outcome.bytes)) problems.push(`${where}: ${problem}`);
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(
          outcome.bytes.toString('latin1').replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, ''),
        )?.[1];
        if (status) statuses.set(Number(status), (statuses.get(Number(status)) ?? 0) + 1);
      }
    };
    let honest = 0;
    const honestClient = async () => {
      while (fuzzing) {
        const read = await sendRequest(imds.port, {
          method: 'GET',
          path: '/latest/meta-data/instance-id',
          headers: [['X-aws-ec2-metadata-token', token]],
        });
        if (read.kind !== 'response' || read.status !== 200 || read.body.toString() !== INSTANCE_ID) {
          problems.push(
            `honest client: ${read.kind === 'response' ? `${read.status} ${read.body.toString('latin1', 0, 60)}` : read.detail}`,
          );
        }
        honest++;
        await sleep(5);
      }
    };
    const honest1 = honestClient();
    const honest2 = honestClient();
    await Promise.all(Array.from({ length: CONCURRENCY }, fuzzer));
    fuzzing = false;
    await Promise.all([honest1, honest2]);

    expect(problems.slice(0, 10)).toEqual([]);
    expect(honest).toBeGreaterThan(50);
    // The corpus reaches the handler's answers and each of the front's refusals.
    for (const status of [200, 400, 401, 404, 405, 413, 431, 501])
      expect(statuses.get(status) ?? 0, `responses with ${status}`).toBeGreaterThan(0);
  });

  it('answers a burst of well-formed token flows correctly afterwards', async () => {
    const flows = Array.from({ length: 64 }, async () => {
      const put = await sendRequest(imds.port, {
        method: 'PUT',
        path: '/latest/api/token',
        headers: [['X-aws-ec2-metadata-token-ttl-seconds', '60']],
      });
      if (put.kind !== 'response') return put.detail;
      const read = await sendRequest(imds.port, {
        method: 'GET',
        path: '/latest/meta-data/instance-id',
        headers: [['X-aws-ec2-metadata-token', put.body.toString('latin1')]],
      });
      return read.kind === 'response' ? `${put.status} ${read.status} ${read.body.toString()}` : read.detail;
    });
    expect(new Set(await Promise.all(flows))).toEqual(new Set([`200 200 ${INSTANCE_ID}`]));
  });

  it('logged none of the tokens sent in token headers', () => {
    expect(imds.emulator.requests.total).toBeGreaterThan(1_000);
    const leaks = imds.emulator.requests.entries().filter((entry) => JSON.stringify(entry).includes(token));
    expect(leaks.slice(0, 3)).toEqual([]);
  });
});
