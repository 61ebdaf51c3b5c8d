/**
 * One client connection: reads one request head and its body, hands the request to the handler,
 * writes the outcome and closes. Bytes after the first request are read and dropped.
 *
 * What the front does, precisely:
 *
 * **Request head** (RFC 9112 §2-5)
 * - `METHOD SP request-target SP HTTP-version`, then header fields, up to the first blank line.
 *   CRLF and bare LF line endings are both accepted; blank lines before the request line are skipped.
 *   A bare CR anywhere, or any control byte other than HTAB inside a field value, is a 400.
 * - The method must be a token; the target must be non-empty with no whitespace or control bytes
 *   (it is passed on as sent: origin or absolute form). Exactly one SP between the three parts.
 * - `HTTP/1.0` and `HTTP/1.1` are served; any other well-formed version is a 505, a malformed one 400.
 * - Header names must be tokens: a space before the colon or a folded line (obs-fold) is a 400.
 *   Values are trimmed of SP/HTAB; names are lower-cased; repeated headers keep every value in order.
 * - An HTTP/1.1 request needs exactly one `Host` header, and no request may carry two (RFC 9112 §3.2): else 400.
 * - The request's `remoteAddress` is the socket's peer address, read once per request (every
 *   request is logged with it); the connection's four ends are read only when caller attribution
 *   asks for them.
 * - A head longer than `maxHeadBytes` is a 431, or a 414 when the request line alone does not fit;
 *   more than `maxHeaderCount` fields is a 431. A request line that is already complete and malformed
 *   is refused at once, without waiting for the rest of the head.
 *
 * **Body** (RFC 9112 §6-7): read to its end and discarded before the handler runs, so that closing
 * after the response never resets unread bytes away.
 * - `Content-Length`: digits only; repeated values must agree; else 400. Over `maxBodyBytes`: 413.
 * - `Transfer-Encoding: chunked` is decoded (bad chunk syntax: 400; data over `maxBodyBytes`: 413;
 *   trailers over `maxHeadBytes`: 431). Any other transfer coding: 501. Both headers at once, or
 *   Transfer-Encoding in an HTTP/1.0 request: 400.
 * - `Expect: 100-continue` on a request with a body gets an interim `100 Continue`.
 * - Bytes after the first request (pipelined requests) are read and ignored.
 *
 * **Response**: an {@link ImdsResponse} is written as `HTTP/1.1 <status> <reason>`, its headers
 * exactly in the given order, a blank line and its body, in one write. The handler owns every
 * header (Content-Length, Connection: close...). `delayMs > 0` holds the write back that long (the
 * timer is cleared if the connection closes first). `{ noResponse: 'reset' }` resets the connection
 * (TCP RST) without writing; `{ noResponse: 'silence' }` writes nothing and keeps the connection
 * open until the client leaves or `requestTimeoutMs` more have passed. A handler that throws gets
 * its client a 500 built by `errorResponse`, and the listener keeps serving. Requests the front
 * refuses are answered with `errorResponse(status)`.
 *
 * **Closing**: when the client sent exactly one request and nothing after it, the socket is
 * closed as soon as the kernel has taken the whole response: the kernel still delivers it, then a
 * FIN, and the server holds nothing more for that client. When the client sent more (pipelined
 * requests, junk), or for error responses, the front only ends its side (FIN) and reads and drops
 * until the client closes, because closing a socket with unread received bytes makes the kernel
 * answer with a reset that can destroy the response before the client reads it. A request body is
 * always read to its end before the handler runs, for the same reason. A client that half-closes
 * right after its request (`nc -N`) still gets its response.
 *
 * **Time and connections**: the whole request must arrive within `requestTimeoutMs` of the
 * connection opening; otherwise the client gets a 408 (or, if it sent nothing, just a close). A
 * client that closes its side mid-request gets a 400. A lingering client (see Closing) is closed
 * at the latest `requestTimeoutMs` after its connection's deadline. Past `maxConnections`, new
 * connections are closed on accept. Deadlines run on a monotonic clock and are checked by one
 * sweep per listener every tenth of the timeout, so a timeout fires between 1x and 1.1x
 * `requestTimeoutMs`.
 *
 * The socket's listeners are shared functions that find their connection through a symbol on the
 * socket, so accepting a connection allocates one object and no closures. The common request (the
 * whole head in one chunk, no body) costs one byte scan, one latin1 decode, one parse over that
 * string, the handler, one serialization into one buffer and one write.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9112
 */
import type { Socket } from 'node:net';
import type { HandlerOutcome, ImdsResponse, RequestHandler } from '../exchange.js';
import { isNoResponse } from '../exchange.js';
import { createBodyReader } from './body.js';
import type { BodyReader } from './body-reader.js';
import { resolveBodyFraming } from './framing.js';
import type { FrontLimits } from './limits.js';
import { parseHead, parseRequestLine, type ParsedHead } from './parse-head.js';
import { isRejection, reject, type Rejection } from './rejection.js';
import { countLeadingLineBreaks, HEAD_BAD_BYTE, headTerminatorEnd, scanHead } from './scan-head.js';
import { serializeResponse } from './serialize.js';
import { SocketRequest, type LocalEnd } from './socket-request.js';
import { CR, LF } from './syntax.js';

/** What one listener shares with all its connections. */
export interface FrontContext {
  readonly handler: RequestHandler;
  readonly errorResponse: (status: number) => ImdsResponse;
  readonly limits: FrontLimits;
  /** Every open connection, for close() and for the deadline sweep. */
  readonly connections: Set<Http1Connection>;
  /**
   * The local end every accepted connection has, once bound, when the listener's address is not a
   * wildcard: caller attribution then reads no `getsockname` per request.
   */
  localEnd?: LocalEnd;
}

/**
 * `head`/`body`: reading the request. `delayed`: the response waits on a timer. `silent`: the
 * handler chose not to answer. `done`: the response is written and our side is closed; the
 * client's remaining bytes are dropped until it closes too.
 */
type Phase = 'head' | 'body' | 'delayed' | 'silent' | 'done';

const CONNECTION = Symbol('ec2-imds.http1.connection');
type SocketWithConnection = Socket & { [CONNECTION]: Http1Connection };

const BAD_BYTE = Object.freeze(reject(400, 'control byte or bare CR in head'));
/** setTimeout fires at once for longer delays (with a warning); a delay is capped here instead (~24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;
const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');
/** Sent when even the configured error response cannot be built: the front must answer something. */
const LAST_RESORT_500 = Buffer.from(
  'HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
  'latin1',
);

/**
 * Takes over a freshly accepted socket.
 *
 * @example
 * ```ts
 * net.createServer({ allowHalfOpen: true }, (socket) => acceptConnection(context, socket));
 * ```
 */
export function acceptConnection(context: FrontContext, socket: Socket): void {
  const connection = new Http1Connection(context, socket);
  (socket as SocketWithConnection)[CONNECTION] = connection;
  socket.on('data', onSocketData);
  socket.on('end', onSocketEnd);
  socket.on('error', onSocketError);
  socket.on('close', onSocketClose);
  context.connections.add(connection);
}

function onSocketData(this: Socket, chunk: Buffer): void {
  (this as SocketWithConnection)[CONNECTION].onData(chunk);
}
function onSocketEnd(this: Socket): void {
  (this as SocketWithConnection)[CONNECTION].onEnd();
}
function onSocketClose(this: Socket): void {
  (this as SocketWithConnection)[CONNECTION].onClose();
}
/** Resets, timeouts and writes after the peer left all end in 'close'; nothing more to do here. */
function onSocketError(): void {}

/** The state of one connection; see the module comment. */
export class Http1Connection {
  private phase: Phase = 'head';
  /** When the sweep closes this connection, on the {@link monotonicNow} clock; Infinity while a delayed response is pending. */
  deadline: number;
  /** The head received so far, when it spans several chunks; zero-filled so unused bytes never look like a line break. */
  private head: Buffer | null = null;
  private headLength = 0;
  /** Blank lines before the request line, which are skipped but still bounded. */
  private skippedLineBreaks = 0;
  private requestLineChecked = false;
  private request: ParsedHead | null = null;
  private body: BodyReader | undefined = undefined;
  private pending: Buffer | null = null;
  private delayTimer: NodeJS.Timeout | null = null;
  /** Whether the sweep has already extended the deadline once after our response. */
  private graceGiven = false;
  /**
   * Whether to close gently after the response (FIN, then read and drop until the client closes)
   * rather than at once: set when the client sent bytes beyond its request, or for error
   * responses. Closing a socket with unread received bytes makes the kernel send a reset, which
   * can destroy the response before the client reads it.
   */
  private linger = false;

  constructor(
    private readonly context: FrontContext,
    private readonly socket: Socket,
  ) {
    this.deadline = monotonicNow() + context.limits.requestTimeoutMs;
  }

  onData(chunk: Buffer): void {
    if (this.phase === 'head') this.readHead(chunk);
    else if (this.phase === 'body') this.readBody(chunk, 0);
    // Any other phase: the request is complete; later bytes are pipelined requests or junk, dropped.
    else this.linger = true;
  }

  /** The client closed its side: a request cut short gets a 400, a client that gave up on silence is let go. */
  onEnd(): void {
    switch (this.phase) {
      case 'head':
        if (this.headLength === 0 && this.skippedLineBreaks === 0) this.socket.end();
        else this.sendError(400);
        return;
      case 'body':
        this.sendError(400);
        return;
      case 'silent':
        this.socket.destroy();
        return;
      case 'delayed':
      case 'done':
        // The pending response still goes out; then the socket closes on its own.
        return;
    }
  }

  onClose(): void {
    this.context.connections.delete(this);
    if (this.delayTimer !== null) clearTimeout(this.delayTimer);
    this.delayTimer = null;
    this.pending = null;
  }

  /** Called by the listener's sweep once {@link deadline} has passed. */
  onDeadline(now: number): void {
    const socket = this.socket;
    switch (this.phase) {
      case 'head':
      case 'body':
        if (this.headLength === 0 && this.phase === 'head') break;
        // Slowloris or a stalled upload: say so, then close once the 408 has been handed to the kernel.
        this.phase = 'done';
        this.deadline = Number.POSITIVE_INFINITY;
        socket.end(this.buildError(408), () => socket.destroy());
        return;
      case 'done':
        // A client still connected after our response: give it one more period to read and close, so
        // a response finished just before the deadline is not cut off; then close.
        if (!this.graceGiven) {
          this.graceGiven = true;
          this.deadline = now + this.context.limits.requestTimeoutMs;
          return;
        }
        break;
      case 'silent':
      case 'delayed':
        break;
    }
    socket.destroy();
  }

  /** Ends the connection at once, for close() of the listener. */
  destroy(): void {
    this.socket.destroy();
  }

  /**
   * Reads head bytes. The common request arrives whole in its first chunk and is parsed in place;
   * a head dribbling in over several chunks is gathered in a bounded buffer. Either way the same
   * steps follow: scan for the blank line (only the bytes not scanned yet), bound the size, parse.
   */
  private readHead(chunk: Buffer): void {
    const maxHeadBytes = this.context.limits.maxHeadBytes;
    let bytes: Buffer;
    /** Where the head starts in `bytes`, and how many of its bytes came before this chunk. */
    let start = 0;
    let before = 0;
    let end: number;
    if (this.head === null) {
      const first = chunk[0];
      if (first === CR || first === LF) {
        start = countLeadingLineBreaks(chunk, 0);
        this.skippedLineBreaks += start;
        if (this.skippedLineBreaks > maxHeadBytes) return this.sendError(400);
        if (start === chunk.length) return;
      }
      bytes = chunk;
      // Scanning one byte past the limit is enough to know the head does not fit.
      end = Math.min(chunk.length, start + maxHeadBytes + 1);
    } else {
      before = this.headLength;
      bytes = this.appendToHead(chunk, maxHeadBytes);
      end = this.headLength;
    }
    // The terminator, or a CR and its LF, may straddle the previous chunk's last two bytes.
    const terminator = scanHead(bytes, Math.max(start, before - 2), end);
    if (terminator >= 0) {
      const headEnd = headTerminatorEnd(bytes, terminator);
      if (headEnd - start > maxHeadBytes)
        return this.sendError(headTooLargeStatus(bytes, start, maxHeadBytes));
      const text = bytes.toString('latin1', start, terminator);
      this.head = null;
      return this.onHead(text, chunk, headEnd - before);
    }
    if (terminator === HEAD_BAD_BYTE) return this.reject(BAD_BYTE);
    // No blank line within the limit: the head cannot end in time.
    if (bytes === chunk ? chunk.length - start >= maxHeadBytes : end > maxHeadBytes)
      return this.sendError(headTooLargeStatus(bytes, start, maxHeadBytes));
    if (this.head === null) {
      const received = chunk.length - start;
      this.head = Buffer.alloc(Math.min(maxHeadBytes, Math.max(1024, received * 2)));
      this.headLength = chunk.copy(this.head, 0, start);
    }
    this.checkRequestLineEarly(before);
  }

  /** Appends a chunk to the gathered head, growing its buffer up to one byte past the limit. */
  private appendToHead(chunk: Buffer, maxHeadBytes: number): Buffer {
    let head = this.head as Buffer;
    const before = this.headLength;
    const take = Math.min(chunk.length, maxHeadBytes + 1 - before);
    if (before + take > head.length) {
      const grown = Buffer.alloc(Math.min(maxHeadBytes + 1, Math.max(head.length * 2, before + take)));
      head.copy(grown, 0, 0, before);
      head = this.head = grown;
    }
    chunk.copy(head, before, 0, take);
    this.headLength = before + take;
    return head;
  }

  /**
   * Refuses a bad request line as soon as it is complete, instead of waiting out the timeout.
   * `from`: the first byte not searched yet, so a head dribbling in is searched once overall.
   */
  private checkRequestLineEarly(from: number): void {
    if (this.requestLineChecked || this.head === null) return;
    const lineFeed = this.head.indexOf(LF, from);
    if (lineFeed === -1 || lineFeed >= this.headLength) return;
    this.requestLineChecked = true;
    const lineEnd = lineFeed > 0 && this.head[lineFeed - 1] === CR ? lineFeed - 1 : lineFeed;
    const requestLine = parseRequestLine(this.head.toString('latin1', 0, lineEnd));
    if (isRejection(requestLine)) this.reject(requestLine);
  }

  private onHead(text: string, chunk: Buffer, bodyOffset: number): void {
    const limits = this.context.limits;
    const head = parseHead(text, limits.maxHeaderCount);
    if (isRejection(head)) return this.reject(head);
    const framing = resolveBodyFraming(head.version, head.headers, limits.maxBodyBytes);
    if (isRejection(framing)) return this.reject(framing);
    const body = createBodyReader(framing, limits);
    if (body === undefined) {
      if (bodyOffset < chunk.length) this.linger = true;
      return this.dispatch(head);
    }
    this.request = head;
    this.body = body;
    this.phase = 'body';
    if (head.version === 'HTTP/1.1' && head.headers.get('expect')?.[0]?.toLowerCase() === '100-continue') {
      this.socket.write(CONTINUE);
    }
    if (bodyOffset < chunk.length) this.readBody(chunk, bodyOffset);
  }

  private readBody(chunk: Buffer, offset: number): void {
    const body = this.body as BodyReader;
    const progress = body.push(chunk, offset);
    if (progress === 'more') return;
    if (progress === 'done') {
      if (body.endedAt < chunk.length) this.linger = true;
      return this.dispatch(this.request as ParsedHead);
    }
    this.reject(progress);
  }

  private dispatch(head: ParsedHead): void {
    this.request = null;
    this.body = undefined;
    const request = new SocketRequest(
      head.method,
      head.target,
      head.headers,
      this.socket,
      this.context.localEnd,
    );
    let outcome: HandlerOutcome;
    let bytes: Buffer;
    try {
      outcome = this.context.handler(request);
      if (isNoResponse(outcome)) return this.withhold(outcome.noResponse);
      bytes = serializeResponse(outcome);
    } catch {
      // The handler promises not to throw; if it does, this client gets a 500 and the listener lives on.
      return this.sendError(500);
    }
    const delayMs = outcome.delayMs;
    if (delayMs !== undefined && delayMs > 0) {
      this.phase = 'delayed';
      this.deadline = Number.POSITIVE_INFINITY;
      this.pending = bytes;
      this.delayTimer = setTimeout(writeDelayedResponse, Math.min(delayMs, MAX_TIMER_MS), this);
      return;
    }
    this.finish(bytes);
  }

  private withhold(kind: 'reset' | 'silence'): void {
    if (kind === 'reset') {
      this.phase = 'done';
      this.socket.resetAndDestroy();
      return;
    }
    this.phase = 'silent';
    this.deadline = monotonicNow() + this.context.limits.requestTimeoutMs;
  }

  /** Writes the response held back by `delayMs`, unless the client has gone meanwhile. */
  writePending(): void {
    this.delayTimer = null;
    const bytes = this.pending;
    this.pending = null;
    if (bytes !== null && !this.socket.destroyed) this.finish(bytes);
  }

  private reject(rejection: Rejection): void {
    this.sendError(rejection.status);
  }

  private sendError(status: number): void {
    // The client may still be sending (an oversized upload, a pipelined request): close gently.
    this.linger = true;
    this.finish(this.buildError(status));
  }

  private buildError(status: number): Buffer {
    try {
      return serializeResponse(this.context.errorResponse(status));
    } catch {
      return LAST_RESORT_500;
    }
  }

  /**
   * One write with the whole response, then the close. When the client sent exactly one request
   * and the kernel took the whole response, the socket is closed at once: the kernel still
   * delivers the bytes and then a FIN, and the connection costs nothing more (this measured 1.25x
   * the throughput of ending gently). Otherwise our side is ended (FIN) and we read and drop until
   * the client closes or the sweep gives up on it.
   */
  private finish(bytes: Buffer): void {
    this.phase = 'done';
    this.head = null;
    const socket = this.socket;
    if (this.linger) {
      socket.end(bytes);
      return;
    }
    socket.write(bytes);
    if (socket.writableLength === 0) socket.destroy();
    else socket.end();
  }
}

function writeDelayedResponse(connection: Http1Connection): void {
  connection.writePending();
}

/** 414 when not even the request line fits in the head limit, else 431. */
function headTooLargeStatus(bytes: Buffer, start: number, maxHeadBytes: number): number {
  const lineFeed = bytes.indexOf(LF, start);
  return lineFeed === -1 || lineFeed - start >= maxHeadBytes ? 414 : 431;
}

/**
 * The clock of deadlines: monotonic, so a wall-clock step (NTP, a suspended laptop) neither
 * fires every timeout at once nor suspends them.
 */
export function monotonicNow(): number {
  return performance.now();
}
