import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBodyReader, FixedLengthBody } from '../../src/server/http1/body.js';
import { ChunkedBodyDecoder } from '../../src/server/http1/chunked.js';
import { resolveBodyFraming } from '../../src/server/http1/framing.js';
import { DEFAULT_FRONT_LIMITS } from '../../src/server/http1/limits.js';

function framing(
  headers: Record<string, string[]>,
  version: 'HTTP/1.1' | 'HTTP/1.0' = 'HTTP/1.1',
  max = 1_000,
) {
  return resolveBodyFraming(version, new Map(Object.entries(headers)), max);
}

describe('resolveBodyFraming', () => {
  it.each([
    ['no framing headers', {}, { kind: 'none' }],
    ['Content-Length: 0', { 'content-length': ['0'] }, { kind: 'none' }],
    ['Content-Length: 5', { 'content-length': ['5'] }, { kind: 'length', length: 5 }],
    ['leading zeros', { 'content-length': ['005'] }, { kind: 'length', length: 5 }],
    ['agreeing duplicates', { 'content-length': ['5', '5'] }, { kind: 'length', length: 5 }],
    ['agreeing list', { 'content-length': ['5, 5'] }, { kind: 'length', length: 5 }],
    ['exactly the limit', { 'content-length': ['1000'] }, { kind: 'length', length: 1_000 }],
    ['chunked', { 'transfer-encoding': ['chunked'] }, { kind: 'chunked' }],
    ['Chunked in any case', { 'transfer-encoding': ['ChUnKeD'] }, { kind: 'chunked' }],
    ['chunked with empty list elements', { 'transfer-encoding': [', chunked ,'] }, { kind: 'chunked' }],
  ])('%s', (_name, headers, expected) => {
    expect(framing(headers)).toEqual(expected);
  });

  it.each([
    ['a negative length', { 'content-length': ['-1'] }, 400],
    ['a signed length', { 'content-length': ['+5'] }, 400],
    ['a hex length', { 'content-length': ['0x10'] }, 400],
    ['a fractional length', { 'content-length': ['1.5'] }, 400],
    ['a length with inner space', { 'content-length': ['1 2'] }, 400],
    ['an empty length', { 'content-length': [''] }, 400],
    ['conflicting duplicates', { 'content-length': ['5', '6'] }, 400],
    ['a conflicting list', { 'content-length': ['5, 6'] }, 400],
    ['a length over the limit', { 'content-length': ['1001'] }, 413],
    ['a huge length', { 'content-length': ['9'.repeat(400)] }, 413],
    [
      'both Content-Length and Transfer-Encoding',
      { 'content-length': ['5'], 'transfer-encoding': ['chunked'] },
      400,
    ],
    ['gzip', { 'transfer-encoding': ['gzip'] }, 501],
    ['gzip then chunked', { 'transfer-encoding': ['gzip, chunked'] }, 501],
    ['chunked then identity', { 'transfer-encoding': ['chunked', 'identity'] }, 501],
    ['chunked twice', { 'transfer-encoding': ['chunked, chunked'] }, 400],
    ['chunked with a parameter', { 'transfer-encoding': ['chunked;q=1'] }, 400],
    ['an empty Transfer-Encoding', { 'transfer-encoding': [''] }, 400],
    ['a non-token coding', { 'transfer-encoding': ['chun ked'] }, 400],
  ])('refuses %s', (_name, headers, status) => {
    expect(framing(headers)).toMatchObject({ status });
  });

  it('refuses Transfer-Encoding in an HTTP/1.0 request', () => {
    expect(framing({ 'transfer-encoding': ['chunked'] }, 'HTTP/1.0')).toMatchObject({ status: 400 });
  });
});

/** Feeds `body` to a fresh decoder in the given piece sizes; returns the last progress and the decoder. */
function decode(body: string, pieceSize = body.length || 1, maxBody = 1_000, maxLine = 100) {
  const decoder = new ChunkedBodyDecoder(maxBody, maxLine);
  const bytes = Buffer.from(body, 'latin1');
  let progress: ReturnType<ChunkedBodyDecoder['push']> = 'more';
  let offset = 0;
  for (; offset < bytes.length; offset += pieceSize) {
    const piece = bytes.subarray(offset, offset + pieceSize);
    progress = decoder.push(piece, 0);
    if (progress !== 'more') break;
  }
  return { progress, decoder, endedAt: progress === 'done' ? offset + decoder.endedAt : -1 };
}

describe('ChunkedBodyDecoder', () => {
  const valid: Array<[string, string]> = [
    ['one chunk', '5\r\nhello\r\n0\r\n\r\n'],
    ['two chunks', '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n'],
    ['only the last chunk', '0\r\n\r\n'],
    ['hex sizes in both cases', 'a\r\n0123456789\r\nA\r\n0123456789\r\n0\r\n\r\n'],
    ['leading zeros', '0005\r\nhello\r\n000\r\n\r\n'],
    ['a chunk extension', '5;name=value\r\nhello\r\n0;last\r\n\r\n'],
    ['BWS before an extension', '5 \t;name="quoted value"\r\nhello\r\n0\r\n\r\n'],
    ['trailer fields', '5\r\nhello\r\n0\r\nX-Checksum: abc\r\nX-Other:\r\n\r\n'],
    ['bare LF line endings', '5\nhello\n0\nX-T: 1\n\n'],
    ['data containing CRLF', '4\r\n\r\n\r\n\r\n0\r\n\r\n'],
  ];

  it.each(valid)('decodes %s, whole', (_name, body) => {
    const result = decode(body);
    expect(result.progress).toBe('done');
    expect(result.endedAt).toBe(body.length);
  });

  it.each(valid)('decodes %s, one byte at a time', (_name, body) => {
    const result = decode(body, 1);
    expect(result.progress).toBe('done');
    expect(result.endedAt).toBe(body.length);
  });

  it('decodes the same whatever the split, and reports where the body ended', () => {
    const body = '5\r\nhello\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX: y\r\n\r\n';
    for (let size = 1; size <= body.length; size++) {
      expect(decode(`${body}GET / HTTP/1.1\r\n`, size).endedAt, `pieces of ${size}`).toBe(body.length);
    }
  });

  it('says more until the last chunk and the trailer section are complete', () => {
    for (const partial of [
      '',
      '5',
      '5\r',
      '5\r\nhel',
      '5\r\nhello\r\n',
      '5\r\nhello\r\n0\r\n',
      '5\r\nhello\r\n0\r\nX: y\r\n',
    ]) {
      expect(decode(partial).progress, JSON.stringify(partial)).toBe('more');
    }
  });

  it.each([
    ['no size', '\r\nhello\r\n0\r\n\r\n'],
    ['a non-hex size', 'g\r\nhello\r\n0\r\n\r\n'],
    ['a signed size', '-5\r\nhello\r\n0\r\n\r\n'],
    ['a 0x prefix', '0x5\r\nhello\r\n0\r\n\r\n'],
    ['data longer than its size', '3\r\nhello\r\n0\r\n\r\n'],
    ['data without CRLF', '5\r\nhelloX0\r\n\r\n'],
    ['CR without LF after the size', '5\rhello\r\n0\r\n\r\n'],
    ['CR without LF after the data', '5\r\nhello\rX0\r\n\r\n'],
    ['a control byte in an extension', '5;a\x01b\r\nhello\r\n0\r\n\r\n'],
    ['BWS not followed by ;', '5 x\r\nhello\r\n0\r\n\r\n'],
    ['a trailer without a colon', '0\r\nX-Trailer\r\n\r\n'],
    ['a trailer with a space in its name', '0\r\nX Y: 1\r\n\r\n'],
    ['a folded trailer', '0\r\nX: 1\r\n 2\r\n\r\n'],
    ['a control byte in a trailer value', '0\r\nX: \x00\r\n\r\n'],
    ['CR without LF after the last chunk', '0\r\n\rX'],
  ])('refuses %s with 400', (_name, body) => {
    expect(decode(body).progress).toMatchObject({ status: 400 });
    expect(decode(body, 1).progress).toMatchObject({ status: 400 });
  });

  it('refuses data over maxBodyBytes with 413, before reading it', () => {
    expect(decode('3e9\r\n', 1_000, 1_000).progress).toMatchObject({ status: 413 });
    expect(decode('3e8\r\n', 1_000, 1_000).progress).toBe('more');
    expect(decode(`200\r\n${'x'.repeat(512)}\r\n200\r\n`, 1_000, 1_000).progress).toMatchObject({
      status: 413,
    });
    expect(decode('ffffffffffffffffffffffff\r\n').progress).toMatchObject({ status: 413 });
  });

  it('bounds a chunk-size line (400) and a trailer section (431)', () => {
    expect(decode(`${'0'.repeat(200)}5\r\nhello\r\n0\r\n\r\n`, 10, 1_000, 100).progress).toMatchObject({
      status: 400,
    });
    expect(decode(`5;${'x'.repeat(200)}\r\nhello\r\n0\r\n\r\n`, 10, 1_000, 100).progress).toMatchObject({
      status: 400,
    });
    expect(decode(`0\r\n${'X: 1\r\n'.repeat(40)}\r\n`, 10, 1_000, 100).progress).toMatchObject({
      status: 431,
    });
  });

  it('never throws on arbitrary bytes, in arbitrary pieces', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 1, max: 20 }), (array, size) => {
        const result = decode(Buffer.from(array).toString('latin1'), size, 100, 50);
        if (typeof result.progress === 'object') expect([400, 413, 431]).toContain(result.progress.status);
      }),
      { numRuns: 2_000, seed: 42 },
    );
  });
});

describe('FixedLengthBody and createBodyReader', () => {
  it('counts down across pieces and reports where the body ended', () => {
    const body = new FixedLengthBody(5);
    expect(body.push(Buffer.from('HEADabc'), 4)).toBe('more');
    expect(body.push(Buffer.from('deNEXT'), 0)).toBe('done');
    expect(body.endedAt).toBe(2);
  });

  it('makes no reader for a bodiless request, a counter for a length, a decoder for chunked', () => {
    expect(createBodyReader({ kind: 'none' }, DEFAULT_FRONT_LIMITS)).toBeUndefined();
    expect(createBodyReader({ kind: 'length', length: 3 }, DEFAULT_FRONT_LIMITS)).toBeInstanceOf(
      FixedLengthBody,
    );
    expect(createBodyReader({ kind: 'chunked' }, DEFAULT_FRONT_LIMITS)).toBeInstanceOf(ChunkedBodyDecoder);
  });
});
