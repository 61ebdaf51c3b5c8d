/**
 * One scenario or fault, as written in a configuration file's `scenarios:` and `faults:` lists,
 * posted to the control API, or passed to the test fixture. `type` says which; times are
 * durations from the anchor (`after: 2m`) or absolute (`at: 2024-02-27T13:10:00Z`).
 *
 * @see ../../../docs/scenarios.md
 */
import * as z from 'zod';
import type { ClientSelector, Moment, ScenarioSpec } from '../../scenarios/spec.js';
import { isAddressOrBlock } from '../../scenarios/faults/peer-address.js';
import {
  duration,
  integer,
  list,
  moment,
  nonEmpty,
  patterned,
  positiveDuration,
  scalarText,
  timestamp,
} from './fields.js';
import { callerArn, osUser, requestId, sshPublicKey } from './instance-connect-fields.js';
import { treePath, treeValueProblem } from './tree-path.js';
import { builtOnce } from './built-once.js';

const id = () =>
  patterned(/^[A-Za-z0-9][\w.-]{0,63}$/, 'expected an id of letters, digits, ".", "_" or "-" (at most 64)');

/** Builds {@link scenarioEntrySchema}: the parts exist only to make the union. */
function buildScenarioEntrySchema() {
  /** When a scenario takes effect: `after` a delay from the anchor or `at` a time; at once when neither. */
  const timing = { id: id().optional(), after: duration().optional(), at: timestamp().optional() };

  const clients = z.strictObject(
    {
      addresses: list(
        z
          .string({ error: 'expected an address or CIDR block such as 10.0.0.7 or 172.17.0.0/16' })
          .refine(isAddressOrBlock, {
            error: 'expected an address or CIDR block such as 10.0.0.7 or 172.17.0.0/16',
          }),
      )
        .min(1, { error: 'expected at least one address' })
        .optional(),
      firstSeen: integer(1, 65_536, 'expected a number of clients from 1 to 65536').optional(),
    },
    { error: 'expected a map with addresses (a list) and/or firstSeen (a number)' },
  );

  /** What every fault has besides its timing: how long it lasts (`for`) and whom it hits (`clients`). */
  const faultTiming = { ...timing, for: positiveDuration().optional(), clients: clients.optional() };

  const spot = z.strictObject({
    type: z.literal('spot-interruption'),
    ...timing,
    action: z.enum(['terminate', 'stop', 'hibernate']).optional(),
    notice: positiveDuration().optional(),
  });
  const rebalance = z.strictObject({ type: z.literal('rebalance-recommendation'), ...timing });
  const maintenance = z.strictObject({
    type: z.literal('maintenance-event'),
    ...timing,
    code: z.enum([
      'instance-reboot',
      'system-reboot',
      'system-maintenance',
      'instance-retirement',
      'instance-stop',
    ]),
    eventId: patterned(
      /^instance-event-[0-9a-f]{17}$/,
      'expected an event id such as instance-event-0d59937288b749b32',
    ).optional(),
    description: nonEmpty('a description').optional(),
    notBefore: moment(),
    notAfter: moment(),
    notBeforeDeadline: moment().optional(),
    completed: moment().optional(),
    canceled: moment().optional(),
  });
  const lifecycle = z.strictObject({
    type: z.literal('autoscaling-lifecycle'),
    id: id().optional(),
    steps: list(
      z.strictObject({
        state: z.enum([
          'InService',
          'Standby',
          'Detached',
          'Terminated',
          'Warmed:Stopped',
          'Warmed:Running',
          'Warmed:Hibernated',
          'Warmed:Terminated',
        ]),
        after: duration().optional(),
      }),
    ).min(1, { error: 'expected at least one step' }),
  });
  const credentialRotation = z.strictObject({ type: z.literal('credential-rotation'), ...timing });
  const httpTokens = z.strictObject({
    type: z.literal('http-tokens'),
    ...timing,
    mode: z.enum(['required', 'optional']),
  });
  const instanceConnectKey = z.strictObject({
    type: z.literal('instance-connect-key'),
    ...timing,
    user: osUser(),
    publicKey: sshPublicKey(),
    caller: callerArn().optional(),
    requestId: requestId().optional(),
    lifetime: positiveDuration().optional(),
  });
  const setValue = z.strictObject({
    type: z.literal('set-value'),
    ...timing,
    path: treePath(),
    value: scalarText(),
  });
  const removeValue = z.strictObject({ type: z.literal('remove-value'), ...timing, path: treePath() });
  const hopLimit = z.strictObject({ type: z.literal('hop-limit'), ...faultTiming });
  const throttle = z.strictObject({
    type: z.literal('throttle'),
    ...faultTiming,
    ratePerSecond: z
      .number({ error: 'expected a number of requests per second > 0' })
      .gt(0, { error: 'expected a number of requests per second > 0' }),
    burst: integer(1).optional(),
    response: z.literal([503, 'reset']).optional(),
  });
  const latency = z.strictObject({ type: z.literal('latency'), ...faultTiming, delay: positiveDuration() });
  const serverErrors = z.strictObject({
    type: z.literal('server-errors'),
    ...faultTiming,
    rate: z
      .number({ error: 'expected a share of requests from 0 (exclusive) to 1, such as 0.25' })
      .gt(0, { error: 'expected a share of requests from 0 (exclusive) to 1, such as 0.25' })
      .lte(1, { error: 'expected a share of requests from 0 (exclusive) to 1, such as 0.25' }),
    status: z.literal([500, 502, 503, 504]).optional(),
  });
  const endpointOff = z.strictObject({
    type: z.literal('endpoint-off'),
    ...faultTiming,
    response: z.enum(['forbidden', 'reset', 'silence']).optional(),
  });

  return z
    .discriminatedUnion(
      'type',
      [
        spot,
        rebalance,
        maintenance,
        lifecycle,
        credentialRotation,
        httpTokens,
        instanceConnectKey,
        setValue,
        removeValue,
        hopLimit,
        throttle,
        latency,
        serverErrors,
        endpointOff,
      ],
      { error: 'expected a map with a type (spot-interruption, maintenance-event, throttle...)' },
    )
    .superRefine((entry, ctx) => {
      if ('after' in entry && 'at' in entry && entry.after !== undefined && entry.at !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['at'],
          message: 'give either after (a delay) or at (a time), not both',
          params: { final: true },
        });
      }
      if (entry.type === 'set-value') {
        const problem = treeValueProblem(entry.path, entry.value);
        if (problem)
          ctx.addIssue({ code: 'custom', path: ['value'], message: problem, params: { final: true } });
      }
      if (entry.type === 'maintenance-event' && ordered(entry.notAfter, entry.notBefore)) {
        ctx.addIssue({
          code: 'custom',
          path: ['notAfter'],
          message: 'the window ends before it starts: notAfter is earlier than notBefore',
          params: { final: true },
        });
      }
      if (entry.type === 'autoscaling-lifecycle') {
        entry.steps.forEach((step, index) => {
          const previous = entry.steps[index - 1];
          if (previous && (step.after ?? 0) <= (previous.after ?? 0)) {
            ctx.addIssue({
              code: 'custom',
              path: ['steps', index, 'after'],
              message: 'each step comes after the one before it: its after must be greater',
              params: { final: true },
            });
          }
        });
      }
    });
}

/** Any scenario or fault; the schema the control API and the fixture validate with. */
export const scenarioEntrySchema = builtOnce(buildScenarioEntrySchema);

/** A scenario or fault as written (`{ type: 'spot-interruption', after: '2m' }`). */
export type ScenarioEntryInput = z.input<ReturnType<typeof scenarioEntrySchema>>;
type ScenarioEntry = z.output<ReturnType<typeof scenarioEntrySchema>>;

/** True when `a` is certainly earlier than `b` (both relative or both absolute). */
function ordered(a: Moment, b: Moment): boolean {
  if ('after' in a && 'after' in b) return a.after < b.after;
  if ('at' in a && 'at' in b) return a.at < b.at;
  return false;
}

const when = (entry: { after?: number | undefined; at?: number | undefined }): { when?: Moment } =>
  entry.at !== undefined
    ? { when: { at: entry.at } }
    : entry.after !== undefined
      ? { when: { after: entry.after } }
      : {};
const optional = <K extends string, V>(key: K, value: V | undefined) =>
  value === undefined ? {} : ({ [key]: value } as { [P in K]: V });

function faultBase(entry: {
  id?: string | undefined;
  after?: number | undefined;
  at?: number | undefined;
  for?: number | undefined;
  clients?: ClientSelector | undefined;
}) {
  return {
    ...optional('id', entry.id),
    ...when(entry),
    ...optional('durationMs', entry.for),
    ...optional('clients', entry.clients),
  };
}

/** The spec a validated entry stands for. */
export function toScenarioSpec(entry: ScenarioEntry): ScenarioSpec {
  const base = { ...optional('id', entry.id), ...('after' in entry ? when(entry) : {}) };
  switch (entry.type) {
    case 'spot-interruption':
      return {
        type: entry.type,
        ...base,
        action: entry.action ?? 'terminate',
        ...optional('noticeMs', entry.notice),
      };
    case 'rebalance-recommendation':
    case 'credential-rotation':
      return { type: entry.type, ...base };
    case 'maintenance-event':
      return {
        type: entry.type,
        ...base,
        code: entry.code,
        notBefore: entry.notBefore,
        notAfter: entry.notAfter,
        ...optional('eventId', entry.eventId),
        ...optional('description', entry.description),
        ...optional('notBeforeDeadline', entry.notBeforeDeadline),
        ...optional('completed', entry.completed),
        ...optional('canceled', entry.canceled),
      };
    case 'autoscaling-lifecycle':
      return {
        type: entry.type,
        ...base,
        steps: entry.steps.map((step) => ({ state: step.state, after: step.after ?? 0 })),
      };
    case 'http-tokens':
      return { type: entry.type, ...base, mode: entry.mode };
    case 'instance-connect-key':
      return {
        type: entry.type,
        ...base,
        user: entry.user,
        publicKey: entry.publicKey,
        ...optional('caller', entry.caller),
        ...optional('requestId', entry.requestId),
        ...optional('lifetimeMs', entry.lifetime),
      };
    case 'set-value':
      return { type: entry.type, ...base, path: entry.path, value: entry.value };
    case 'remove-value':
      return { type: entry.type, ...base, path: entry.path };
    case 'hop-limit':
      return { type: entry.type, ...faultBase(entry) };
    case 'throttle':
      return {
        type: entry.type,
        ...faultBase(entry),
        ratePerSecond: entry.ratePerSecond,
        response: entry.response ?? 503,
        ...optional('burst', entry.burst),
      };
    case 'latency':
      return { type: entry.type, ...faultBase(entry), delayMs: entry.delay };
    case 'server-errors':
      return { type: entry.type, ...faultBase(entry), rate: entry.rate, status: entry.status ?? 500 };
    case 'endpoint-off':
      return { type: entry.type, ...faultBase(entry), response: entry.response ?? 'forbidden' };
  }
}
