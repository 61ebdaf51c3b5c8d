import { Attributor } from '../audit/attributor.js';
import { ManualClock } from '../clock.js';
import { ConfigError, type LocatedProblem } from '../config/config-error.js';
import { emulatorOptionsOf } from '../config/emulator-options.js';
import { configFromData } from '../config/load-file.js';
import type { ActiveSshKeyRecord, RequestRecord, ScenarioRecord } from '../control/api-shapes.js';
import { Controller } from '../control/controller.js';
import { unknownKeyProblems } from '../config/unknown-keys.js';
import type { ScenarioEntryInput } from '../config/schema/scenario-schema.js';
import { readRecordingFile } from '../recording/read.js';
import { replayOf } from '../recording/replay.js';
import { keysRefusedWithRecording, replayInstance } from '../recording/replay-setup.js';
import { Emulator } from '../server/emulator.js';
import { startEmulator } from '../start/start.js';
import type { StartImdsOptions } from './options.js';
import { epochOf, fixtureClock, type ImdsClock } from './fixture-clock.js';
import { sdkEnv } from './sdk-env.js';

export type { ImdsClock } from './fixture-clock.js';

const SOURCE = 'startImds';

/** A running emulator for tests, on a free loopback port and a manual clock. */
export interface Imds extends AsyncDisposable {
  /**
   * `http://127.0.0.1:<port>`: the endpoint to give a client.
   * @example
   * ```ts
   * const client = new ImdsClient({ endpoint: imds.url, env: {} });
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
   */
  readonly url: string;
  /**
   * The variables that point AWS SDKs at this emulator (`AWS_EC2_METADATA_SERVICE_ENDPOINT`...).
   * @example
   * ```ts
   * Object.assign(process.env, imds.env); // then create the SDK client
   * ```
   * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-imds-client.html
   */
  readonly env: Readonly<Record<string, string>>;
  /**
   * The emulator's clock: it moves only when told.
   * @example
   * ```ts
   * imds.clock.advance('2m'); // token and credential expiry, scenarios follow
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-v2-how-it-works.html
   */
  readonly clock: ImdsClock;
  /**
   * Sets a path of the tree from now on (`meta-data/tags/instance/Name`).
   * @example
   * ```ts
   * imds.set('meta-data/tags/instance/Name', 'web-2');
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html
   */
  set(path: string, value: string): void;
  /**
   * Removes a path of the tree from now on: it answers 404 and leaves its directory's listing.
   * @example
   * ```ts
   * imds.remove('meta-data/public-ipv4');
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html
   */
  remove(path: string): void;
  readonly spot: {
    /**
     * Issues a spot interruption notice (now, or `after` a delay); the action is two minutes later.
     * @example
     * ```ts
     * imds.spot.interrupt({ action: 'stop', after: '30s' });
     * ```
     * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html
     */
    interrupt(options?: {
      action?: 'terminate' | 'stop' | 'hibernate';
      after?: string | number;
      at?: string;
      notice?: string | number;
    }): ScenarioRecord;
  };
  /**
   * Issues a rebalance recommendation (now, or `after` a delay).
   * @example
   * ```ts
   * imds.rebalance({ after: '1m' });
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/rebalance-recommendations.html
   */
  rebalance(options?: { after?: string | number; at?: string }): ScenarioRecord;
  readonly events: {
    /**
     * Schedules a maintenance event; returns its event id. The window defaults to a day from now,
     * for two hours.
     * @example
     * ```ts
     * const id = imds.events.schedule({ code: 'system-reboot' });
     * ```
     * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/monitoring-instances-status-check_sched.html
     */
    schedule(options: ScheduleEventOptions): string;
    /**
     * Moves an event to history as completed (its description prefixed `[Completed]`).
     * @example
     * ```ts
     * imds.events.complete(id);
     * ```
     * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/monitoring-instances-status-check_sched.html
     */
    complete(eventId: string): void;
    /**
     * Moves an event to history as canceled (its description prefixed `[Canceled]`).
     * @example
     * ```ts
     * imds.events.cancel(id);
     * ```
     * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/monitoring-instances-status-check_sched.html
     */
    cancel(eventId: string): void;
  };
  readonly instanceConnect: {
    /**
     * Pushes a public key as `SendSSHPublicKey` does: served under
     * `meta-data/managed-ssh-keys/active-keys/<user>` from now for 60 s of the emulator's clock
     * (`lifetime` to change it), signed by the emulator's Instance Connect signer.
     * @example
     * ```ts
     * imds.instanceConnect.push({ user: 'ec2-user', publicKey: 'ssh-ed25519 AAAA... me' });
     * imds.clock.advance('60s'); // gone
     * ```
     * @see https://docs.aws.amazon.com/ec2-instance-connect/latest/APIReference/API_SendSSHPublicKey.html
     */
    push(options: PushSshKeyOptions): ScenarioRecord;
    /**
     * The pushed keys served now.
     * @example
     * ```ts
     * expect(imds.instanceConnect.keys().map((key) => key.user)).toEqual(['ec2-user']);
     * ```
     * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-connect-methods.html
     */
    keys(): ActiveSshKeyRecord[];
    /**
     * The emulator's root CA (PEM) that issues the `signer-cert` chain: trust it to verify the chain
     * as the Instance Connect agent does (`openssl verify -CAfile`). Generated on first use.
     * @example
     * ```ts
     * writeFileSync('root.pem', imds.instanceConnect.rootCertificate);
     * ```
     * @see https://github.com/aws/aws-ec2-instance-connect-config
     */
    readonly rootCertificate: string;
  };
  /**
   * Issues a new credential set now (as when a role's credentials are rotated).
   * @example
   * ```ts
   * imds.rotateCredentials(); // new AccessKeyId and Expiration from now on
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html#instance-metadata-security-credentials
   */
  rotateCredentials(): ScenarioRecord;
  /**
   * Adds any scenario or fault, written as in a configuration file.
   * @example
   * ```ts
   * const { id } = imds.trigger({ type: 'throttle', ratePerSecond: 1 });
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html
   */
  trigger(entry: ScenarioEntryInput): ScenarioRecord;
  /**
   * Removes a scenario or fault by id.
   * @example
   * ```ts
   * imds.cancel(id);
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html
   */
  cancel(id: string): void;
  /**
   * Sets `HttpTokens`: `required` answers token-less reads with 401, `optional` allows IMDSv1.
   * @example
   * ```ts
   * imds.setHttpTokens('optional');
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-options.html
   */
  setHttpTokens(mode: 'required' | 'optional'): void;
  /**
   * Sets `HttpEndpoint`: `disabled` answers every request with 403.
   * @example
   * ```ts
   * imds.setHttpEndpoint('disabled');
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-options.html
   */
  setHttpEndpoint(mode: 'enabled' | 'disabled'): void;
  /**
   * The requests served so far, oldest first (method, path, version v2/v1/bad-token/token-request/none, status, peer...).
   * @example
   * ```ts
   * expect(imds.requests.filter((r) => r.version === 'v1')).toEqual([]); // no IMDSv1 caller
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-v2-how-it-works.html
   */
  readonly requests: readonly RequestRecord[];
  /**
   * Resolves once every request so far has its `caller` looked up (with `attribution: true`), to
   * the requests; at once otherwise.
   * @example
   * ```ts
   * const [first] = await imds.attributed(); // first.caller: { pid, exe, cmdline, ... }
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-v2-how-it-works.html
   */
  attributed(): Promise<readonly RequestRecord[]>;
  /**
   * Back to the state at start: instance, settings, scenarios (re-anchored now); the log emptied.
   * @example
   * ```ts
   * afterEach(() => imds.reset());
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html
   */
  reset(): void;
  /**
   * Stops the listener; `await using` calls it for you.
   * @example
   * ```ts
   * await imds.close();
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html
   */
  close(): Promise<void>;
  /**
   * The emulator underneath (the `Emulator` class of the `ec2-imds` entry, with the same
   * stability), for what this interface does not cover.
   */
  readonly emulator: Emulator;
}

/** A maintenance event to schedule; moments are durations from now or ISO times. */
export interface ScheduleEventOptions {
  readonly code:
    | 'instance-reboot'
    | 'system-reboot'
    | 'system-maintenance'
    | 'instance-retirement'
    | 'instance-stop';
  readonly notBefore?: string | number;
  readonly notAfter?: string | number;
  readonly description?: string;
  readonly after?: string | number;
}

/** A key to push with {@link Imds.instanceConnect}; durations as in a configuration file. */
export interface PushSshKeyOptions {
  readonly user: string;
  readonly publicKey: string;
  /** The pushing principal's ARN (`#Caller=`). */
  readonly caller?: string;
  /** The push's request id, a UUID (`#Request=`). */
  readonly requestId?: string;
  /** How long it stays; 60 s as on EC2 when absent. */
  readonly lifetime?: string | number;
  readonly after?: string | number;
}

/** Every option of {@link startImds}; the compiler keeps this list and the interface in step. */
const OPTION_KEYS = Object.keys({
  instance: true,
  httpTokens: true,
  httpEndpoint: true,
  scenarios: true,
  faults: true,
  set: true,
  remove: true,
  credentials: true,
  now: true,
  seed: true,
  host: true,
  attribution: true,
  from: true,
} satisfies Record<keyof StartImdsOptions, true>);

const HOSTS: readonly string[] = ['127.0.0.1', '::1', 'localhost'];

/**
 * Options typed in plain JavaScript can be anything: an unknown key is an error with the likely
 * meant one, as in a file, never silently ignored.
 * @throws {ConfigError}
 */
function checkKeys(source: string, value: unknown, known: readonly string[]): void {
  const problems: LocatedProblem[] = unknownKeyProblems(value, known).map((problem) => ({
    source,
    ...problem,
    // `port` is the usual guess: say why there is none rather than only what there is.
    ...(problem.path[0] === 'port'
      ? { message: 'unknown key; the fixture always listens on a free port: read imds.url' }
      : {}),
  }));
  if (problems.length > 0) throw new ConfigError(problems);
}

/**
 * Starts an emulator for a test: a free loopback port, a manual clock, the instance and scenarios
 * given. Several in one process are fully isolated.
 *
 * @throws {ConfigError} when an option is invalid (the same messages as for a configuration file).
 * @example
 * ```ts
 * import { startImds } from 'ec2-imds/testing';
 * await using imds = await startImds({ scenarios: [{ type: 'spot-interruption', after: '2m' }] });
 * imds.clock.advance('2m');
 * const res = await fetch(`${imds.url}/latest/meta-data/spot/instance-action`, { headers: { 'X-aws-ec2-metadata-token': token } });
 * ```
 */
export async function startImds(options: StartImdsOptions = {}): Promise<Imds> {
  checkKeys(SOURCE, options, OPTION_KEYS);
  const { instance, scenarios, faults, set, remove, credentials, httpTokens, httpEndpoint, seed } = options;
  // Everything a file can also hold is checked by the file's schema: one set of rules and messages.
  const data = Object.fromEntries(
    Object.entries({
      instance,
      scenarios,
      faults,
      set,
      remove,
      credentials,
      httpTokens,
      httpEndpoint,
      seed,
    }).filter(([, value]) => value !== undefined),
  );
  const checked = configFromData(data);
  const problems: LocatedProblem[] =
    'problems' in checked ? checked.problems.map((problem) => ({ source: SOURCE, ...problem })) : [];
  if (options.host !== undefined && !HOSTS.includes(options.host))
    problems.push({
      source: SOURCE,
      path: ['host'],
      message: `expected one of ${HOSTS.map((host) => JSON.stringify(host)).join(', ')}, got ${JSON.stringify(options.host)}`,
    });
  // As `imds serve --from`: metadata options apply to a recording; fields of a built instance do not.
  const refused =
    options.from === undefined || typeof options.instance !== 'object' || options.instance === null
      ? []
      : keysRefusedWithRecording(Object.keys(options.instance));
  if (refused.length > 0)
    problems.push({
      source: SOURCE,
      path: ['instance', refused[0] as string],
      message:
        'describes a built instance and cannot be combined with from (use set and remove to change a recording; metadataOptions still apply)',
    });
  if (problems.length > 0 || 'problems' in checked) throw new ConfigError(problems);
  const replay = options.from === undefined ? undefined : replayOf(readRecordingFile(options.from));
  const clock = new ManualClock(options.now === undefined ? Date.now() : epochOf(options.now, 'now', SOURCE));
  const { instance: described, scenarios: specs, settings } = checked.config;
  // A test wants every caller named, whatever it costs: no time budget.
  const attribution =
    options.attribution === true
      ? new Attributor({ mode: 'before', maxDutyCycle: 1, burstMs: Number.POSITIVE_INFINITY })
      : undefined;
  const emulator = new Emulator({
    ...emulatorOptionsOf(
      {
        instance: replay ? replayInstance(replay, described) : described,
        scenarios: specs,
        // A mode given here wins; else the mode the recording observed; else IMDSv2 only.
        httpTokens: settings.httpTokens ?? replay?.httpTokens ?? 'required',
        httpEndpoint: settings.httpEndpoint ?? 'enabled',
        seed: settings.seed ?? 0,
      },
      clock,
    ),
    ...(attribution ? { attribution } : {}),
    ...(replay ? { treeSource: replay.source } : {}),
  });
  const listener = await startEmulator({ emulator, host: options.host ?? '127.0.0.1', port: 0 });
  const running = {
    close: async () => {
      await listener.close();
      attribution?.close();
    },
  };
  const controller = new Controller(emulator, SOURCE);
  const trigger = (entry: Record<string, unknown>) => controller.trigger(entry);
  const when = (options: { after?: string | number | undefined; at?: string | undefined }) =>
    Object.fromEntries(
      Object.entries({ after: options.after, at: options.at }).filter(([, value]) => value !== undefined),
    );

  const imds: Imds = {
    url: listener.url,
    env: sdkEnv(listener.url),
    emulator,
    clock: fixtureClock(clock, SOURCE),
    set: (path, value) => controller.set(path, value),
    remove: (path) => controller.remove(path),
    spot: {
      interrupt: (options = {}) => {
        checkKeys('spot.interrupt', options, ['action', 'after', 'at', 'notice']);
        return trigger({
          type: 'spot-interruption',
          action: options.action ?? 'terminate',
          ...when(options),
          ...(options.notice === undefined ? {} : { notice: options.notice }),
        });
      },
    },
    rebalance: (options = {}) => {
      checkKeys('rebalance', options, ['after', 'at']);
      return trigger({ type: 'rebalance-recommendation', ...when(options) });
    },
    events: {
      schedule(options) {
        checkKeys('events.schedule', options, ['code', 'notBefore', 'notAfter', 'description', 'after']);
        const record = trigger({
          type: 'maintenance-event',
          code: options.code,
          notBefore: options.notBefore ?? '1d',
          notAfter: options.notAfter ?? '1d2h',
          ...(options.description === undefined ? {} : { description: options.description }),
          ...(options.after === undefined ? {} : { after: options.after }),
        });
        return record.eventId as string;
      },
      complete: (eventId) => void controller.endEvent(eventId, 'completed'),
      cancel: (eventId) => void controller.endEvent(eventId, 'canceled'),
    },
    instanceConnect: {
      push(options) {
        checkKeys('instanceConnect.push', options, [
          'user',
          'publicKey',
          'caller',
          'requestId',
          'lifetime',
          'after',
        ]);
        return controller.pushSshKey(options);
      },
      keys: () => controller.activeSshKeys(),
      get rootCertificate() {
        return emulator.instanceConnect.rootPem;
      },
    },
    rotateCredentials: () => trigger({ type: 'credential-rotation' }),
    trigger: (entry) => controller.trigger(entry),
    cancel: (id) => void controller.cancel(id),
    setHttpTokens: (mode) => void controller.setHttpTokens(mode),
    setHttpEndpoint: (mode) => void controller.setHttpEndpoint(mode),
    get requests() {
      return controller.requests();
    },
    async attributed() {
      await attribution?.idle();
      return controller.requests();
    },
    reset: () => controller.reset(),
    close: () => running.close(),
    [Symbol.asyncDispose]: () => running.close(),
  };
  return imds;
}
