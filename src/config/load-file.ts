import { dirname, resolve } from 'node:path';
import type { ScenarioSpec } from '../scenarios/spec.js';
import { buildInstance } from './build-instance.js';
import { buildFleet } from '../fleet/build-fleet.js';
import type { FleetSpec } from '../fleet/fleet-spec.js';
import { ConfigError, type LocatedProblem } from './config-error.js';
import { CONFIG_FILE_MAX_BYTES, readBoundedFile } from './read-bounded.js';
import { USER_DATA_MAX_BYTES } from '../wire.js';
import type { InstanceDescription } from '../metadata/instance.js';
import type { ConfigProblem } from './problem.js';
import { configFileSchema, type ConfigFileData } from './schema/config-schema.js';
import { toScenarioSpec } from './schema/scenario-schema.js';
import { treePath } from './schema/tree-path.js';
import { parseYamlSource } from './yaml-source.js';
import { problemsFromIssues } from './zod-problems.js';

/** What a configuration file says, checked and in the emulator's terms. */
export interface FileConfig {
  /** The file it came from (as given), or undefined for no file. */
  readonly path?: string;
  /** The settings the file sets (host, port...), as written; absent keys are absent. */
  readonly settings: FileSettings;
  readonly clock: { readonly start?: number; readonly manual: boolean };
  readonly instance: InstanceDescription;
  /** The keys the file's `instance:` section wrote (none when it has no such section). */
  readonly describedKeys: readonly string[];
  /** Scenarios then faults, in file order. */
  readonly scenarios: readonly ScenarioSpec[];
  /** The `fleet:` block, built: each instance is `instance:` with its own fields on top. */
  readonly fleet?: FleetSpec;
}

/** The keys of a file that are also flags and `IMDS_*` variables. */
export interface FileSettings {
  readonly host?: string;
  readonly port?: number;
  readonly httpTokens?: 'required' | 'optional';
  readonly httpEndpoint?: 'enabled' | 'disabled';
  readonly controlHost?: string;
  readonly controlPort?: number;
  readonly controlToken?: string;
  readonly controlAllowedHosts?: string;
  readonly controlAllowedOrigins?: string;
  readonly seed?: number;
  readonly httpPutResponseHopLimit?: number;
  readonly instanceMetadataTags?: 'enabled' | 'disabled';
  readonly httpProtocolIpv6?: 'enabled' | 'disabled';
  readonly attribution?: 'auto' | 'before' | 'after' | 'off';
  readonly attributionBudget?: number;
  /** As written in data; {@link loadConfigFile} makes a relative path relative to the file. */
  readonly requestLog?: string;
}

/** How the loader touches the file system (tests pass their own). */
export interface FileAccess {
  /** The whole file; `maxBytes` is the most the caller accepts (see {@link readBoundedFile}). */
  readFile(path: string, maxBytes: number): Uint8Array;
}

const nodeFiles: FileAccess = { readFile: (path, maxBytes) => readBoundedFile(path, maxBytes) };

/**
 * Reads, parses and checks a configuration file (YAML or JSON), and builds what it describes.
 * Every problem is collected before failing, each with its file, line, column and key path.
 *
 * @throws {ConfigError} when the file cannot be read or anything in it is wrong.
 * @example
 * ```ts
 * const config = loadConfigFile('examples/spot-interruption.yaml');
 * new Emulator({ instance: config.instance, scenarios: config.scenarios });
 * ```
 */
export function loadConfigFile(path: string, files: FileAccess = nodeFiles): FileConfig {
  let text: string;
  try {
    text = Buffer.from(files.readFile(path, CONFIG_FILE_MAX_BYTES)).toString('utf8');
  } catch (error) {
    throw new ConfigError([
      {
        source: path,
        path: [],
        message: `cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      },
    ]);
  }
  const jsonProblem = path.toLowerCase().endsWith('.json') ? strictJsonProblem(text) : undefined;
  if (jsonProblem) throw new ConfigError([{ ...jsonProblem, source: path }]);
  const source = parseYamlSource(text);
  // Problems are reported in the order they appear in the file.
  const locate = (problems: readonly ConfigProblem[]): LocatedProblem[] =>
    problems
      .map((problem) => {
        const position =
          'position' in problem ? (problem as LocatedProblem).position : source.positionOf(problem.path);
        return { source: path, ...problem, ...(position ? { position } : {}) };
      })
      .sort(
        (a, b) =>
          (a.position?.line ?? 0) - (b.position?.line ?? 0) ||
          (a.position?.column ?? 0) - (b.position?.column ?? 0),
      );
  if (source.syntaxProblems.length > 0) throw new ConfigError(locate(source.syntaxProblems));
  const data = source.data ?? {};
  const baseDir = dirname(resolve(path));
  const built = configFromData(data, (file) => files.readFile(resolve(baseDir, file), USER_DATA_MAX_BYTES));
  if ('problems' in built) throw new ConfigError(locate(built.problems));
  const { requestLog } = built.config.settings;
  // Like user-data files, a request log named in the file is relative to the file.
  return requestLog === undefined
    ? { path, ...built.config }
    : {
        path,
        ...built.config,
        settings: { ...built.config.settings, requestLog: resolve(baseDir, requestLog) },
      };
}

/**
 * Checks configuration data (already parsed) and builds what it describes, or returns every
 * problem with its key path. The test fixture and the control API use this directly.
 */
export function configFromData(
  data: unknown,
  readUserDataFile: (path: string) => Uint8Array = () => {
    throw new Error('user data files can only be named in a configuration file');
  },
): { config: Omit<FileConfig, 'path'> } | { problems: ConfigProblem[] } {
  const schema = configFileSchema();
  const parsed = schema.safeParse(data);
  if (!parsed.success) return { problems: problemsFromIssues(parsed.error.issues, schema, data) };
  const file: ConfigFileData = parsed.data;
  const set = file.set
    ? Object.fromEntries(Object.entries(file.set).map(([key, value]) => [treePath().parse(key), value]))
    : undefined;
  const { instance, problems } = buildInstance(
    file.instance,
    { credentials: file.credentials, remove: file.remove, set },
    readUserDataFile,
  );
  if (problems.length > 0) return { problems };
  const scenarios = [...(file.scenarios ?? []), ...(file.faults ?? [])].map(toScenarioSpec);
  let fleet: FleetSpec | undefined;
  if (file.fleet) {
    const extras = { credentials: file.credentials, remove: file.remove, set };
    const built = buildFleet(file.fleet, { instance: file.instance, extras, scenarios }, readUserDataFile);
    if ('problems' in built) return { problems: built.problems };
    fleet = built.spec;
  }
  const settings: FileSettings = stripUndefined({
    host: file.host,
    port: file.port,
    httpTokens: file.httpTokens,
    httpEndpoint: file.httpEndpoint,
    controlHost: file.control?.host,
    controlPort: file.control?.port,
    controlToken: file.control?.token,
    controlAllowedHosts: file.control?.allowedHosts,
    controlAllowedOrigins: file.control?.allowedOrigins,
    seed: file.seed,
    httpPutResponseHopLimit: file.instance?.metadataOptions?.httpPutResponseHopLimit,
    instanceMetadataTags: file.instance?.metadataOptions?.instanceMetadataTags,
    httpProtocolIpv6: file.instance?.metadataOptions?.httpProtocolIpv6,
    attribution: file.audit?.attribution as FileSettings['attribution'],
    attributionBudget: file.audit?.attributionBudget,
    requestLog: file.audit?.requestLog,
  });
  return {
    config: {
      settings,
      clock: {
        ...(file.clock?.start === undefined ? {} : { start: file.clock.start }),
        manual: file.clock?.manual ?? false,
      },
      instance,
      describedKeys: Object.keys(file.instance ?? {}),
      scenarios,
      ...(fleet ? { fleet } : {}),
    },
  };
}

/**
 * A `.json` file is held to JSON: YAML would accept trailing commas and comments there, which
 * other tools reading the same file would not.
 */
function strictJsonProblem(text: string): LocatedProblem | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const message = (error as Error).message;
    const offset = Number(/position (\d+)/.exec(message)?.[1] ?? 0);
    const before = text.slice(0, offset).split('\n');
    return {
      source: '',
      path: [],
      position: { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 },
      message: `not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, '')}`,
    };
  }
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, each]) => each !== undefined)) as T;
}
