/**
 * A transport that keeps the recorder polite: requests leave at most `ratePerSecond` a second (the
 * real service drops packets beyond about 1,024 a second per interface, so the default stays far
 * below), the rate halves on each 429 or 503 and climbs back slowly on success, and every request
 * is counted. It also keeps the content type of each answer, which the client's `getBytes` drops.
 */
import type { Transport, TransportRequest, TransportResponse } from '../client/transport.js';

/** The recorder's default pace: a quarter of what one interface is allowed. */
export const DEFAULT_RECORD_RATE = 250;
/** Never slower than this, however often the service throttles. */
const MIN_RATE = 5;

export interface PacedTransport {
  readonly transport: Transport;
  /** Requests sent so far, and how many were answered 429 or 503. */
  readonly stats: { requests: number; throttled: number };
  /** The requests-per-second limit now (after back-offs). */
  readonly rate: number;
  /** The content type of the last answer to `url`. */
  contentType(url: string): string | undefined;
}

/**
 * Wraps `inner`. `ratePerSecond` 0 means unpaced (for loopback emulators in tests and benches).
 * @example
 * ```ts
 * const paced = pacedTransport(socketTransport, 250);
 * const client = new ImdsClient({ endpoint, transport: paced.transport });
 * ```
 */
export function pacedTransport(
  inner: Transport,
  ratePerSecond: number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => number = () => performance.now(),
): PacedTransport {
  const stats = { requests: 0, throttled: 0 };
  const contentTypes = new Map<string, string | undefined>();
  let rate = ratePerSecond;
  let nextSlot = 0;
  const transport: Transport = async (request: TransportRequest): Promise<TransportResponse> => {
    if (rate > 0) {
      const at = Math.max(now(), nextSlot);
      nextSlot = at + 1000 / rate;
      const wait = at - now();
      if (wait > 0) await sleep(wait);
    }
    stats.requests++;
    const response = await inner(request);
    if (response.status === 429 || response.status === 503) {
      stats.throttled++;
      if (rate > 0) {
        rate = Math.max(MIN_RATE, rate / 2);
        // The next request waits a whole slot at the new rate, not the slot booked at the old one.
        nextSlot = Math.max(nextSlot, now() + 1000 / rate);
      }
    } else if (rate > 0 && rate < ratePerSecond) {
      rate = Math.min(ratePerSecond, rate + 1);
    }
    contentTypes.set(request.url, response.headers['content-type']);
    return response;
  };
  return {
    transport,
    stats,
    get rate() {
      return rate;
    },
    contentType: (url) => contentTypes.get(url),
  };
}
