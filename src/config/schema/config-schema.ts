/**
 * The configuration file of `imds serve --config FILE` (YAML or JSON). Every key is optional: an
 * empty file serves the built-in instance. Settings that also have a flag and an `IMDS_*`
 * variable (host, port, httpTokens, httpEndpoint, control.*, seed, audit.*) are described in
 * `../settings.ts`; the rest (instance, credentials, set, remove, scenarios, faults, clock) exist
 * only here.
 *
 * @see ../../../docs/configuration.md
 */
import * as z from 'zod';
import { ATTRIBUTION_SETTINGS } from '../../server/attribution-mode.js';
import { describeValue } from '../problem.js';
import {
  httpEndpointSchema,
  httpTokensSchema,
  duration,
  integer,
  list,
  nonEmpty,
  portSchema,
  positiveDuration,
  scalarText,
  timestamp,
} from './fields.js';

import { instanceSchema } from './instance-schema.js';
import { fleetSchema } from './fleet-schema.js';
import { scenarioList as entries } from './scenario-list.js';
import { treePath, treeValueProblem } from './tree-path.js';
import { builtOnce } from './built-once.js';

/** The metadata or control listener's address. */
export const hostSchema = () => nonEmpty('a host name or address such as 127.0.0.1');
/** The shortest control API token accepted. */
export const CONTROL_TOKEN_MIN_LENGTH = 16;
const TOKEN_EXPECTATION = `expected a bearer token of at least ${CONTROL_TOKEN_MIN_LENGTH} visible ASCII characters, no spaces (the value given is not shown)`;
/** The control API's bearer token; a wrong one is never echoed in messages. */
export const controlTokenSchema = () =>
  z.unknown().transform((value, ctx) => {
    if (typeof value === 'string' && value.length >= CONTROL_TOKEN_MIN_LENGTH && /^[\x21-\x7e]+$/.test(value))
      return value;
    ctx.addIssue({
      code: 'custom',
      message: value === undefined ? `missing; ${TOKEN_EXPECTATION}` : TOKEN_EXPECTATION,
      params: { final: true },
    });
    return z.NEVER;
  });
/**
 * Names the control API also answers to in `Host` (besides IP literals and `localhost`), comma
 * separated: `imds-control,emulator.internal`. Lower-cased; no ports, no wildcards.
 */
export const controlAllowedHostsSchema = () =>
  z
    .string({ error: 'expected host names separated by commas, such as imds-control,emulator.internal' })
    .transform((text) => text.toLowerCase())
    .refine(
      (text) => text.split(',').every((name) => /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(name.trim())),
      {
        error:
          'expected host names separated by commas (letters, digits, dots, hyphens; no port), such as imds-control,emulator.internal',
      },
    )
    .transform((text) =>
      text
        .split(',')
        .map((name) => name.trim())
        .join(','),
    );
/**
 * Web origins allowed to call the control API, comma separated: `http://localhost:5173`. Each is
 * `http://` or `https://`, a host and an optional port, nothing else.
 */
export const controlAllowedOriginsSchema = () =>
  z
    .string({ error: 'expected origins separated by commas, such as http://localhost:5173' })
    .transform((text) => text.toLowerCase())
    .refine(
      (text) =>
        text
          .split(',')
          .every((origin) => /^https?:\/\/(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/.test(origin.trim())),
      {
        error:
          'expected origins separated by commas, each scheme://host[:port] such as http://localhost:5173',
      },
    )
    .transform((text) =>
      text
        .split(',')
        .map((origin) => origin.trim())
        .join(','),
    );
/** The seed of fault randomness (32 bits). */
export const seedSchema = () => integer(0, 2 ** 32 - 1);

const ATTRIBUTION_EXPECTATION = `expected one of ${ATTRIBUTION_SETTINGS.join(', ')}`;
/** When callers are looked up (`auto`, `before`, `after`), or `off`; see docs/audit.md. */
export const attributionSchema = () =>
  z.enum(ATTRIBUTION_SETTINGS as [string, ...string[]], { error: ATTRIBUTION_EXPECTATION });
const BUDGET_EXPECTATION = 'expected a percentage greater than 0 and at most 100, such as 5';
/** The share of time (percent) caller lookups may take. */
export const attributionBudgetSchema = () =>
  z
    .number({ error: BUDGET_EXPECTATION })
    .gt(0, { error: BUDGET_EXPECTATION })
    .lte(100, { error: BUDGET_EXPECTATION });
/** The file every request is appended to as a JSON line. */
export const requestLogSchema = () => nonEmpty('a file path such as requests.jsonl');

const pathKeyedValues = () =>
  z.record(z.string(), scalarText('expected the text of the leaf')).superRefine((values, ctx) => {
    for (const [key, value] of Object.entries(values)) {
      const parsed = treePath().safeParse(key);
      const problem = parsed.success ? treeValueProblem(parsed.data, value) : undefined;
      if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem, params: { final: true } });
      if (!parsed.success) {
        const message = parsed.error.issues[0]?.message ?? 'expected a path under /latest/';
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: message.includes(', got ') ? message : `${message}, got ${describeValue(key)}`,
          params: { final: true },
        });
      }
    }
  });

/**
 * The whole file.
 * @example
 * ```ts
 * configFileSchema().safeParse({ port: 0, scenarios: [{ type: 'rebalance-recommendation', after: '1m' }] });
 * ```
 */
export const configFileSchema = builtOnce(() =>
  z.strictObject(
    {
      $schema: z.string().optional(),
      host: hostSchema().optional(),
      port: portSchema().optional(),
      httpTokens: httpTokensSchema().optional(),
      httpEndpoint: httpEndpointSchema().optional(),
      control: z
        .strictObject(
          {
            host: hostSchema().optional(),
            port: portSchema().optional(),
            token: controlTokenSchema().optional(),
            allowedHosts: controlAllowedHostsSchema().optional(),
            allowedOrigins: controlAllowedOriginsSchema().optional(),
          },
          { error: 'expected a map with host, port, token, allowedHosts and allowedOrigins' },
        )
        .optional(),
      clock: z
        .strictObject(
          {
            start: timestamp().optional(),
            manual: z.boolean({ error: 'expected true or false' }).optional(),
          },
          { error: 'expected a map with start and manual' },
        )
        .optional(),
      seed: seedSchema().optional(),
      audit: z
        .strictObject(
          {
            attribution: attributionSchema().optional(),
            attributionBudget: attributionBudgetSchema().optional(),
            requestLog: requestLogSchema().optional(),
          },
          { error: 'expected a map with attribution, attributionBudget and requestLog' },
        )
        .optional(),
      instance: instanceSchema().optional(),
      credentials: z
        .strictObject(
          {
            rotateEvery: positiveDuration().optional(),
            lifetime: positiveDuration().optional(),
            jitter: duration().optional(),
          },
          { error: 'expected a map with rotateEvery, lifetime and jitter' },
        )
        .optional(),
      set: pathKeyedValues().optional(),
      remove: list(treePath()).optional(),
      scenarios: entries(false).optional(),
      faults: entries(true).optional(),
      fleet: fleetSchema().optional(),
    },
    { error: 'expected a map of settings (host, port, httpTokens, instance, scenarios...)' },
  ),
);

/** A configuration as written (durations and times as text). */
export type ConfigFileInput = z.input<ReturnType<typeof configFileSchema>>;
/** A checked configuration (durations in ms, times in epoch ms). */
export type ConfigFileData = z.output<ReturnType<typeof configFileSchema>>;
