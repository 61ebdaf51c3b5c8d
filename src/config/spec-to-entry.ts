import type { Moment, ScenarioSpec } from '../scenarios/spec.js';
import { formatDuration } from '../duration.js';
import { formatTimestamp } from './timestamp.js';

/** A moment as the file writes it: a duration (`2m`) or a time (`2024-02-27T13:10:00Z`). */
export function momentText(moment: Moment): string {
  return 'at' in moment ? formatTimestamp(moment.at) : formatDuration(moment.after);
}

const timingOf = (spec: { id?: string; when?: Moment }) => ({
  ...(spec.id === undefined ? {} : { id: spec.id }),
  ...(spec.when === undefined
    ? {}
    : 'at' in spec.when
      ? { at: formatTimestamp(spec.when.at) }
      : { after: formatDuration(spec.when.after) }),
});

/**
 * A spec written back in the configuration file's form, the inverse of `toScenarioSpec`: what
 * `--print-config` prints and what the control API lists, so either can be pasted into a file.
 */
export function specToEntry(spec: ScenarioSpec): Record<string, unknown> {
  const base = { type: spec.type, ...timingOf(spec) };
  switch (spec.type) {
    case 'spot-interruption':
      return {
        ...base,
        action: spec.action,
        ...(spec.noticeMs === undefined ? {} : { notice: formatDuration(spec.noticeMs) }),
      };
    case 'rebalance-recommendation':
    case 'credential-rotation':
      return base;
    case 'maintenance-event':
      return {
        ...base,
        code: spec.code,
        ...(spec.eventId === undefined ? {} : { eventId: spec.eventId }),
        ...(spec.description === undefined ? {} : { description: spec.description }),
        notBefore: momentText(spec.notBefore),
        notAfter: momentText(spec.notAfter),
        ...(spec.notBeforeDeadline ? { notBeforeDeadline: momentText(spec.notBeforeDeadline) } : {}),
        ...(spec.completed ? { completed: momentText(spec.completed) } : {}),
        ...(spec.canceled ? { canceled: momentText(spec.canceled) } : {}),
      };
    case 'autoscaling-lifecycle':
      return {
        ...base,
        steps: spec.steps.map((step) => ({ state: step.state, after: formatDuration(step.after) })),
      };
    case 'http-tokens':
      return { ...base, mode: spec.mode };
    case 'instance-connect-key':
      return {
        ...base,
        user: spec.user,
        publicKey: spec.publicKey,
        ...(spec.caller === undefined ? {} : { caller: spec.caller }),
        ...(spec.requestId === undefined ? {} : { requestId: spec.requestId }),
        ...(spec.lifetimeMs === undefined ? {} : { lifetime: formatDuration(spec.lifetimeMs) }),
      };
    case 'set-value':
      return { ...base, path: spec.path, value: spec.value };
    case 'remove-value':
      return { ...base, path: spec.path };
    default: {
      const fault = {
        ...base,
        ...(spec.durationMs === undefined ? {} : { for: formatDuration(spec.durationMs) }),
        ...(spec.clients === undefined ? {} : { clients: { ...spec.clients } }),
      };
      switch (spec.type) {
        case 'hop-limit':
          return fault;
        case 'throttle':
          return {
            ...fault,
            ratePerSecond: spec.ratePerSecond,
            ...(spec.burst === undefined ? {} : { burst: spec.burst }),
            response: spec.response,
          };
        case 'latency':
          return { ...fault, delay: formatDuration(spec.delayMs) };
        case 'server-errors':
          return { ...fault, rate: spec.rate, status: spec.status };
        case 'endpoint-off':
          return { ...fault, response: spec.response };
      }
    }
  }
}
