import { auditReport } from '../audit/report.js';
import { ConfigError } from '../config/config-error.js';
import { treeValues } from '../metadata/tree-values.js';
import { ScenarioError } from '../scenarios/scenario-error.js';
import { ClockError, type Controller } from './controller.js';

/** A control API request, already authorized, with its body read. */
export interface ControlRequest {
  readonly method: string;
  /** Path segments, percent-decoded (`/values/meta-data/ami-id` → `['values', 'meta-data', 'ami-id']`). */
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
  readonly contentType: string | undefined;
  readonly body: string;
}

/** A JSON answer (no body for 204). */
export interface ControlResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A route: the methods it takes and what each does. */
type Route = Readonly<Record<string, (request: ControlRequest, controller: Controller) => ControlResponse>>;

const json = (body: unknown, status = 200): ControlResponse => ({ status, body });
const noContent: ControlResponse = { status: 204 };

/** The request body as JSON, or a 400 naming the problem. */
function bodyJson(request: ControlRequest): unknown {
  if (request.body.trim() === '') return undefined;
  try {
    return JSON.parse(request.body);
  } catch (error) {
    throw new BadRequest(`the body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * A value to set: `{"value": ...}` or a bare JSON string. Bodies are JSON only: a raw `text/plain`
 * body is what a web page can send without a CORS preflight (see request-guard.ts).
 */
function bodyValue(request: ControlRequest): unknown {
  const parsed = bodyJson(request);
  return parsed && typeof parsed === 'object' && 'value' in parsed
    ? (parsed as { value: unknown }).value
    : parsed;
}

class BadRequest extends Error {
  override readonly name = 'BadRequest';
}

/**
 * The control API's routes. Paths and what they do are listed in docs/control-api.md.
 */
function route(segments: readonly string[]): Route | undefined {
  const [head, ...rest] = segments;
  switch (head) {
    case 'audit':
      return rest.length === 0 ? { GET: (_, c) => json(auditReport(c.requests())) } : undefined;
    case 'tree':
      return rest.length === 0 ? { GET: (_, c) => json(treeValues(c.emulator.tree())) } : undefined;
    case 'state':
      return rest.length === 0 ? { GET: (_, c) => json(c.state()) } : undefined;
    case 'values':
      return rest.length === 0
        ? { GET: (_, c) => json(c.state().values) }
        : {
            PUT: (request, c) => {
              c.set(rest.join('/'), bodyValue(request));
              return json(c.state().values);
            },
            DELETE: (_, c) => {
              c.remove(rest.join('/'));
              return json(c.state().values);
            },
          };
    case 'scenarios':
      if (rest.length === 0) {
        return {
          GET: (_, c) => json(c.scenarios()),
          POST: (request, c) => json(c.trigger(bodyJson(request)), 201),
        };
      }
      return rest.length === 1
        ? {
            GET: (_, c) => json(one(c, rest[0] as string)),
            DELETE: (_, c) => json(c.cancel(rest[0] as string)),
          }
        : undefined;
    case 'events':
      if (rest.length === 2 && (rest[1] === 'complete' || rest[1] === 'cancel')) {
        const state = rest[1] === 'complete' ? 'completed' : 'canceled';
        return { POST: (_, c) => json(c.endEvent(rest[0] as string, state)) };
      }
      return undefined;
    case 'instance-connect':
      if (rest.length === 1 && rest[0] === 'keys')
        return {
          GET: (_, c) => json(c.activeSshKeys()),
          POST: (request, c) => json(c.pushSshKey(bodyJson(request)), 201),
        };
      return rest.length === 1 && rest[0] === 'ca'
        ? { GET: (_, c) => json({ certificate: c.emulator.instanceConnect.rootPem }) }
        : undefined;
    case 'settings':
      return rest.length === 0
        ? {
            GET: (_, c) => json(settingsOf(c)),
            PUT: (request, c) => updateSettings(request, c),
            PATCH: (request, c) => updateSettings(request, c),
          }
        : undefined;
    case 'requests':
      return rest.length === 0
        ? {
            GET: (request, c) => {
              const since = Number(request.query.get('since') ?? '0');
              if (!Number.isInteger(since) || since < 0)
                throw new BadRequest('since: expected a non-negative integer');
              return json({ total: c.emulator.requests.total, requests: c.requests(since) });
            },
            DELETE: (_, c) => {
              c.clearRequests();
              return noContent;
            },
          }
        : undefined;
    case 'reset':
      return rest.length === 0
        ? {
            POST: (_, c) => {
              c.reset();
              return json(c.state());
            },
          }
        : undefined;
    case 'clock':
      return rest.length === 0
        ? {
            GET: (_, c) => json({ now: c.state().now, clock: c.state().clock }),
            POST: (request, c) => {
              const move = bodyJson(request);
              if (!move || typeof move !== 'object')
                throw new BadRequest('expected a JSON object with advance or set');
              return json({ now: c.moveClock(move as { advance?: unknown; set?: unknown }) });
            },
          }
        : undefined;
    default:
      return undefined;
  }
}

function one(controller: Controller, id: string) {
  const found = controller.scenarios().find((scenario) => scenario.id === id);
  if (!found) throw new ScenarioError('unknown-id', id, `no scenario with id '${id}'`);
  return found;
}

function settingsOf(controller: Controller) {
  const state = controller.state();
  return {
    httpTokens: state.httpTokens,
    httpEndpoint: state.httpEndpoint,
    metadataOptions: controller.emulator.instance.metadataOptions ?? {},
  };
}

function updateSettings(request: ControlRequest, controller: Controller): ControlResponse {
  const body = bodyJson(request);
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new BadRequest('expected a JSON object with httpTokens, httpEndpoint and/or metadataOptions');
  const { httpTokens, httpEndpoint, metadataOptions, ...others } = body as Record<string, unknown>;
  const unknown = Object.keys(others);
  if (unknown.length > 0)
    throw new BadRequest(
      `unknown setting ${unknown.map((key) => JSON.stringify(key)).join(', ')}; the settings here are httpTokens, httpEndpoint and metadataOptions`,
    );
  if (httpTokens === undefined && httpEndpoint === undefined && metadataOptions === undefined)
    throw new BadRequest('expected httpTokens, httpEndpoint and/or metadataOptions');
  if (httpTokens !== undefined) controller.setHttpTokens(httpTokens);
  if (httpEndpoint !== undefined) controller.setHttpEndpoint(httpEndpoint);
  if (metadataOptions !== undefined) controller.setMetadataOptions(metadataOptions);
  return json(settingsOf(controller));
}

/**
 * Answers one control request. Errors become JSON: `{ error, message, problems? }` with 400 for
 * invalid input, 404 for an unknown path or id, 405 for a method a path does not take, 409 for a
 * clock that cannot move.
 */
export function handleControl(request: ControlRequest, controller: Controller): ControlResponse {
  const routes = route(request.segments);
  if (!routes)
    return json(
      { error: 'not-found', message: `no control endpoint at /${request.segments.join('/')}` },
      404,
    );
  const handler = routes[request.method];
  if (!handler) {
    const allow = Object.keys(routes).join(', ');
    return {
      status: 405,
      body: { error: 'method-not-allowed', message: `${request.method} is not allowed here; use ${allow}` },
      headers: { Allow: allow },
    };
  }
  try {
    return handler(request, controller);
  } catch (error) {
    if (error instanceof ConfigError)
      return json({ error: 'invalid-request', message: error.message, problems: error.lines }, 400);
    if (error instanceof BadRequest) return json({ error: 'invalid-request', message: error.message }, 400);
    if (error instanceof ScenarioError)
      return json(
        { error: error.code, message: error.message },
        error.code === 'duplicate-id' || error.code === 'too-many' ? 409 : 404,
      );
    if (error instanceof ClockError)
      return json({ error: error.code, message: error.message }, error.code === 'not-manual' ? 409 : 400);
    throw error;
  }
}
