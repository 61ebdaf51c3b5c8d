/**
 * Network safety for client tests: no test may ever reach the real metadata service
 * (169.254.169.254, fd00:ec2::254) or any non-loopback address.
 *
 * Two layers: {@link useNetworkGuard} patches `net.Socket.prototype.connect` for the whole test
 * file, so even code that builds its own client (the CLI commands run in-process) is covered;
 * {@link guardedTransport} checks each request URL before the client's transport sends it and
 * records every request, for counting.
 */
import net from 'node:net';
import { afterAll, beforeAll, expect } from 'vitest';
import { socketTransport } from '../../../src/client/socket-transport.js';
import type { Transport, TransportRequest } from '../../../src/client/transport.js';
import { IPV4_HOST, IPV6_HOST } from '../../../src/wire.js';

const LOOPBACK = /^(127(\.[0-9]{1,3}){3}|::1|localhost)$/;

/** True for a host a test may connect to: loopback only, never the metadata addresses. */
export function isAllowedHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare !== IPV4_HOST && bare !== IPV6_HOST && LOOPBACK.test(bare);
}

/** Throws unless `url` points at loopback. */
export function assertLoopbackUrl(url: string): void {
  const host = new URL(url).hostname;
  if (!isAllowedHost(host)) throw new Error(`network guard: ${url} is not a loopback address`);
}

/** Connections the guard refused, for the end-of-file assertion. */
export interface NetworkGuard {
  readonly blocked: string[];
}

type ConnectArgs = unknown[];

function connectHost(args: ConnectArgs): string | undefined {
  // net.createConnection passes its normalized [options, callback] array as the only argument.
  let first = args[0];
  if (Array.isArray(first)) first = first[0];
  if (typeof first === 'object' && first !== null) {
    const options = first as { host?: string; path?: string | null };
    // node:http passes `path: null` for TCP; only a string path is a Unix socket.
    return typeof options.path === 'string' ? undefined : (options.host ?? 'localhost');
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^[0-9]+$/.test(first))) {
    return typeof args[1] === 'string' ? args[1] : 'localhost';
  }
  return undefined; // a Unix socket path
}

/**
 * Refuses, for the whole test file, every TCP connection to a non-loopback host, and fails the
 * file if any was attempted (a test that provokes a refusal on purpose empties `blocked`). Call
 * once at the top of a test file.
 */
export function useNetworkGuard(options: { alsoDeny?: readonly string[] } = {}): NetworkGuard {
  const guard: NetworkGuard = { blocked: [] };
  // Extra loopback addresses to refuse, so the guard can be tested without ever aiming at a real address.
  const denied = new Set(options.alsoDeny ?? []);
  const original = net.Socket.prototype.connect;
  beforeAll(() => {
    net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: ConnectArgs) {
      const host = connectHost(args);
      if (host !== undefined && (!isAllowedHost(host) || denied.has(host))) {
        guard.blocked.push(host);
        process.nextTick(() => this.destroy(new Error(`network guard: connection to ${host} refused`)));
        return this;
      }
      return (original as (...a: ConnectArgs) => net.Socket).apply(this, args);
    } as typeof original;
  });
  afterAll(() => {
    net.Socket.prototype.connect = original;
    expect(guard.blocked, 'connections attempted to non-loopback hosts').toEqual([]);
  });
  return guard;
}

/** A transport that checks and records each request before sending it. */
export interface GuardedTransport extends Transport {
  readonly requests: TransportRequest[];
}

/** Wraps `inner` (the client's default transport unless given) with the loopback check and a request log. */
export function guardedTransport(inner: Transport = socketTransport): GuardedTransport {
  const requests: TransportRequest[] = [];
  const transport = (async (request: TransportRequest) => {
    assertLoopbackUrl(request.url);
    requests.push(request);
    return inner(request);
  }) as GuardedTransport;
  Object.defineProperty(transport, 'requests', { value: requests });
  return transport;
}
