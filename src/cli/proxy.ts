/**
 * `imds proxy --upstream URL`: an auditing proxy in front of a metadata service (see
 * src/proxy/proxy.ts and docs/audit.md). Runs until SIGINT/SIGTERM.
 */
import { auditReport } from '../audit/report.js';
import { ConfigError } from '../config/config-error.js';
import { resolveFlagsAndEnvironment } from '../config/resolve.js';
import { metadataOptionsSchema } from '../config/schema/instance-schema.js';
import { AUDIT_SETTINGS, SETTINGS } from '../config/settings.js';
import { startControlServer, type RunningControlServer } from '../control/control-server.js';
import { requestRecord } from '../control/controller.js';
import { ENFORCE_MODES, startProxy, type EnforceMode, type RunningProxy } from '../proxy/proxy.js';
import { auditOptionsOf, followRequests } from './audit-flags.js';
import { EXIT, type CommandIo } from './io.js';
import { FlagError, parseFlags, type ParsedValues } from './parse-flags.js';

export const DEFAULT_PROXY_PORT = 8254;

const HELP = `Usage: imds proxy --upstream URL [options]

Forwards every request to the metadata service at URL unchanged and records who made it
(process, user, container, user agent). See docs/audit.md for putting it in front of
169.254.169.254 on an instance.

Options:
  --upstream URL               the metadata service, http://host:port; must be loopback unless
                               --allow-remote-upstream is given
  --allow-remote-upstream      allow a non-loopback upstream (the real service: http://169.254.169.254)
  --host ADDR                  address to listen on (default 127.0.0.1)
  --port N                     port, 0 picks a free one (default ${DEFAULT_PROXY_PORT})
  --enforce MODE               off (default) | dry-run (mark token-less reads IMDSv2 would refuse) |
                               on (refuse them with 401, as HttpTokens=required does)
  --attribution MODE           auto (default on Linux) | before | after | off; see imds serve --help
                               (${SETTINGS.attribution.env})
  --attribution-budget PCT     share of time lookups may take (default 5; 100: no limit)
                               (${SETTINGS.attributionBudget.env})
  --request-log FILE           append every request, with its caller, as a JSON line (imds audit FILE)
                               (${SETTINGS.requestLog.env})
  --log-requests WHICH         print a line per request on stderr: v1 | all | off (default)
  --http-put-response-hop-limit N
                               the instance's HttpPutResponseHopLimit (1-64); at 1, token PUTs from
                               --container-clients are never answered, as on EC2 (the proxy's own
                               connection would otherwise get them a token)
                               (${SETTINGS.httpPutResponseHopLimit.env})
  --container-clients LIST     addresses or CIDR blocks of callers that are containers, comma
                               separated, such as 172.17.0.0/16 (docker0)
  --control-port N             serve /requests, /audit and /dashboard on this port (0 picks one)
  --control-host ADDR          address of the control listener (default 127.0.0.1)
  --control-token TOKEN        bearer token for it, required beyond loopback (IMDS_CONTROL_TOKEN)
  -h, --help                   show this help
`;

const OPTIONS = {
  upstream: { type: 'string' },
  'allow-remote-upstream': { type: 'boolean' },
  host: { type: 'string' },
  port: { type: 'string' },
  enforce: { type: 'string' },
  attribution: { type: 'string' },
  'attribution-budget': { type: 'string' },
  'request-log': { type: 'string' },
  'log-requests': { type: 'string' },
  'http-put-response-hop-limit': { type: 'string' },
  'container-clients': { type: 'string' },
  'control-port': { type: 'string' },
  'control-host': { type: 'string' },
  'control-token': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function portOf(flag: string, text: string | undefined, fallback: number | undefined): number | undefined {
  if (text === undefined) return fallback;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65_535)
    throw new Error(`--${flag}: expected a port 0..65535, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** `--container-clients a,b/16`: checked as `instance.metadataOptions.containerClients` is. */
function containerClientsOf(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const list = text.split(',').map((each) => each.trim());
  const checked = metadataOptionsSchema().shape.containerClients.safeParse(list);
  if (!checked.success)
    throw new Error(
      `--container-clients: expected addresses or CIDR blocks separated by commas, such as 172.17.0.0/16, got ${JSON.stringify(text)}`,
    );
  return checked.data;
}

/** Runs `imds proxy` until `until()` resolves; resolves to the exit code. */
export async function proxy(argv: string[], io: CommandIo, until: () => Promise<void>): Promise<number> {
  let parsed: ParsedValues<typeof OPTIONS>;
  try {
    parsed = parseFlags(argv, OPTIONS, false).values as typeof parsed;
  } catch (error) {
    if (!(error instanceof FlagError)) throw error;
    io.stderr(`imds proxy: ${error.message}\n\n${HELP}`);
    return EXIT.usage;
  }
  if (parsed.help) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  let running: RunningProxy;
  let control: RunningControlServer | undefined;
  let stopAudit: () => void = () => {};
  try {
    if (parsed.upstream === undefined) throw new Error('--upstream URL is required');
    const enforce = (parsed.enforce ?? 'off') as EnforceMode;
    if (!ENFORCE_MODES.includes(enforce))
      throw new Error(`--enforce: expected off, dry-run or on, got ${JSON.stringify(parsed.enforce)}`);
    const port = portOf('port', parsed.port, DEFAULT_PROXY_PORT) as number;
    const containerClients = containerClientsOf(parsed['container-clients']);
    const controlPort = portOf('control-port', parsed['control-port'], undefined);
    const settings = resolveFlagsAndEnvironment([...AUDIT_SETTINGS, 'httpPutResponseHopLimit'], {
      flags: {
        ...(parsed.attribution === undefined ? {} : { attribution: parsed.attribution }),
        ...(parsed['attribution-budget'] === undefined
          ? {}
          : { attributionBudget: parsed['attribution-budget'] }),
        ...(parsed['request-log'] === undefined ? {} : { requestLog: parsed['request-log'] }),
        ...(parsed['http-put-response-hop-limit'] === undefined
          ? {}
          : { httpPutResponseHopLimit: parsed['http-put-response-hop-limit'] }),
      },
      env: io.env,
    });
    const from = (name: 'attribution' | 'requestLog', flag: string | undefined) =>
      flag === undefined ? SETTINGS[name].env : SETTINGS[name].flag;
    const audit = auditOptionsOf(settings, parsed['log-requests'], {
      attribution: from('attribution', parsed.attribution),
      requestLog: from('requestLog', parsed['request-log']),
    });
    running = await startProxy({
      upstream: parsed.upstream,
      allowRemoteUpstream: parsed['allow-remote-upstream'] === true,
      host: parsed.host ?? '127.0.0.1',
      port,
      enforce,
      ...(audit.attribution ? { attribution: audit.attribution } : {}),
      metadataOptions: {
        ...(settings.httpPutResponseHopLimit === undefined
          ? {}
          : { httpPutResponseHopLimit: settings.httpPutResponseHopLimit }),
        ...(containerClients === undefined ? {} : { containerClients }),
      },
    });
    try {
      stopAudit = followRequests(running.onRequest, audit, io, 'imds proxy');
      const token = parsed['control-token'] ?? io.env.IMDS_CONTROL_TOKEN;
      if (controlPort !== undefined) {
        const log = running.requests;
        control = await startControlServer({
          host: parsed['control-host'] ?? '127.0.0.1',
          port: controlPort,
          ...(token ? { token } : {}),
          handle: (request) => {
            const path = request.segments.join('/');
            if (request.method !== 'GET' || (path !== 'requests' && path !== 'audit'))
              return { status: 404, body: { error: 'not-found', message: `no proxy endpoint at /${path}` } };
            const records = log.entries().map(requestRecord);
            return path === 'audit'
              ? { status: 200, body: auditReport(records) }
              : { status: 200, body: { total: log.total, requests: records } };
          },
        });
      }
    } catch (error) {
      await running.close();
      stopAudit();
      throw error;
    }
  } catch (error) {
    const lines = error instanceof ConfigError ? error.lines : [(error as Error).message];
    io.stderr(lines.map((line) => `imds proxy: ${line}\n`).join(''));
    return EXIT.usage;
  }
  io.stdout(
    `IMDS proxy listening on ${running.url}, forwarding to ${running.upstream.origin} (enforce: ${running.enforce})\n` +
      (running.hopLimited
        ? `Token PUTs from ${running.hopLimited.clients.join(', ')} get no answer (hop limit ${running.hopLimited.limit}), as on EC2\n`
        : '') +
      (control ? `Dashboard: ${control.url}/dashboard  Audit: imds audit --control ${control.url}\n` : ''),
  );
  await until();
  await Promise.all([running.close(), control?.close()]);
  stopAudit();
  io.stderr('imds proxy: stopped\n');
  return EXIT.ok;
}

export async function run(argv: string[], io: CommandIo): Promise<number> {
  return proxy(argv, io, waitForSignal);
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
