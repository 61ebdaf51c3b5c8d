import { listen, type FrontLimits, type RunningListener } from '../server/listen.js';
import { createHttpDateFormatter } from '../server/http-date.js';
import { pageResponse } from '../server/responses.js';
import type { Fleet } from './fleet.js';
import type { ListenAddress } from './fleet-spec.js';

/** A fleet on sockets: the shared listener and each instance's own one. */
export interface RunningFleet {
  readonly fleet: Fleet;
  /** The shared listener: callers routed by header or source address. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** `http://host:port` of each instance that has its own listener, by instance id. */
  readonly listeners: ReadonlyMap<string, string>;
  /** Stops every listener. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts serving a fleet: one shared listener at `shared`, and one more per instance that asks
 * for its own (`listen:`). Everything or nothing: when one address cannot be bound, the listeners
 * already open are closed again and the error is passed on.
 *
 * @throws {ListenError} (as a rejection) naming the address that could not be bound.
 * @example
 * ```ts
 * const running = await serveFleet(fleet, { host: '127.0.0.1', port: 0 });
 * running.listeners.get('i-0410f3c9b2d5e8a71'); // http://127.0.1.1:40123
 * ```
 */
export async function serveFleet(
  fleet: Fleet,
  shared: ListenAddress,
  limits?: Partial<FrontLimits>,
): Promise<RunningFleet> {
  const httpDate = createHttpDateFormatter();
  const errorResponse = (status: number) =>
    pageResponse(status, { date: httpDate(fleet.clock.now()), head: false });
  const open: RunningListener[] = [];
  const listeners = new Map<string, string>();
  try {
    const main = await listen({
      ...shared,
      handler: fleet.handle,
      errorResponse,
      ...(limits ? { limits } : {}),
    });
    open.push(main);
    for (const member of fleet.members) {
      if (!member.listen) continue;
      const id = member.instance.instanceId;
      const own = await listen({
        host: member.listen.host,
        port: member.listen.port ?? shared.port,
        handler: fleet.handlerFor(id),
        errorResponse,
        ...(limits ? { limits } : {}),
      });
      open.push(own);
      listeners.set(id, own.url);
    }
    let closing: Promise<void> | undefined;
    return {
      fleet,
      url: main.url,
      host: main.host,
      port: main.port,
      listeners,
      close() {
        closing ??= Promise.all(open.map((listener) => listener.close())).then(() => undefined);
        return closing;
      },
    };
  } catch (error) {
    await Promise.all(open.map((listener) => listener.close()));
    throw error;
  }
}
