/**
 * IMDSv1 fallback, made visible. The AWS SDKs agree on when to read without a token: the token
 * request answered 403, 404 or 405 (a service or proxy without IMDSv2), or it timed out (the
 * classic container behind hop limit 1, whose token response never arrives). A 400 is an error,
 * never a reason to fall back. Falling back silently hides exactly the callers a team enforcing
 * IMDSv2 needs to find, so the client records every fallback and reports it.
 *
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-transition-to-version-2.html
 */

/** Token-request statuses after which the SDKs read without a token. */
export const FALLBACK_STATUSES: ReadonlySet<number> = new Set([403, 404, 405]);

/** One fallback to IMDSv1 and why it happened. */
export interface V1Fallback {
  /** `status`: the token request was refused with {@link V1Fallback.status}; `timeout`: it got no answer in time. */
  readonly reason: 'status' | 'timeout';
  readonly status?: number;
  /** When it happened, on the client's clock (epoch milliseconds by default). */
  readonly at: number;
}

/** Called on every fallback; a listener that throws does not break the read. */
export type V1FallbackListener = (fallback: V1Fallback) => void;

/** A one-line account of a fallback, for warnings. */
export function describeFallback(fallback: V1Fallback): string {
  return fallback.reason === 'timeout'
    ? "the token request timed out (in a container, raise the instance's HttpPutResponseHopLimit to 2)"
    : `the token request was answered ${fallback.status ?? '?'}`;
}
