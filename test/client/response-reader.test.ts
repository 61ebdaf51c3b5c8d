import { describe, expect, it } from 'vitest';
import {
  BodyTooLargeError,
  MalformedResponseError,
  ResponseReader,
} from '../../src/client/response-reader.js';

const bytes = (text: string) => Buffer.from(text, 'latin1');

/** Feeds `wire` one byte at a time (the slowest path), then the close; returns the final state. */
function readDribbled(wire: string, max = 1024) {
  const reader = new ResponseReader(max);
  for (const byte of bytes(wire)) {
    const state = reader.push(Buffer.from([byte]));
    if (state.done) return state;
  }
  return reader.end();
}

describe('ResponseReader', () => {
  it('reads a Content-Length body and ignores bytes after it', () => {
    const state = readDribbled('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\nx-a: 2\r\n\r\nhelloEXTRA');
    expect(state).toMatchObject({
      done: true,
      head: { status: 200, headers: { 'content-length': '5', 'x-a': '1, 2' } },
    });
    expect(state.done && state.body.toString()).toBe('hello');
  });

  it('reads a chunked body with extensions and trailers', () => {
    const state = readDribbled(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: t\r\n\r\n',
    );
    expect(state.done && state.body.toString()).toBe('abcde');
  });

  it('reads a close-delimited body (HTTP/1.0 user data) and skips a 100 Continue', () => {
    const state = readDribbled(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\nServer: EC2ws\r\n\r\n#!/bin/sh\n',
    );
    expect(state).toMatchObject({ done: true, head: { status: 200 } });
    expect(state.done && state.body.toString()).toBe('#!/bin/sh\n');
  });

  it('refuses bodies over the cap, declared or streamed, and endless chunk framing', () => {
    expect(() => new ResponseReader(4).push(bytes('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n'))).toThrow(
      BodyTooLargeError,
    );
    const streamed = new ResponseReader(4);
    expect(() => streamed.push(bytes('HTTP/1.1 200 OK\r\n\r\n12345'))).toThrow(BodyTooLargeError);
    expect(() =>
      new ResponseReader(4).push(bytes('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n')),
    ).toThrow(BodyTooLargeError);
  });

  it.each([
    ['a non-HTTP status line', 'SSH-2.0-OpenSSH\r\n\r\n'],
    ['a header without a colon', 'HTTP/1.1 200 OK\r\nbroken\r\n\r\n'],
    ['a bad Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 1e3\r\n\r\n'],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
  ])('rejects %s without quoting the bytes', (_, wire) => {
    const attempt = () => {
      const reader = new ResponseReader(1024);
      if (!reader.push(bytes(wire)).done) reader.end();
    };
    expect(attempt).toThrow(MalformedResponseError);
    try {
      attempt();
    } catch (error) {
      expect((error as Error).message).not.toContain(wire.slice(0, 8));
    }
  });

  it('fails when the peer closes early, before the head or mid-body', () => {
    const early = new ResponseReader(1024);
    early.push(bytes('HTTP/1.1 200 OK\r\n'));
    expect(() => early.end()).toThrow(/head was complete/);
    const short = new ResponseReader(1024);
    short.push(bytes('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'));
    expect(() => short.end()).toThrow(/response was complete/);
  });

  it('refuses a response head over 64 KiB', () => {
    const reader = new ResponseReader(1024);
    expect(() => reader.push(bytes(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(70_000)}`))).toThrow(/head too large/);
  });
});
