/**
 * `imds proxy`: an auditing proxy in front of a metadata service. It listens where clients expect
 * IMDS, forwards each connection's bytes to the upstream unchanged and the upstream's bytes back
 * unchanged (token requests included), and records every request with its calling process. It
 * reads the request head only to log it; what the client gets is what the upstream sent, so a
 * refused token request stays refused, a reset stays a reset, and a response the upstream never
 * sends (a token response lost to the hop limit) is never sent by the proxy either.
 *
 * Enforcement: `dry-run` forwards token-less reads and marks them as what `HttpTokens=required`
 * would refuse; `on` answers them itself with the service's 401, without asking the upstream.
 *
 * The hop limit: a caller redirected to the proxy reaches the service over the proxy's own
 * connection, one hop from the host, so the service's `HttpPutResponseHopLimit` no longer stops
 * a container's token. Given the instance's limit and which callers are containers
 * (`metadataOptions`, the emulator's setting names), the proxy leaves their token `PUT`s
 * unanswered itself, as the service would (see docs/decisions/0019-proxy-hop-limit.md).
 *
 * @see docs/audit.md
 */
import net from 'node:net';
import type { Attributor } from '../audit/attributor.js';
import { metadataOptionFaults } from '../config/metadata-option-faults.js';
import type { MetadataOptions } from '../metadata/instance.js';
import { isLoopbackHost } from '../net/loopback.js';
import { clientMatch } from '../scenarios/faults/client-match.js';
import { bindListener } from '../net/bind.js';
import { bareHost } from '../wire.js';
import { createHttpDateFormatter } from '../server/http-date.js';
import { parseHead } from '../server/http1/parse-head.js';
import { serializeResponse } from '../server/http1/serialize.js';
import { RequestLog, type RequestLogEntry } from '../server/request-log.js';
import { unauthorizedResponse } from '../server/responses.js';
import { classify, settledAccess, type RequestSummary } from './classify.js';

/** What to do with token-less reads. */
export type EnforceMode = 'off' | 'dry-run' | 'on';
export const ENFORCE_MODES: readonly EnforceMode[] = ['off', 'dry-run', 'on'];

/** How to start a proxy. */
export interface ProxyOptions {
  /** `http://host:port` of the metadata service to forward to. */
  readonly upstream: string;
  /** Where to listen; loopback and a free port by default. */
  readonly host?: string;
  readonly port?: number;
  readonly enforce?: EnforceMode;
  /** Allow an upstream that is not loopback (the real service at 169.254.169.254). */
  readonly allowRemoteUpstream?: boolean;
  readonly attribution?: Attributor;
  readonly requestLogCapacity?: number;
  /** Milliseconds a connection may stay open in all (the client, or the upstream, going silent). */
  readonly idleTimeoutMs?: number;
  /**
   * The instance's `HttpPutResponseHopLimit` and the callers that are containers (addresses or
   * CIDR blocks): at a limit of 1 their token `PUT`s are never answered, as on EC2. Absent: every
   * token `PUT` is forwarded.
   */
  readonly metadataOptions?: Pick<MetadataOptions, 'httpPutResponseHopLimit' | 'containerClients'>;
}

/** A running proxy. */
export interface RunningProxy {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly upstream: URL;
  readonly enforce: EnforceMode;
  /** The callers whose token `PUT`s go unanswered and the hop limit that does it; absent: none. */
  readonly hopLimited?: { readonly limit: number; readonly clients: readonly string[] };
  /** Every request seen, with its caller once known (as the emulator's log). */
  readonly requests: RequestLog;
  /** Calls `listener` with each request once its caller and status are known. */
  onRequest(listener: (entry: RequestLogEntry) => void): () => void;
  close(): Promise<void>;
}

/** The upstream was refused before anything started. */
export class ProxyUpstreamError extends Error {
  override readonly name = 'ProxyUpstreamError';
  constructor(
    readonly upstream: string,
    reason: string,
  ) {
    super(`--upstream ${upstream}: ${reason}`);
  }
}

const MAX_HEAD_BYTES = 16 * 1024;
const MAX_HEADER_COUNT = 100;
const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

/** Checks the upstream URL: `http:`, a host and port, loopback unless allowed. */
export function checkUpstream(upstream: string, allowRemote: boolean): URL {
  let url: URL;
  try {
    url = new URL(upstream);
  } catch {
    throw new ProxyUpstreamError(upstream, 'not a URL (expected http://host:port)');
  }
  if (url.protocol !== 'http:')
    throw new ProxyUpstreamError(upstream, 'only http: upstreams (IMDS is plain HTTP)');
  if (url.pathname !== '/' || url.search !== '')
    throw new ProxyUpstreamError(upstream, 'give only scheme, host and port');
  if (!allowRemote && !isLoopbackHost(url.hostname))
    throw new ProxyUpstreamError(
      upstream,
      'not a loopback address; pass --allow-remote-upstream to forward to a real metadata service (see docs/audit.md)',
    );
  return url;
}

/**
 * Starts a proxy.
 * @throws {ProxyUpstreamError} for an upstream that is not `http://host[:port]`, or not loopback without `allowRemoteUpstream`.
 * @example
 * ```ts
 * const proxy = await startProxy({ upstream: imds.url, enforce: 'dry-run' });
 * await fetch(`${proxy.url}/latest/meta-data/`);
 * proxy.requests.entries(); // [{ access: 'v1', enforced: 'dry-run', ... }]
 * ```
 */
export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const upstream = checkUpstream(options.upstream, options.allowRemoteUpstream === true);
  const upstreamHost = bareHost(upstream.hostname);
  const upstreamPort = Number(upstream.port || 80);
  const enforce = options.enforce ?? 'off';
  if (!ENFORCE_MODES.includes(enforce))
    throw new RangeError(`enforce: expected off, dry-run or on, got ${enforce}`);
  const log = new RequestLog(options.requestLogCapacity);
  const listeners = new Set<(entry: RequestLogEntry) => void>();
  const httpDate = createHttpDateFormatter();
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const sockets = new Set<net.Socket>();
  // The emulator's own rule for who is beyond the hop limit (one place: metadata-option-faults.ts).
  const hopLimitFault = metadataOptionFaults(options.metadataOptions).find(
    (fault) => fault.type === 'hop-limit',
  );
  const beyondHopLimit = hopLimitFault ? clientMatch(hopLimitFault.clients) : () => false;

  const settle = (entry: RequestLogEntry) => {
    for (const listener of listeners) {
      try {
        listener(entry);
      } catch {
        // one failing listener must not cost the others
      }
    }
  };

  // No Nagle delay on either side: a response written in two parts must not wait for an ACK.
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.setTimeout(idleTimeoutMs, () => client.destroy());
    client.on('error', () => client.destroy());
    let buffered: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      // Usually the whole head comes in the first chunk: no copy then.
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      const headEnd = findHeadEnd(buffered);
      if (headEnd === undefined && buffered.length < MAX_HEAD_BYTES) return;
      client.off('data', onData);
      client.pause();
      const summary = headEnd === undefined ? undefined : summarize(buffered.subarray(0, headEnd));
      handle(client, buffered, summary);
    };
    client.on('data', onData);
  });

  /** Logs the request, then refuses or forwards it; its caller is looked up while the client surely waits. */
  const handle = (client: net.Socket, head: Buffer, summary: RequestSummary | undefined) => {
    const entry = log.add({
      time: Date.now(),
      method: summary?.method ?? '?',
      path: summary?.target ?? '?',
      access: summary?.access ?? 'none',
      status: 'silence',
      ...(summary?.userAgent === undefined ? {} : { userAgent: summary.userAgent }),
      peer: client.remoteAddress ?? '',
    });
    let pendingLookup = false;
    let answered = false;
    let lookedUp = false;
    const finish = () => {
      if (answered && !pendingLookup) settle(entry);
    };
    // Runs once, while the caller surely still waits for its answer: for a forwarded request just
    // after its head went upstream, so the lookup overlaps the upstream's work rather than adding to it.
    const lookUp = () => {
      if (lookedUp) return;
      lookedUp = true;
      if (
        !options.attribution ||
        !client.remoteAddress ||
        !client.remotePort ||
        !client.localAddress ||
        !client.localPort
      ) {
        delete entry.caller; // nothing to look up (the socket is gone already)
        return;
      }
      pendingLookup = true;
      entry.caller = { status: 'pending' };
      options.attribution.attribute(
        {
          peerAddress: client.remoteAddress,
          peerPort: client.remotePort,
          localAddress: client.localAddress,
          localPort: client.localPort,
        },
        (caller) => {
          entry.caller = caller;
          pendingLookup = false;
          finish();
        },
      );
    };
    // The caller shows as pending from the start (the control API may list it before it is looked up).
    if (options.attribution) entry.caller = { status: 'pending' };
    const markAnswered = (status: RequestLogEntry['status']) => {
      if (answered) return;
      Object.assign(entry, {
        status,
        access: settledAccess(entry.access, typeof status === 'number' ? status : undefined),
      });
      answered = true;
      finish();
    };
    if (
      summary?.access === 'token-request' &&
      summary.method === 'PUT' &&
      beyondHopLimit(client.remoteAddress ?? '', 0)
    ) {
      // The answer would die on the way back: nothing is sent, the request is read and dropped,
      // and the connection stays open until the caller gives up (or the idle timeout).
      Object.assign(entry, { enforced: 'hop-limit' });
      lookUp();
      client.on('end', () => client.end());
      client.resume();
      markAnswered('silence');
      return;
    }
    if (summary?.access === 'v1' && enforce !== 'off') {
      Object.assign(entry, { enforced: enforce === 'on' ? 'refused' : 'dry-run' });
      if (enforce === 'on') {
        lookUp();
        client.end(serializeResponse(unauthorizedResponse(httpDate(Date.now()))));
        client.resume(); // read and drop whatever else the client sends, until it closes
        markAnswered(401);
        return;
      }
    }
    forward(client, head, markAnswered, lookUp);
  };

  const forward = (
    client: net.Socket,
    head: Buffer,
    markAnswered: (status: RequestLogEntry['status']) => void,
    sent: () => void,
  ) => {
    const upstreamSocket = net.connect({
      host: upstreamHost,
      port: upstreamPort,
      allowHalfOpen: true,
      noDelay: true,
    });
    sockets.add(upstreamSocket);
    upstreamSocket.setTimeout(idleTimeoutMs, () => upstreamSocket.destroy());
    let statusLine = '';
    upstreamSocket.on('connect', () => {
      upstreamSocket.write(head);
      // What else the client sends (a body, rarely) follows as it comes; no pipe() machinery per request.
      client.on('data', (chunk: Buffer) => relay(chunk, client, upstreamSocket));
      client.resume();
      sent();
    });
    upstreamSocket.on('data', (chunk: Buffer) => {
      if (statusLine.length < 64 && !statusLine.includes('\n')) {
        statusLine += chunk.toString('latin1', 0, Math.min(chunk.length, 64));
        const match = /^HTTP\/\d\.\d (\d{3})/.exec(statusLine);
        if (match) markAnswered(Number(match[1]));
      }
      relay(chunk, upstreamSocket, client);
    });
    upstreamSocket.on('end', () => client.end());
    upstreamSocket.on('error', (error: NodeJS.ErrnoException) => {
      // A reset upstream is a reset client; a refused or unreachable upstream is a reset too
      // (the proxy must not invent a response the service never sent).
      sent(); // an upstream that could not be reached: look up before the caller is reset
      if (!client.destroyed) client.resetAndDestroy();
      markAnswered(error.code === 'ECONNRESET' ? 'reset' : 'reset');
    });
    upstreamSocket.on('close', () => {
      sockets.delete(upstreamSocket);
      sent(); // closed before it connected (the client left first): still looked up, once
      markAnswered('silence');
      if (!client.destroyed && client.writableEnded === false) client.end();
    });
    client.on('end', () => upstreamSocket.end());
    client.on('close', () => {
      if (!upstreamSocket.destroyed) upstreamSocket.destroy();
    });
  };

  const bound = await bindListener(server, options.host ?? '127.0.0.1', options.port ?? 0, () => {
    for (const socket of sockets) socket.destroy();
  });
  return {
    url: bound.url,
    host: bound.host,
    port: bound.port,
    upstream,
    enforce,
    requests: log,
    ...(hopLimitFault
      ? {
          hopLimited: {
            limit: options.metadataOptions?.httpPutResponseHopLimit as number,
            clients: options.metadataOptions?.containerClients ?? [],
          },
        }
      : {}),
    onRequest(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => bound.close(),
  };
}

/** Writes `chunk` from `from` to `to`, pausing `from` while `to` is full. */
function relay(chunk: Buffer, from: net.Socket, to: net.Socket): void {
  if (to.destroyed || to.writableEnded) return;
  if (!to.write(chunk)) {
    from.pause();
    to.once('drain', () => from.resume());
  }
}

/** Index just past the blank line ending the head, or undefined while incomplete. */
function findHeadEnd(bytes: Buffer): number | undefined {
  const crlf = bytes.indexOf('\n\r\n');
  const lf = bytes.indexOf('\n\n');
  if (crlf < 0 && lf < 0) return undefined;
  if (lf >= 0 && (crlf < 0 || lf < crlf)) return lf + 2;
  return crlf + 3;
}

function summarize(head: Buffer): RequestSummary | undefined {
  // parseHead takes the text up to the last header line's end, without the blank line.
  const text = head
    .toString('latin1')
    .replace(/\r?\n\r?\n$/, '\r')
    .replace(/^(?:\r?\n)+/, '');
  const parsed = parseHead(text.endsWith('\r') ? text : `${text}\r`, MAX_HEADER_COUNT);
  if ('status' in parsed) return undefined;
  return classify(parsed.method, parsed.target, parsed.headers);
}
