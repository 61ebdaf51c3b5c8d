/**
 * `imds serve`: runs the emulator (and, when asked, its control API) until SIGINT/SIGTERM.
 * Settings come from flags > `IMDS_*` environment variables > the configuration file > defaults;
 * a configuration with any problem is reported in full and nothing is started (exit 2).
 */
import { writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { parseArgs } from 'node:util';
import { EXIT, type CommandIo } from './io.js';
import { coalescedOutput } from './coalesced-output.js';
import { FlagError, parseFlags } from './parse-flags.js';
import { LOG_LEVELS, requestLine, watchScenarios, type LogLevel } from './serve-log.js';
import { applyConfig, watchFile } from './serve-reload.js';
import { SCENARIO_FLAGS, SCENARIO_FLAGS_HELP, scenariosFromFlags } from './serve-scenarios.js';
import { clockOf } from '../config/clock-of.js';
import { ConfigError, type LocatedProblem } from '../config/config-error.js';
import { emulatorOptionsOf } from '../config/emulator-options.js';
import { printConfig } from '../config/print-config.js';
import { PEM_FILE_MAX_BYTES, readAtMost, readBoundedFile } from '../config/read-bounded.js';
import { describeSource, resolveConfig, type EffectiveConfig, type ResolveInput } from '../config/resolve.js';
import { CONFIG_ENV, SETTINGS, type SettingName } from '../config/settings.js';
import { ControlBindError } from '../control/control-bind-error.js';
import type { ControlServerOptions, RunningControlServer } from '../control/control-server.js';
import { Controller } from '../control/controller.js';
import { readRecordingFile } from '../recording/read.js';
import { replayOf, type Replay } from '../recording/replay.js';
import { keysRefusedWithRecording, replayHttpTokens, replayInstance } from '../recording/replay-setup.js';
import { Emulator } from '../server/emulator.js';
import type { RequestLogEntry } from '../server/request-log.js';
import { auditOptionsOf, followRequests } from './audit-flags.js';
import { FleetError } from '../fleet/fleet-error.js';
import type { FleetSpec } from '../fleet/fleet-spec.js';
import { Fleet } from '../fleet/fleet.js';
import { handleFleetControl } from '../fleet/fleet-control.js';
import { fleetOf, FleetFlagError, type FleetFlags } from '../fleet/fleet-flags.js';
import { serveFleet, type RunningFleet } from '../fleet/start-fleet-listeners.js';
import { createIdentitySigner, IdentityKeyError } from '../metadata/identity-signer.js';
import { bindsIpv6Endpoint } from '../net/link-local.js';
import { ListenError } from '../server/listen.js';
import { startEmulator, type RunningEmulator } from '../start/start.js';
import {
  DEFAULT_EMULATOR_HOST,
  DEFAULT_EMULATOR_PORT,
  IPV4_HOST,
  IPV6_HOST,
  TOKEN_HEADER,
  TOKEN_PATH,
  TOKEN_TTL_HEADER,
} from '../wire.js';

const HELP = `Usage: imds serve [options]

Runs a local EC2 instance metadata service (IMDSv1/v2). Each setting is taken from its flag,
else its environment variable, else the configuration file, else its default.

Options:
  -c, --config FILE            YAML or JSON configuration: instance, scenarios, faults (${CONFIG_ENV});
                               - reads it from standard input
  --from RECORDING             serve a recording made with 'imds record' (see docs/recording.md);
                               --config then adds set/remove, credentials, scenarios and settings
  -w, --watch                  reload the configuration file when it changes (a bad edit is reported
                               and the running configuration kept)
  --print-config               print the effective configuration as YAML and exit
  --host ADDR                  address to listen on (${SETTINGS.host.env}, default ${DEFAULT_EMULATOR_HOST})
  -p, --port N                 port, 0 picks a free one (${SETTINGS.port.env}, default ${DEFAULT_EMULATOR_PORT})
  --http-tokens MODE           required (IMDSv2 only, default) | optional (IMDSv1 allowed) (${SETTINGS.httpTokens.env})
  --http-endpoint MODE         enabled (default) | disabled (every request gets 403) (${SETTINGS.httpEndpoint.env})
  --control-port N             serve the control API on this port, 0 picks one (${SETTINGS.controlPort.env}, default off)
  --control-host ADDR          address of the control API (${SETTINGS.controlHost.env}, default 127.0.0.1)
  --control-token TOKEN        bearer token for the control API, required beyond loopback
                               (${SETTINGS.controlToken.env}; prefer the variable: flags show in ps)
  --control-allowed-host NAMES another name the control API answers to in Host, comma separated
                               (${SETTINGS.controlAllowedHosts.env}; IP addresses and localhost always work)
  --control-allowed-origin URLS  web origins allowed to call the control API, comma separated
                               (${SETTINGS.controlAllowedOrigins.env}; default none: see docs/security.md)
  --seed N                     seed of fault randomness, for repeatable error rates (${SETTINGS.seed.env})
  --http-put-response-hop-limit N
                               1-64; at 1, token PUTs from instance.metadataOptions.containerClients
                               go unanswered (${SETTINGS.httpPutResponseHopLimit.env})
  --instance-metadata-tags MODE
                               enabled | disabled (tags/ is 404) (${SETTINGS.instanceMetadataTags.env})
  --http-protocol-ipv6 MODE    enabled | disabled (IPv6 callers get no answer) (${SETTINGS.httpProtocolIpv6.env})
  --link-local                 listen on ${IPV4_HOST}:80, as on EC2, and on [${IPV6_HOST}]:80 when
                               HttpProtocolIpv6 is enabled or, not given, when that address is on an
                               interface; only inside a network namespace (see docs/link-local.md)
  --identity-key FILE          PEM private key that signs the identity document (default: generated)
  --identity-cert FILE         PEM certificate for that key
  --write-certificate FILE     write the three signing certificates (PEM bundle: signature, rsa2048, pkcs7)
  --log LEVEL                  requests (default: a line per request and per scenario change, on stderr)
                               | json (the same as JSON lines) | quiet
  --attribution MODE           name the process behind each request (Linux /proc, docs/audit.md): auto
                               (default: before answering while the socket table reads fast) | before | after | off
                               (${SETTINGS.attribution.env})
  --attribution-budget PCT     share of time lookups may take, 0 < PCT <= 100 (default 5; 100: no limit)
                               (${SETTINGS.attributionBudget.env})
  --request-log FILE           append every request, with its caller, as a JSON line (for imds audit FILE)
                               (${SETTINGS.requestLog.env})
  --fleet-count N              serve N instances derived from the configured one (ids, addresses, ENIs
                               counted up); a configuration file may describe a fleet instead (fleet:)
  --fleet-sources ADDR         instance n answers callers from ADDR + n (127.0.0.2, 172.18.0.10...)
  --fleet-listen ADDR          instance n also listens on ADDR + n (127.0.1.1...), on --port
  --fleet-header NAME          a request header naming the instance (X-Imds-Instance: i-0...)
  --fleet-unmatched WHAT       callers no instance claims get: refuse (403, default) | timeout | an instance id
  -h, --help                   show this help

${SCENARIO_FLAGS_HELP}
See docs/configuration.md, docs/scenarios.md, docs/control-api.md and docs/fleet.md.
`;

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  watch: { type: 'boolean', short: 'w' },
  from: { type: 'string' },
  'print-config': { type: 'boolean' },
  host: { type: 'string' },
  port: { type: 'string', short: 'p' },
  'http-tokens': { type: 'string' },
  'http-endpoint': { type: 'string' },
  'control-port': { type: 'string' },
  'control-host': { type: 'string' },
  'control-token': { type: 'string' },
  'control-allowed-host': { type: 'string' },
  'control-allowed-origin': { type: 'string' },
  seed: { type: 'string' },
  'link-local': { type: 'boolean' },
  'http-put-response-hop-limit': { type: 'string' },
  'instance-metadata-tags': { type: 'string' },
  'http-protocol-ipv6': { type: 'string' },
  'identity-key': { type: 'string' },
  'identity-cert': { type: 'string' },
  'write-certificate': { type: 'string' },
  log: { type: 'string' },
  attribution: { type: 'string' },
  'attribution-budget': { type: 'string' },
  'request-log': { type: 'string' },
  'fleet-count': { type: 'string' },
  'fleet-sources': { type: 'string' },
  'fleet-listen': { type: 'string' },
  'fleet-header': { type: 'string' },
  'fleet-unmatched': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...SCENARIO_FLAGS,
} as const;

type ParsedFlags = ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; strict: true; allowPositionals: false }>
>['values'];

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function readPem(flag: string, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readBoundedFile(path, PEM_FILE_MAX_BYTES).toString('utf8');
  } catch (error) {
    throw new UsageError(
      `--${flag}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

/** The setting flags as typed, for {@link resolveConfig}; `--link-local` stands for a host and port. */
function settingFlags(parsed: ParsedFlags): Partial<Record<SettingName | 'config', string>> {
  const linkLocal = parsed['link-local'] === true;
  const flags: Partial<Record<SettingName | 'config', string>> = {
    config: parsed.config,
    host: parsed.host ?? (linkLocal ? IPV4_HOST : undefined),
    port: parsed.port ?? (linkLocal ? '80' : undefined),
    httpTokens: parsed['http-tokens'],
    httpEndpoint: parsed['http-endpoint'],
    controlPort: parsed['control-port'],
    controlHost: parsed['control-host'],
    controlToken: parsed['control-token'],
    controlAllowedHosts: parsed['control-allowed-host'],
    controlAllowedOrigins: parsed['control-allowed-origin'],
    seed: parsed.seed,
    httpPutResponseHopLimit: parsed['http-put-response-hop-limit'],
    instanceMetadataTags: parsed['instance-metadata-tags'],
    httpProtocolIpv6: parsed['http-protocol-ipv6'],
    attribution: parsed.attribution,
    attributionBudget: parsed['attribution-budget'],
    requestLog: parsed['request-log'],
  };
  return Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined));
}

/** `--config -`: the configuration comes from standard input (read once, at start). */
const STDIN = '-';
const STDIN_NAME = 'standard input';

/**
 * The configuration the flags, environment and file describe, with the one-line scenarios added
 * after the file's. Problems in either are reported together.
 * @throws {ConfigError}
 */
function loadConfig(parsed: ParsedFlags, env: NodeJS.ProcessEnv): EffectiveConfig {
  const input: ResolveInput = {
    flags: settingFlags(parsed),
    env,
    files: {
      readFile: (path, maxBytes) =>
        path === STDIN ? readAtMost(0, maxBytes) : readBoundedFile(path, maxBytes),
    },
  };
  const problems: LocatedProblem[] = [];
  let config: EffectiveConfig | undefined;
  try {
    config = resolveConfig(input);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  let extra: ReturnType<typeof scenariosFromFlags> = [];
  try {
    extra = scenariosFromFlags(parsed);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  // `-` means nothing in a message: name standard input.
  const named = <T extends { source?: string; configFile?: string }>(item: T): T =>
    item.source === STDIN
      ? { ...item, source: STDIN_NAME }
      : item.configFile === STDIN
        ? { ...item, configFile: STDIN_NAME }
        : item;
  if (problems.length > 0 || config === undefined) throw new ConfigError(problems.map(named));
  return named(extra.length === 0 ? config : { ...config, scenarios: [...config.scenarios, ...extra] });
}

function reportConfigError(
  io: CommandIo,
  error: ConfigError,
  outcome: string,
  what = 'the configuration',
): void {
  io.stderr(
    error.lines.map((line) => `imds serve: ${line}\n`).join('') +
      `imds serve: ${outcome} (${plural(error.problems.length, 'problem')} in ${what})\n`,
  );
}

function fleetFlags(parsed: ParsedFlags): FleetFlags {
  return {
    count: parsed['fleet-count'],
    sources: parsed['fleet-sources'],
    listen: parsed['fleet-listen'],
    header: parsed['fleet-header'],
    unmatched: parsed['fleet-unmatched'],
  };
}

/**
 * A configuration as it applies to a replayed recording: the recording's instance with the
 * file's `set`/`remove` and credentials, and the recorded `HttpTokens` unless a setting gives one.
 */
/**
 * The configuration with a recording as its instance. The file's `instance:` section describes a
 * built instance, so with `--from` it is refused rather than silently dropped (as the fixture
 * refuses `instance` with `from`); overrides, credential rotation and metadata options still apply.
 * @throws {ConfigError} naming the first described key.
 */
function onReplay(config: EffectiveConfig, replay: Replay | undefined): EffectiveConfig {
  if (!replay) return config;
  const described = keysRefusedWithRecording(config.describedKeys);
  if (described.length > 0)
    throw new ConfigError([
      {
        source: config.configFile ?? 'the configuration',
        path: ['instance', described[0] as string],
        message:
          'describes a built instance and cannot be combined with --from (the recording is the instance); set, remove, credentials and metadata options still apply',
      },
    ]);
  return {
    ...config,
    instance: replayInstance(replay, config.instance),
    settings: {
      ...config.settings,
      httpTokens: replayHttpTokens(
        replay,
        config.settings.httpTokens,
        config.sources.httpTokens !== 'default',
      ),
    },
  };
}

/** What is running: the metadata listener and, when configured, the control API. */
interface Running {
  readonly metadata: RunningEmulator;
  /** `--link-local`'s second listener, on `[fd00:ec2::254]:80`, serving the same emulator. */
  readonly ipv6?: RunningEmulator;
  readonly control?: RunningControlServer;
  /** Stops attribution (queued lookups logged as skipped) and closes the request-log file. */
  readonly stopAudit: () => void;
}

/**
 * Runs `imds serve` with `argv` until `until()` resolves (a signal, for the CLI), then stops.
 * Resolves to the exit code.
 */
export async function serve(argv: string[], io: CommandIo, until: () => Promise<void>): Promise<number> {
  // Request lines are many and small: each turn's lines go out in one write (coalesced-output.ts).
  // Standard output is rare (the banner) and waits for the error lines queued before it.
  const log = coalescedOutput(io.stderr);
  const flushOnExit = () => log.flush();
  process.once('exit', flushOnExit);
  try {
    const stdout = (text: string | Uint8Array) => {
      log.flush();
      io.stdout(text);
    };
    return await serveWith(argv, { ...io, stdout, stderr: log.write }, until);
  } finally {
    log.flush();
    process.off('exit', flushOnExit);
  }
}

async function serveWith(argv: string[], io: CommandIo, until: () => Promise<void>): Promise<number> {
  let parsed: ParsedFlags;
  try {
    parsed = parseFlags(argv, OPTIONS, false).values as ParsedFlags;
  } catch (error) {
    if (!(error instanceof FlagError)) throw error;
    return usage(io, error.message);
  }
  if (parsed.help) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  const level = parsed.log ?? 'requests';
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    return usage(io, `--log must be one of ${LOG_LEVELS.join(', ')}; got '${level}'`);
  const configPath = parsed.config ?? io.env[CONFIG_ENV];
  if (parsed.watch && (configPath === undefined || configPath === '' || configPath === STDIN))
    return usage(io, '--watch needs a configuration file (--config FILE) to watch');
  let replay: Replay | undefined;
  if (parsed.from !== undefined) {
    try {
      replay = replayOf(readRecordingFile(parsed.from));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      reportConfigError(io, error, 'not started', 'the recording');
      return EXIT.usage;
    }
  }
  let config: EffectiveConfig;
  try {
    config = onReplay(loadConfig(parsed, io.env), replay);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    reportConfigError(io, error, 'not started');
    return EXIT.usage;
  }
  for (const warning of config.warnings) io.stderr(`imds serve: warning: ${warning}\n`);
  if (parsed['print-config']) {
    io.stdout(printConfig(config));
    return EXIT.ok;
  }

  const logLevel = level as LogLevel;
  const onRequest =
    logLevel === 'quiet' ? undefined : (entry: RequestLogEntry) => io.stderr(requestLine(entry, logLevel));
  let fleetSpec: FleetSpec | undefined;
  try {
    fleetSpec = fleetOf(config, fleetFlags(parsed));
  } catch (error) {
    if (!(error instanceof FleetFlagError)) throw error;
    io.stderr(`imds serve: ${error.message}\nimds serve: not started\n`);
    return EXIT.usage;
  }
  // A fleet derives its instances from a described one; deriving them from a recording is not done yet.
  if (fleetSpec && replay)
    return usage(io, '--from serves one recorded instance and cannot be combined with a fleet');
  if (fleetSpec) return serveFleetCommand(config, fleetSpec, parsed, io, until);

  let running: Running;
  try {
    running = await start(config, parsed, onRequest, io, replay);
  } catch (error) {
    if (isStartRefusal(error)) {
      io.stderr(`imds serve: ${(error as Error).message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  io.stdout(banner(running, config, parsed.from));
  const emulator = running.metadata.emulator;
  const stopScenarioLog =
    logLevel === 'quiet' ? undefined : watchScenarios(emulator, (line) => io.stderr(line), logLevel);
  let current = config;
  const stopWatching =
    parsed.watch && config.configFile !== undefined
      ? watchFile(config.configFile, () => {
          try {
            const next = onReplay(loadConfig(parsed, io.env), replay);
            const restart = applyConfig(emulator, current, next);
            current = next;
            io.stderr(
              `imds serve: reloaded ${next.configFile} (${plural(next.scenarios.length, 'scenario')})\n` +
                (restart.length > 0
                  ? `imds serve: warning: ${restart.join(', ')} changed; restart to apply\n`
                  : ''),
            );
          } catch (error) {
            if (!(error instanceof ConfigError)) throw error;
            reportConfigError(io, error, 'kept the running configuration');
          }
        })
      : undefined;
  await until();
  stopWatching?.();
  stopScenarioLog?.();
  await Promise.all([running.metadata.close(), running.ipv6?.close(), running.control?.close()]);
  running.stopAudit();
  io.stderr('imds serve: stopped\n');
  return EXIT.ok;
}

/** The running fleet and its control API, or a usage error (exit 2) printed. */
async function serveFleetCommand(
  config: EffectiveConfig,
  spec: FleetSpec,
  parsed: ParsedFlags,
  io: CommandIo,
  until: () => Promise<void>,
): Promise<number> {
  let running: { fleet: RunningFleet; control?: RunningControlServer };
  try {
    const keyPem = readPem('identity-key', parsed['identity-key']);
    const certificatePem = readPem('identity-cert', parsed['identity-cert']);
    const signer = createIdentitySigner({
      ...(keyPem ? { keyPem } : {}),
      ...(certificatePem ? { certificatePem } : {}),
    });
    const fleet = new Fleet(spec, {
      clock: clockOf(config.clock),
      signer,
      httpTokens: config.settings.httpTokens,
      httpEndpoint: config.settings.httpEndpoint,
      ...(config.settings.seed === undefined ? {} : { seed: config.settings.seed }),
    });
    const served = await serveFleet(fleet, { host: config.settings.host, port: config.settings.port });
    running = { fleet: served };
    try {
      writeCertificate(parsed['write-certificate'], () => signer.certificatePem);
      if (config.settings.controlPort !== undefined) {
        running.control = await startControl({
          handle: (request) => handleFleetControl(request, fleet, served.listeners),
          host: config.settings.controlHost,
          port: config.settings.controlPort,
          ...(config.settings.controlToken === undefined ? {} : { token: config.settings.controlToken }),
          allowedHosts: listSetting(config.settings.controlAllowedHosts),
          allowedOrigins: listSetting(config.settings.controlAllowedOrigins),
        });
      }
    } catch (error) {
      await served.close();
      throw error;
    }
  } catch (error) {
    if (isStartRefusal(error)) {
      io.stderr(`imds serve: ${(error as Error).message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  io.stdout(fleetBanner(running.fleet, running.control, config));
  await until();
  await Promise.all([running.fleet.close(), running.control?.close()]);
  io.stderr('imds serve: stopped\n');
  return EXIT.ok;
}

function fleetBanner(
  running: RunningFleet,
  control: RunningControlServer | undefined,
  config: EffectiveConfig,
): string {
  const fleet = running.fleet;
  const first = fleet.ids[0] as string;
  const own = [...running.listeners]
    .slice(0, 3)
    .map(([id, url]) => `  ${id} on ${url}\n`)
    .join('');
  const more = running.listeners.size > 3 ? `  ... and ${running.listeners.size - 3} more listeners\n` : '';
  const source = fleet.members.find((member) => member.sources.some((each) => !each.includes('/')))
    ?.sources[0];
  const header = fleet.header === undefined ? '' : ` -H "${fleet.header}: ${first}"`;
  const tryLine =
    source !== undefined
      ? `  curl -s --interface ${source} ${running.url}/latest/meta-data/instance-id   # needs the address on this host\n`
      : header
        ? `  curl -s${header} ${running.url}/latest/meta-data/instance-id\n`
        : '';
  return `IMDS fleet of ${plural(fleet.ids.length, 'instance')} listening on ${running.url} (HttpTokens=${config.settings.httpTokens})
${own}${more}Instances are created on first use; ${first} is the first. See docs/fleet.md.
${tryLine ? `Try (with a token when HttpTokens=required):\n${tryLine}` : ''}${control ? `Control API on ${control.url}${config.settings.controlToken ? ' (bearer token required)' : ''}: curl -s ${control.url}/instances\n` : ''}`;
}

/** Starts everything or nothing: a control API that cannot bind closes the metadata listener again. */
async function start(
  config: EffectiveConfig,
  parsed: ParsedFlags,
  onRequest: ((entry: RequestLogEntry) => void) | undefined,
  io: CommandIo,
  replay: Replay | undefined,
): Promise<Running> {
  const keyPem = readPem('identity-key', parsed['identity-key']);
  const certificatePem = readPem('identity-cert', parsed['identity-cert']);
  let audit: ReturnType<typeof auditOptionsOf>;
  try {
    const from = (name: 'attribution' | 'requestLog') =>
      describeSource(name, config.sources[name], config.configFile);
    audit = auditOptionsOf(config.settings, 'off', {
      attribution: from('attribution'),
      requestLog: from('requestLog'),
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const emulator = new Emulator({
    ...emulatorOptionsOf(
      { ...config.settings, instance: config.instance, scenarios: config.scenarios },
      clockOf(config.clock),
    ),
    identity: { ...(keyPem ? { keyPem } : {}), ...(certificatePem ? { certificatePem } : {}) },
    ...(onRequest ? { onRequest } : {}),
    ...(audit.attribution ? { attribution: audit.attribution } : {}),
    ...(replay ? { treeSource: replay.source } : {}),
  });
  let stopAudit: () => void;
  try {
    stopAudit = followRequests(emulator.onRequest.bind(emulator), audit, io, 'imds serve');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  let metadata: RunningEmulator;
  try {
    metadata = await startEmulator({ emulator, host: config.settings.host, port: config.settings.port });
  } catch (error) {
    stopAudit();
    throw error;
  }
  let ipv6: RunningEmulator | undefined;
  try {
    // --link-local without --host: the IPv6 endpoint too, when the instance's options call for it.
    if (
      parsed['link-local'] === true &&
      parsed.host === undefined &&
      bindsIpv6Endpoint(config.instance.metadataOptions?.httpProtocolIpv6, networkInterfaces())
    )
      ipv6 = await startEmulator({ emulator, host: IPV6_HOST, port: config.settings.port }).catch(
        (error: unknown) => {
          if (!(error instanceof ListenError)) throw error;
          throw new UsageError(
            `--link-local: HttpProtocolIpv6 is enabled, so [${IPV6_HOST}] is served too, but: ${error.message}. Add the address first (ip addr add ${IPV6_HOST}/128 dev lo, in a namespace of your own), or give --http-protocol-ipv6 disabled`,
          );
        },
      );
    writeCertificate(parsed['write-certificate'], () =>
      emulator.signer.certificateBundleFor(emulator.instance.services.partition),
    );
    if (config.settings.controlPort === undefined) return { metadata, ...(ipv6 ? { ipv6 } : {}), stopAudit };
    const control = await startControl({
      controller: new Controller(emulator),
      host: config.settings.controlHost,
      port: config.settings.controlPort,
      ...(config.settings.controlToken === undefined ? {} : { token: config.settings.controlToken }),
      allowedHosts: listSetting(config.settings.controlAllowedHosts),
      allowedOrigins: listSetting(config.settings.controlAllowedOrigins),
    });
    return { metadata, ...(ipv6 ? { ipv6 } : {}), control, stopAudit };
  } catch (error) {
    await Promise.all([metadata.close(), ipv6?.close()]);
    stopAudit();
    throw error;
  }
}

/**
 * What stops a start as the user's mistake (a bad flag, a taken port, an unusable key, a control
 * address or fleet it refuses): one line and exit 2, not a stack trace. The single-instance and the
 * fleet start share it.
 */
function isStartRefusal(error: unknown): boolean {
  return (
    error instanceof UsageError ||
    error instanceof ListenError ||
    error instanceof FleetError ||
    error instanceof IdentityKeyError ||
    error instanceof ControlBindError
  );
}

/**
 * `--write-certificate FILE`: a path that cannot be written is a usage error (one line, exit 2).
 * `pem` is called only when there is a file: reading a certificate makes its key (hundreds of ms).
 */
function writeCertificate(file: string | undefined, pem: () => string): void {
  if (!file) return;
  try {
    writeFileSync(file, pem());
  } catch (error) {
    throw new UsageError(
      `--write-certificate: cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}

/**
 * The control API, loaded when one is configured: it brings `node:http` and the dashboard, which a
 * start without `--control-port` never needs (issue 18: load what is not needed to answer later).
 */
async function startControl(options: ControlServerOptions): Promise<RunningControlServer> {
  const { startControlServer } = await import('../control/control-server.js');
  return startControlServer(options);
}

/** A comma-separated setting as a list (already checked and trimmed by its schema). */
function listSetting(text: string | undefined): string[] {
  return text === undefined || text === '' ? [] : text.split(',');
}

export async function run(argv: string[], io: CommandIo): Promise<number> {
  return serve(argv, io, waitForSignal);
}

function usage(io: CommandIo, message: string): number {
  io.stderr(`imds serve: ${message}\nRun 'imds serve --help' for its options.\n`);
  return EXIT.usage;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function banner(running: Running, config: EffectiveConfig, recording: string | undefined): string {
  const url = running.metadata.url;
  const served = running.metadata.emulator.stateAt();
  const scenarios =
    (recording === undefined ? '' : ` replaying ${recording}`) +
    (config.scenarios.length > 0 ? ` with ${plural(config.scenarios.length, 'scenario')}` : '');
  const control = running.control
    ? `Control API on ${running.control.url}${config.settings.controlToken ? ' (bearer token required)' : ''}: curl -s ${running.control.url}/state\n`
    : '';
  const also = running.ipv6 ? `Also listening on ${running.ipv6.url} (the IPv6 endpoint)\n` : '';
  return `IMDS emulator listening on ${url} (HttpTokens=${served.httpTokens})${scenarios}
${also}Try:
  TOKEN=$(curl -s -X PUT "${url}${TOKEN_PATH}" -H "${wireName(TOKEN_TTL_HEADER)}: 21600")
  curl -s -H "${wireName(TOKEN_HEADER)}: $TOKEN" ${url}/latest/meta-data/instance-id
Point AWS SDKs and the imds client at it (imds get reads the same variable):
  export AWS_EC2_METADATA_SERVICE_ENDPOINT=${url}
  imds get instance-id --endpoint ${url}
${control}`;
}

/** `X-aws-ec2-metadata-token` as the AWS docs spell it in curl examples. */
function wireName(header: string): string {
  return header.replace(/^x-aws-ec2/, 'X-aws-ec2');
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
