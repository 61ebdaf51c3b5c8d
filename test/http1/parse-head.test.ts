import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHead, parseRequestLine, type ParsedHead } from '../../src/server/http1/parse-head.js';
import type { Rejection } from '../../src/server/http1/rejection.js';
import {
  countLeadingLineBreaks,
  HEAD_BAD_BYTE,
  HEAD_INCOMPLETE,
  headTerminatorEnd,
  scanHead,
} from '../../src/server/http1/scan-head.js';

/** Scans and parses a whole head the way the connection does. */
function parse(raw: string, maxHeaderCount = 100): ParsedHead | Rejection | 'incomplete' {
  const bytes = Buffer.from(raw, 'latin1');
  const terminator = scanHead(bytes, 0, bytes.length);
  if (terminator === HEAD_INCOMPLETE) return 'incomplete';
  if (terminator === HEAD_BAD_BYTE) return { status: 400, reason: 'bad byte' };
  return parseHead(bytes.toString('latin1', 0, terminator), maxHeaderCount);
}

function parsed(raw: string): ParsedHead {
  const result = parse(raw);
  if (result === 'incomplete' || 'status' in result)
    throw new Error(`expected a head, got ${JSON.stringify(result)}`);
  return result;
}

function statusOf(raw: string, maxHeaderCount = 100): number | 'ok' | 'incomplete' {
  const result = parse(raw, maxHeaderCount);
  if (result === 'incomplete') return result;
  return 'status' in result ? result.status : 'ok';
}

describe('scanHead', () => {
  it.each([
    ['CRLF head', 'GET / HTTP/1.1\r\nHost: a\r\n\r\n', 24],
    ['bare LF head', 'GET / HTTP/1.1\nHost: a\n\n', 22],
    ['mixed endings', 'GET / HTTP/1.1\r\nHost: a\n\r\n', 23],
    ['request line only', 'GET / HTTP/1.0\r\n\r\n', 15],
  ])('finds the blank line of a %s', (_name, raw, lineFeed) => {
    const bytes = Buffer.from(raw, 'latin1');
    expect(scanHead(bytes, 0, bytes.length)).toBe(lineFeed);
    expect(headTerminatorEnd(bytes, lineFeed)).toBe(bytes.length);
  });

  it.each([
    ['no blank line yet', 'GET / HTTP/1.1\r\nHost: a\r\n'],
    ['ends in CR', 'GET / HTTP/1.1\r'],
    ['ends in LF CR', 'GET / HTTP/1.1\r\nHost: a\r\n\r'],
    ['empty', ''],
  ])('reports an incomplete head: %s', (_name, raw) => {
    const bytes = Buffer.from(raw, 'latin1');
    expect(scanHead(bytes, 0, bytes.length)).toBe(HEAD_INCOMPLETE);
  });

  it.each([
    ['NUL', 'GET / HTTP/1.1\r\nHost: a\0\r\n\r\n'],
    ['DEL', 'GET /\x7f HTTP/1.1\r\n\r\n'],
    ['bare CR', 'GET / HTTP/1.1\r\nX: a\rb\r\nHost: a\r\n\r\n'],
    ['CR CR LF', 'GET / HTTP/1.1\r\r\n\r\n'],
    ['LF CR then not LF', 'GET / HTTP/1.1\n\rX\r\n\r\n'],
    ['vertical tab', 'GET / HTTP/1.1\r\nX: \v\r\n\r\n'],
    ['escape', 'GET / HTTP/1.1\r\nX: \x1b[0m\r\n\r\n'],
  ])('refuses a head with %s', (_name, raw) => {
    const bytes = Buffer.from(raw, 'latin1');
    expect(scanHead(bytes, 0, bytes.length)).toBe(HEAD_BAD_BYTE);
  });

  it('allows HTAB and obs-text bytes', () => {
    const bytes = Buffer.from('GET / HTTP/1.1\r\nX:\tcaf\xe9\r\n\r\n', 'latin1');
    expect(scanHead(bytes, 0, bytes.length)).toBeGreaterThan(0);
  });

  it('finds the same terminator when resumed after every possible split', () => {
    const bytes = Buffer.from('GET / HTTP/1.1\r\nHost: a\r\nX: y\r\n\r\nBODY', 'latin1');
    const whole = scanHead(bytes, 0, bytes.length);
    for (let split = 1; split < bytes.length; split++) {
      const first = scanHead(bytes, 0, split);
      const found = first >= 0 ? first : scanHead(bytes, Math.max(0, split - 2), bytes.length);
      expect(found, `split at ${split}`).toBe(whole);
    }
  });

  it('counts leading blank lines', () => {
    expect(countLeadingLineBreaks(Buffer.from('\r\n\r\nGET'), 0)).toBe(4);
    expect(countLeadingLineBreaks(Buffer.from('GET'), 0)).toBe(0);
  });
});

describe('parseHead: valid heads', () => {
  it('parses the request line and lower-cases header names', () => {
    const head = parsed(
      'GET /latest/meta-data/ HTTP/1.1\r\nHost: 169.254.169.254\r\nX-AWS-EC2-Metadata-Token: abc\r\n\r\n',
    );
    expect(head.method).toBe('GET');
    expect(head.target).toBe('/latest/meta-data/');
    expect(head.version).toBe('HTTP/1.1');
    expect([...head.headers]).toEqual([
      ['host', ['169.254.169.254']],
      ['x-aws-ec2-metadata-token', ['abc']],
    ]);
  });

  it.each([
    [
      'bare LF endings',
      'PUT /latest/api/token HTTP/1.1\nHost: a\nX-aws-ec2-metadata-token-ttl-seconds: 21600\n\n',
    ],
    [
      'mixed endings',
      'PUT /latest/api/token HTTP/1.1\r\nHost: a\nX-aws-ec2-metadata-token-ttl-seconds: 21600\r\n\n',
    ],
  ])('tolerates %s', (_name, raw) => {
    const head = parsed(raw);
    expect(head.method).toBe('PUT');
    expect(head.headers.get('x-aws-ec2-metadata-token-ttl-seconds')).toEqual(['21600']);
  });

  it('keeps every value of a repeated header, in order, whatever the case of the name', () => {
    const head = parsed('GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\nx-a: 2\r\nX-a: 3\r\n\r\n');
    expect(head.headers.get('x-a')).toEqual(['1', '2', '3']);
  });

  it.each([
    ['X-A: v', 'v'],
    ['X-A:v', 'v'],
    ['X-A: \t v \t ', 'v'],
    ['X-A:', ''],
    ['X-A:   ', ''],
    ['X-A: a  b\tc', 'a  b\tc'],
    ['X-A: 127.0.0.1:1338', '127.0.0.1:1338'],
    ['X-A: caf\xe9', 'caf\xe9'],
    ['X-A: \xa0v\xa0', '\xa0v\xa0'],
  ])('trims only SP and HTAB around a value: %j', (line, value) => {
    expect(parsed(`GET / HTTP/1.1\r\nHost: a\r\n${line}\r\n\r\n`).headers.get('x-a')).toEqual([value]);
  });

  it.each([
    ['absolute form', 'http://169.254.169.254/latest/meta-data/'],
    ['query', '/latest/meta-data/?a=b&c=%20'],
    ['asterisk', '*'],
    ['double slash', '//latest//meta-data'],
  ])('passes a request target through as sent: %s', (_name, target) => {
    expect(parsed(`GET ${target} HTTP/1.1\r\nHost: a\r\n\r\n`).target).toBe(target);
  });

  it.each(['GET', 'PUT', 'HEAD', 'POST', 'DELETE', 'PATCH', 'M-SEARCH', 'get', "X!#$%&'*+.^_`|~1"])(
    'accepts the method token %s as sent',
    (method) => {
      expect(parsed(`${method} / HTTP/1.1\r\nHost: a\r\n\r\n`).method).toBe(method);
    },
  );

  it('accepts HTTP/1.0 without a Host header', () => {
    const head = parsed('GET / HTTP/1.0\r\n\r\n');
    expect(head.version).toBe('HTTP/1.0');
    expect(head.headers.size).toBe(0);
  });

  it('passes bytes above 0x7F in the target through as latin1 characters', () => {
    expect(parsed('GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n').target).toBe('/caf\xc3\xa9');
  });

  it('accepts exactly maxHeaderCount fields', () => {
    expect(statusOf('GET / HTTP/1.1\r\nHost: a\r\nB: 1\r\nC: 2\r\n\r\n', 3)).toBe('ok');
  });
});

describe('parseHead: malformed heads', () => {
  it.each([
    ['two spaces after the method', 'GET  / HTTP/1.1', 400],
    ['two spaces before the version', 'GET /  HTTP/1.1', 400],
    ['two parts', 'GET /HTTP/1.1', 400],
    ['four parts', 'GET / HTTP/1.1 x', 400],
    ['trailing space', 'GET / HTTP/1.1 ', 400],
    ['leading space', ' GET / HTTP/1.1', 400],
    ['one word', 'GET', 400],
    ['method with a separator', 'G(T / HTTP/1.1', 400],
    ['method with a slash', 'GE/T / HTTP/1.1', 400],
    ['method with obs-text', 'G\xc9T / HTTP/1.1', 400],
    ['tab in target', 'GET /a\tb HTTP/1.1', 400],
    ['tab as separator', 'GET\t/ HTTP/1.1', 400],
    ['lower-case version', 'GET / http/1.1', 400],
    ['version without minor', 'GET / HTTP/1', 400],
    ['two-digit minor', 'GET / HTTP/1.10', 400],
    ['garbage version', 'GET / HTTX/1.1', 400],
    ['HTTP/2.0', 'GET / HTTP/2.0', 505],
    ['HTTP/1.2', 'GET / HTTP/1.2', 505],
    ['HTTP/0.9', 'GET / HTTP/0.9', 505],
    ['HTTP/3.0', 'GET / HTTP/3.0', 505],
  ])('request line with %s', (_name, line, status) => {
    expect(statusOf(`${line}\r\nHost: a\r\n\r\n`)).toBe(status);
  });

  it.each([
    ['space before the colon', 'Host : a'],
    ['tab before the colon', 'X-A\t: a'],
    ['no colon', 'Host a'],
    ['empty name', ': a'],
    ['separator in the name', 'X(A): a'],
    ['obs-text in the name', 'X\xe9: a'],
    ['folded line (SP)', 'X-A: a\r\n  b'],
    ['folded line (HTAB)', 'X-A: a\r\n\tb'],
    ['NUL in a value', 'X-A: a\0b'],
    ['bare CR in a value', 'X-A: a\rb'],
    ['DEL in a value', 'X-A: a\x7fb'],
    ['control byte in a name', 'X\x01A: b'],
  ])('header field with %s is a 400', (_name, line) => {
    expect(statusOf(`GET / HTTP/1.1\r\nHost: a\r\n${line}\r\n\r\n`)).toBe(400);
  });

  it.each([
    ['HTTP/1.1 without Host', 'GET / HTTP/1.1\r\nX: y\r\n\r\n'],
    ['two Host headers', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'],
    ['two Host headers in HTTP/1.0', 'GET / HTTP/1.0\r\nHost: a\r\nhost: a\r\n\r\n'],
  ])('%s is a 400', (_name, raw) => {
    expect(statusOf(raw)).toBe(400);
  });

  it('more header fields than maxHeaderCount is a 431', () => {
    expect(statusOf('GET / HTTP/1.1\r\nHost: a\r\nB: 1\r\nC: 2\r\nD: 3\r\n\r\n', 3)).toBe(431);
  });

  it('names the broken rule in the rejection', () => {
    expect(parse('GET / HTTP/2.0\r\nHost: a\r\n\r\n')).toEqual({
      status: 505,
      reason: 'HTTP version not supported',
    });
  });
});

describe('parseRequestLine (the early check)', () => {
  it.each([
    ['GET / HTTP/1.1', 'ok'],
    ['GET /a\rb HTTP/1.1', 400],
    ['GET /a\0b HTTP/1.1', 400],
    ['GET / HTTP/9.9', 505],
    ['FOO', 400],
  ])('%j', (line, expected) => {
    const result = parseRequestLine(line);
    expect('status' in result ? result.status : 'ok').toBe(expected);
  });
});

describe('parseHead: properties', () => {
  it('never throws, and answers a head or a 400/431/505, for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (array) => {
        const raw = Buffer.from(array).toString('latin1');
        const result = parse(`${raw}\r\n\r\n`, 10);
        if (result === 'incomplete') return;
        if ('status' in result) expect([400, 431, 505]).toContain(result.status);
        else expect(result.method.length).toBeGreaterThan(0);
      }),
      { numRuns: 2_000, seed: 20_261_124 },
    );
  });

  it('round-trips any well-formed head', () => {
    const token = fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}$/);
    const value = fc.stringMatching(/^[!-~]([ -~]{0,20}[!-~])?$/);
    const fieldName = token.filter((name) => name.toLowerCase() !== 'host');
    fc.assert(
      fc.property(
        token,
        fc.stringMatching(/^\/[!-~]{0,30}$/),
        fc.array(fc.tuple(fieldName, value), { maxLength: 8 }),
        (method, target, fields) => {
          const lines = [`${method} ${target} HTTP/1.1`, 'Host: h', ...fields.map(([n, v]) => `${n}: ${v}`)];
          const head = parsed(`${lines.join('\r\n')}\r\n\r\n`);
          expect(head.method).toBe(method);
          expect(head.target).toBe(target);
          const expected = new Map<string, string[]>([['host', ['h']]]);
          for (const [name, v] of fields)
            expected.set(name.toLowerCase(), [...(expected.get(name.toLowerCase()) ?? []), v]);
          expect(head.headers).toEqual(expected);
        },
      ),
      { numRuns: 500, seed: 7 },
    );
  });
});
