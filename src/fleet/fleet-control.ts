import { ConfigError } from '../config/config-error.js';
import { targetedScenarioSchema } from '../config/schema/fleet-schema.js';
import { toScenarioSpec } from '../config/schema/scenario-schema.js';
import { formatTimestamp } from '../config/timestamp.js';
import { problemsFromIssues } from '../config/zod-problems.js';
import { handleControl, type ControlRequest, type ControlResponse } from '../control/control-routes.js';
import { Controller, requestRecord } from '../control/controller.js';
import { FleetError } from './fleet-error.js';
import type { Fleet } from './fleet.js';

const json = (body: unknown, status = 200): ControlResponse => ({ status, body });
const notAllowed = (method: string, allow: string): ControlResponse => ({
  status: 405,
  body: { error: 'method-not-allowed', message: `${method} is not allowed here; use ${allow}` },
  headers: { Allow: allow },
});

/**
 * The control API of a fleet. Fleet-wide: `GET /instances` (ids, sources, listeners, whether
 * created), `GET|POST /scenarios` (`{ targets, scenario }` to part of the fleet), `GET|DELETE
 * /requests` (each naming its instance), `POST /reset`, and `GET|POST /clock` (one clock for all).
 * Everything the single-instance API has is under `/instances/<instance id>/...` (`state`,
 * `values`, `scenarios`, `settings`, `requests`, `events`, `reset`), answered by that instance.
 *
 * @see ../../docs/fleet.md
 */
export function handleFleetControl(
  request: ControlRequest,
  fleet: Fleet,
  listeners: ReadonlyMap<string, string> = new Map(),
): ControlResponse {
  const [head, id, ...rest] = request.segments;
  try {
    if (head === 'instances' && id !== undefined) {
      if (!fleet.has(id)) throw new FleetError('unknown-instance', `no instance ${id} in the fleet`);
      return handleControl({ ...request, segments: rest }, new Controller(fleet.emulator(id)));
    }
    const path = request.segments.join('/');
    switch (path) {
      case 'instances':
        return request.method === 'GET'
          ? json(
              fleet.members.map((member) => {
                const instanceId = member.instance.instanceId;
                const url = listeners.get(instanceId);
                return {
                  instanceId,
                  privateIp: member.instance.networkInterfaces[0]?.localIpv4s[0],
                  sources: member.sources,
                  ...(url ? { listener: url } : {}),
                };
              }),
            )
          : notAllowed(request.method, 'GET');
      case 'scenarios':
        if (request.method === 'POST') return json(trigger(fleet, request.body), 201);
        if (request.method === 'GET')
          return json(
            fleet.ids
              .filter((instanceId) => fleet.isCreated(instanceId))
              .flatMap((instanceId) =>
                new Controller(fleet.emulator(instanceId))
                  .scenarios()
                  .map((record) => ({ instanceId, ...record })),
              ),
          );
        return notAllowed(request.method, 'GET, POST');
      case 'requests':
        if (request.method === 'DELETE') {
          fleet.requests.clear();
          return { status: 204 };
        }
        if (request.method === 'GET')
          return json({
            total: fleet.requests.total,
            requests: fleet.requests
              .entries()
              .map((entry) => ({ instance: entry.instance, ...requestRecord(entry) })),
          });
        return notAllowed(request.method, 'GET, DELETE');
      case 'reset':
        if (request.method !== 'POST') return notAllowed(request.method, 'POST');
        fleet.reset();
        return json({ now: formatTimestamp(fleet.clock.now()), instances: fleet.ids.length });
      case 'clock':
      case 'state': {
        // One clock for the fleet: any instance's controller moves it, the first one answers.
        const first = fleet.ids[0] as string;
        return handleControl(request, new Controller(fleet.emulator(first)));
      }
      default:
        return json(
          {
            error: 'not-found',
            message: `no fleet control endpoint at /${path}; instances are under /instances/<instance id>/`,
          },
          404,
        );
    }
  } catch (error) {
    if (error instanceof FleetError)
      return json(
        { error: error.code, message: error.message },
        error.code === 'unknown-instance' ? 404 : 400,
      );
    if (error instanceof ConfigError)
      return json({ error: 'invalid-request', message: error.message, problems: error.lines }, 400);
    throw error;
  }
}

/** `POST /scenarios`: `{ targets, scenario }`, checked with the file's schema. */
function trigger(fleet: Fleet, body: string) {
  let data: unknown;
  try {
    data = body.trim() === '' ? undefined : JSON.parse(body);
  } catch (error) {
    throw new ConfigError([
      { source: 'request body', path: [], message: `not valid JSON: ${(error as Error).message}` },
    ]);
  }
  const schema = targetedScenarioSchema();
  const parsed = schema.safeParse(data);
  if (!parsed.success)
    throw new ConfigError(
      problemsFromIssues(parsed.error.issues, schema, data).map((problem) => ({
        source: 'request body',
        ...problem,
      })),
    );
  const reached = fleet.trigger(parsed.data.targets ?? 'all', toScenarioSpec(parsed.data.scenario));
  return { count: reached.length, instances: reached };
}
