/**
 * Where the faults in force meet a request. The {@link FaultInjector} decides what they do
 * (it keeps the per-client state); this applies that decision to the handler's answer; the socket
 * front only carries the result out (waits `delayMs`, resets, or stays silent).
 */
import type { RequestFaults } from '../scenarios/faults/fault-injector.js';
import type { HandlerOutcome, ImdsRequest } from './exchange.js';
import type { AccessKind, Handled } from './handler.js';
import { pageResponse } from './responses.js';

/** The outcome of one request with its faults applied, and how it authenticated (for the log). */
export interface Answered {
  readonly outcome: HandlerOutcome;
  readonly access: AccessKind;
}

/**
 * Answers `request` under `faults`: a replacing fault answers instead of the handler (which then
 * never runs); `hop-limit` swallows the answer to a token `PUT`; latency holds back whatever is
 * written.
 *
 * @param date the `Date` value of a status page written instead of the handler's answer.
 * @param answer runs the handler; called at most once.
 * @example
 * ```ts
 * const { outcome } = applyFaults(request, injector.assess(peer, state.faults, now), date, () =>
 *   handleRequest(request, served, now),
 * );
 * ```
 */
export function applyFaults(
  request: ImdsRequest,
  faults: RequestFaults,
  date: string,
  answer: () => Handled,
): Answered {
  let outcome: HandlerOutcome;
  let access: AccessKind = 'none';
  const replace = faults.replace;
  if (replace) {
    outcome =
      'status' in replace ? pageResponse(replace.status, { date, head: request.method === 'HEAD' }) : replace;
  } else {
    const handled = answer();
    access = handled.access;
    outcome =
      faults.dropTokenResponse && access === 'token-request' && request.method === 'PUT'
        ? { noResponse: 'silence' }
        : handled.response;
  }
  if (faults.delayMs > 0 && !('noResponse' in outcome)) outcome = { ...outcome, delayMs: faults.delayMs };
  return { outcome, access };
}
