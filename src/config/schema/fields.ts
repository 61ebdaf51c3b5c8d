/**
 * Field schemas shared by the configuration file, the control API and the test fixture. Every
 * check carries the sentence a user reads when it fails (`expected ...`), so messages say what a
 * key wants in the user's terms, not zod's.
 */
import net from 'node:net';
import * as z from 'zod';
import { DURATION_EXPECTATION, parseDuration } from '../../duration.js';
import { durationRangeProblem, instantRangeProblem } from '../../ranges.js';
import { parseTimestamp, TIMESTAMP_EXPECTATION } from '../timestamp.js';
import type { Moment } from '../../scenarios/spec.js';

/** A string matching `pattern`; `expected` is the whole sentence (`expected an AMI id such as ami-0123...`). */
export const patterned = (pattern: RegExp, expected: string) =>
  z.string({ error: expected }).regex(pattern, { error: expected });

/** A non-empty string. */
export const nonEmpty = (what = 'a non-empty string') =>
  z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });

/** An integer in `min..max`. */
export function integer(min: number, max: number = Number.MAX_SAFE_INTEGER, expected?: string) {
  const error =
    expected ??
    (max === Number.MAX_SAFE_INTEGER
      ? `expected an integer >= ${min}`
      : `expected an integer from ${min} to ${max}`);
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/** A scalar written as text: YAML reads `Env: 1` as a number, but tags and tree values are text. */
export const scalarText = (expected = 'expected text (a string, number or boolean)') =>
  z.union([z.string(), z.number(), z.boolean()], { error: expected }).transform((value) => String(value));

/** A duration (`90s`, `2m`, `1h30m`, a number of seconds), in milliseconds. */
export const duration = () =>
  z.unknown().transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected ${DURATION_EXPECTATION}`, input: value });
      return z.NEVER;
    }
    return inRange(ms, durationRangeProblem(ms), value, ctx);
  });

/** `ms` when `problem` is undefined, else an issue saying the value is out of range. */
function inRange(ms: number, problem: string | undefined, value: unknown, ctx: z.RefinementCtx): number {
  if (problem === undefined) return ms;
  ctx.addIssue({ code: 'custom', message: `expected ${problem}`, input: value, params: { final: true } });
  return z.NEVER;
}

/** A positive duration, in milliseconds. */
export const positiveDuration = () =>
  z.unknown().transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined || ms <= 0) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a positive duration such as 90s, 2m or 1h (a bare number is seconds)`,
        input: value,
      });
      return z.NEVER;
    }
    return inRange(ms, durationRangeProblem(ms), value, ctx);
  });

/** An absolute time (ISO-8601 with a zone), in epoch milliseconds. */
export const timestamp = () =>
  z.unknown().transform((value, ctx) => {
    const ms = parseTimestamp(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected ${TIMESTAMP_EXPECTATION}`, input: value });
      return z.NEVER;
    }
    return inRange(ms, instantRangeProblem(ms), value, ctx);
  });

/** What a moment looks like, for error messages. */
export const MOMENT_EXPECTATION = `expected a duration from the start (90s, 2m, 1h30m) or ${'an ISO-8601 time such as 2024-02-27T13:10:00Z'}`;

/** A moment: a duration from the scenario's anchor, or an absolute time. */
export const moment = () =>
  z.unknown().transform((value, ctx): Moment => {
    const at = parseTimestamp(value);
    if (at !== undefined) return { at: inRange(at, instantRangeProblem(at), value, ctx) };
    const after = parseDuration(value);
    if (after !== undefined) return { after: inRange(after, durationRangeProblem(after), value, ctx) };
    ctx.addIssue({ code: 'custom', message: MOMENT_EXPECTATION, input: value });
    return z.NEVER;
  });

/** An IPv4 address. */
export const ipv4 = (what = 'an IPv4 address such as 172.31.38.15') =>
  z.string({ error: `expected ${what}` }).refine((value) => net.isIPv4(value), { error: `expected ${what}` });
/** An IPv6 address. */
export const ipv6 = (what = 'an IPv6 address such as 2406:da14::1') =>
  z.string({ error: `expected ${what}` }).refine((value) => net.isIPv6(value), { error: `expected ${what}` });

function isCidr(value: string, family: 4 | 6): boolean {
  const [address, prefix, extra] = value.split('/');
  if (extra !== undefined || address === undefined || prefix === undefined || !/^\d{1,3}$/.test(prefix))
    return false;
  return net.isIP(address) === family && Number(prefix) <= (family === 4 ? 32 : 128);
}
/** An IPv4 CIDR block. */
export const ipv4Cidr = () =>
  z
    .string({ error: 'expected an IPv4 CIDR block such as 172.31.0.0/16' })
    .refine((value) => isCidr(value, 4), {
      error: 'expected an IPv4 CIDR block such as 172.31.0.0/16',
    });
/** An IPv6 CIDR block. */
export const ipv6Cidr = () =>
  z
    .string({ error: 'expected an IPv6 CIDR block such as 2406:da14::/56' })
    .refine((value) => isCidr(value, 6), {
      error: 'expected an IPv6 CIDR block such as 2406:da14::/56',
    });

/** A list, with the element's own messages. */
export const list = <T extends z.ZodType>(element: T) => z.array(element, { error: 'expected a list' });

/**
 * The service settings' fields, shared by the file's top level and its `fleet:` section (one
 * definition, so the two cannot drift). A TCP port; 0 picks a free one.
 */
export const portSchema = () => integer(0, 65_535);
/** `HttpTokens`: `required` (IMDSv2 only) or `optional`. */
export const httpTokensSchema = () => z.enum(['required', 'optional']);
/** `HttpEndpoint`: `enabled` or `disabled` (403 to everything). */
export const httpEndpointSchema = () => z.enum(['enabled', 'disabled']);

/**
 * A map with keys from outside (tag keys): like `z.record(z.string(), value)`, except that every
 * key is kept, `__proto__` included (zod's record assigns keys, and assigning `__proto__` sets the
 * prototype instead of adding the key). The result has no prototype.
 */
export function keyedRecord<T extends z.ZodType>(value: T, error: string) {
  return z.unknown().transform((input, ctx) => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      ctx.addIssue({ code: 'custom', message: error, input });
      return z.NEVER;
    }
    const result: Record<string, z.output<T>> = Object.create(null);
    for (const [key, each] of Object.entries(input)) {
      const parsed = value.safeParse(each);
      if (parsed.success) result[key] = parsed.data;
      else
        for (const issue of parsed.error.issues)
          ctx.addIssue({ ...issue, path: [key, ...issue.path] } as never);
    }
    return result;
  });
}
