/**
 * Every response the emulator sends, with the real service's header sets and orders. The service
 * answers from two layers that write headers differently, and clients and people comparing
 * captures see the difference, so both are kept:
 *
 * - metadata reads (200 on meta-data/dynamic): `[TTL]`, `Content-Type`, `Accept-Ranges: none`,
 *   `Last-Modified`, `Content-Length`, `Date`, `Server`, `Connection`;
 * - user data: an `HTTP/1.0` status line, `Accept-Ranges: bytes`, `Content-Length`, `Content-Type`,
 *   `Date`, `Last-Modified`, `[TTL]`, `Connection`, `Server`;
 * - the token layer (token 200, 401, 405): `[TTL | Allow]`, `Content-Length`, `Date`, `Server`,
 *   `Connection`, `Content-Type: text/plain`, with an empty body on errors;
 * - not-found and other refusals (400, 403, 404): the XHTML page, `Content-Type: text/html`.
 *
 * See docs/decisions/0002-wire-details.md for the captures each shape comes from.
 */
import type { ImdsResponse } from './exchange.js';
import { reasonPhrase } from './http1/reason-phrases.js';
import { TOKEN_TTL_HEADER_WIRE } from '../wire.js';
import { TEXT_PLAIN } from '../metadata/tree.js';

type Header = readonly [string, string];
const EMPTY = new Uint8Array(0);
const SERVER: Header = ['Server', 'EC2ws'];
const CLOSE: Header = ['Connection', 'close'];
const TEXT_PLAIN_TYPE: Header = ['Content-Type', TEXT_PLAIN];
const latin1 = (text: string) => Buffer.from(text, 'latin1');

/**
 * The service's XHTML error page: the DTD URL line starts with two tabs and a space, and the
 * page ends with a newline (339 bytes for the 404). Its title uses the status line's reason phrase.
 */
export function errorPageBody(status: number): Uint8Array {
  const title = `${status} - ${reasonPhrase(status) || 'Error'}`;
  return latin1(
    '<?xml version="1.0" encoding="iso-8859-1"?>\n' +
      '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"\n' +
      '\t\t "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n' +
      '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">\n' +
      ' <head>\n' +
      `  <title>${title}</title>\n` +
      ' </head>\n' +
      ' <body>\n' +
      `  <h1>${title}</h1>\n` +
      ' </body>\n' +
      '</html>\n',
  );
}

const PAGE_CACHE = new Map<number, Uint8Array>();
function cachedPage(status: number): Uint8Array {
  let page = PAGE_CACHE.get(status);
  if (!page) PAGE_CACHE.set(status, (page = errorPageBody(status)));
  return page;
}

/** What every response builder needs to know besides its own data. */
export interface ResponseContext {
  /** The `Date` value. */
  readonly date: string;
  /** HEAD: every header as for GET, no body bytes. */
  readonly head: boolean;
  /** The remaining seconds of the request's valid token, when it carried one. */
  readonly tokenTtl?: number;
}

const ttlHeader = (context: ResponseContext): Header[] =>
  context.tokenTtl === undefined ? [] : [[TOKEN_TTL_HEADER_WIRE, String(context.tokenTtl)]];

/** 200 for a meta-data or dynamic read (leaf or listing). */
export function metadataResponse(
  body: Uint8Array,
  contentType: string,
  lastModified: string,
  context: ResponseContext,
): ImdsResponse {
  return {
    status: 200,
    headers: [
      ...ttlHeader(context),
      ['Content-Type', contentType],
      ['Accept-Ranges', 'none'],
      ['Last-Modified', lastModified],
      ['Content-Length', String(body.length)],
      ['Date', context.date],
      SERVER,
      CLOSE,
    ],
    body: context.head ? EMPTY : body,
  };
}

/** 200 for `user-data`, which the real service answers from another layer (HTTP/1.0, byte ranges). */
export function userDataResponse(
  body: Uint8Array,
  contentType: string,
  lastModified: string,
  context: ResponseContext,
): ImdsResponse {
  return {
    status: 200,
    httpVersion: '1.0',
    headers: [
      ['Accept-Ranges', 'bytes'],
      ['Content-Length', String(body.length)],
      ['Content-Type', contentType],
      ['Date', context.date],
      ['Last-Modified', lastModified],
      ...ttlHeader(context),
      CLOSE,
      SERVER,
    ],
    body: context.head ? EMPTY : body,
  };
}

/** 200 for the token `PUT`: the token, and its TTL echoed in the header the Go SDK requires. */
export function tokenResponse(token: string, ttlSeconds: number, date: string): ImdsResponse {
  const body = latin1(token);
  return {
    status: 200,
    headers: [
      [TOKEN_TTL_HEADER_WIRE, String(ttlSeconds)],
      ['Content-Length', String(body.length)],
      ['Date', date],
      SERVER,
      CLOSE,
      TEXT_PLAIN_TYPE,
    ],
    body,
  };
}

/** 401: an empty body, as the token layer sends it. */
export function unauthorizedResponse(date: string): ImdsResponse {
  return {
    status: 401,
    headers: [['Content-Length', '0'], ['Date', date], SERVER, CLOSE, TEXT_PLAIN_TYPE],
    body: EMPTY,
  };
}

/** 405 with the real service's reason phrase (`Not Allowed`) and the methods the path takes. */
export function methodNotAllowedResponse(allow: string, date: string): ImdsResponse {
  return {
    status: 405,
    reason: 'Not Allowed',
    headers: [['Allow', allow], ['Content-Length', '0'], ['Date', date], SERVER, CLOSE, TEXT_PLAIN_TYPE],
    body: EMPTY,
  };
}

/** 400, 403, 404, 503 and the socket front's refusals: the XHTML page. */
export function pageResponse(
  status: number,
  context: Pick<ResponseContext, 'date' | 'head'> & { tokenTtl?: number },
): ImdsResponse {
  const body = cachedPage(status);
  return {
    status,
    headers: [
      ...ttlHeader(context),
      ['Content-Type', 'text/html'],
      ['Content-Length', String(body.length)],
      ['Date', context.date],
      SERVER,
      CLOSE,
    ],
    body: context.head ? EMPTY : body,
  };
}
