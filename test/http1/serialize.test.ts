import { describe, expect, it } from 'vitest';
import { reasonPhrase } from '../../src/server/http1/reason-phrases.js';
import { serializeResponse } from '../../src/server/http1/serialize.js';
import { pageResponse } from '../../src/server/responses.js';

describe('serializeResponse', () => {
  it('writes the status line, the headers in the given order and spelling, a blank line and the body', () => {
    const bytes = serializeResponse({
      status: 200,
      headers: [
        ['X-Aws-Ec2-Metadata-Token-Ttl-Seconds', '21600'],
        ['Content-Type', 'text/plain'],
        ['Content-Length', '19'],
        ['connection', 'close'],
      ],
      body: Buffer.from('i-0123456789abcdef0'),
    });
    expect(bytes.toString('latin1')).toBe(
      'HTTP/1.1 200 OK\r\n' +
        'X-Aws-Ec2-Metadata-Token-Ttl-Seconds: 21600\r\n' +
        'Content-Type: text/plain\r\n' +
        'Content-Length: 19\r\n' +
        'connection: close\r\n' +
        '\r\n' +
        'i-0123456789abcdef0',
    );
  });

  it('writes an empty body and no headers when given none', () => {
    expect(serializeResponse({ status: 204, headers: [], body: new Uint8Array(0) }).toString()).toBe(
      'HTTP/1.1 204 No Content\r\n\r\n',
    );
  });

  it('copies the body bytes exactly, whatever they are', () => {
    const body = new Uint8Array(256).map((_, index) => index);
    const bytes = serializeResponse({ status: 200, headers: [['Content-Length', '256']], body });
    expect(bytes.subarray(bytes.length - 256)).toEqual(Buffer.from(body));
  });

  it('writes header characters as latin1 bytes', () => {
    const bytes = serializeResponse({ status: 200, headers: [['X', 'caf\u00e9']], body: new Uint8Array(0) });
    expect([...bytes.subarray(17, 23)]).toEqual([0x58, 0x3a, 0x20, 0x63, 0x61, 0x66]);
    expect(bytes[23]).toBe(0xe9);
  });

  it('ends the status line with a space when the code has no reason phrase', () => {
    expect(serializeResponse({ status: 599, headers: [], body: new Uint8Array(0) }).toString()).toBe(
      'HTTP/1.1 599 \r\n\r\n',
    );
  });

  it.each([99, 1000, 200.5, Number.NaN])('refuses the status %s', (status) => {
    expect(() => serializeResponse({ status, headers: [], body: new Uint8Array(0) })).toThrow(RangeError);
  });
});

describe('reasonPhrase', () => {
  it.each([
    [200, 'OK'],
    [400, 'Bad Request'],
    [401, 'Unauthorized'],
    [403, 'Forbidden'],
    [404, 'Not Found'],
    [405, 'Method Not Allowed'],
    [408, 'Request Timeout'],
    [413, 'Content Too Large'],
    [414, 'URI Too Long'],
    [431, 'Request Header Fields Too Large'],
    [500, 'Internal Server Error'],
    [501, 'Not Implemented'],
    [503, 'Service Unavailable'],
    [505, 'HTTP Version Not Supported'],
    [599, ''],
  ])('%i is %j', (status, phrase) => {
    expect(reasonPhrase(status)).toBe(phrase);
  });
});

describe('error pages and status lines share one reason phrase', () => {
  it.each([400, 403, 404, 408, 413, 414, 431, 500, 501, 502, 503, 504, 505])(
    'the %i page title is the status line phrase',
    (status) => {
      const response = pageResponse(status, { date: 'Thu, 01 Jan 2026 00:00:00 GMT', head: false });
      const wire = serializeResponse(response).toString('latin1');
      const statusLine = wire.slice(0, wire.indexOf('\r\n'));
      const title = /<title>(.*)<\/title>/.exec(wire)?.[1];
      expect(statusLine).toBe(`HTTP/1.1 ${status} ${reasonPhrase(status)}`);
      expect(title).toBe(`${status} - ${reasonPhrase(status)}`);
    },
  );
});
