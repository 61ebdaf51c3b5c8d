import { controlBindRefusal } from '../net/bind-policy.js';
import { DEFAULT_INSTANCE } from '../metadata/default-instance.js';
import type { InstanceDescription } from '../metadata/instance.js';
import type { ScenarioSpec } from '../scenarios/spec.js';
import type { FleetSpec } from '../fleet/fleet-spec.js';
import { ConfigError, type LocatedProblem } from './config-error.js';
import { loadConfigFile, type FileAccess, type FileConfig, type FileSettings } from './load-file.js';
import {
  CONFIG_ENV,
  KNOWN_ENV,
  METADATA_OPTION_SETTINGS,
  SETTINGS,
  type ServeSettings,
  type SettingName,
  type SettingSource,
} from './settings.js';
import { suggest } from './suggest.js';

/** Everything `imds serve` runs with, and where each setting came from. */
export interface EffectiveConfig {
  /** The configuration file read, if any. */
  readonly configFile?: string;
  readonly settings: ServeSettings;
  readonly sources: Readonly<Record<SettingName, SettingSource>>;
  /** `start`: the clock starts at this time; `manual`: it moves only when told (control API). */
  readonly clock: { readonly start?: number; readonly manual: boolean };
  readonly instance: InstanceDescription;
  /** The keys the configuration file's `instance:` section wrote (none without a file or section). */
  readonly describedKeys: readonly string[];
  readonly scenarios: readonly ScenarioSpec[];
  /** Many instances behind this emulator (`fleet:` or `--fleet-count`); one instance when absent. */
  readonly fleet?: FleetSpec;
  /** Things worth saying that do not stop the start (an unknown `IMDS_*` variable). */
  readonly warnings: readonly string[];
}

/** The raw inputs: flag values as typed, the environment, and file access. */
export interface ResolveInput {
  readonly flags: Partial<Record<SettingName | 'config', string>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly files?: FileAccess;
}

/**
 * Resolves the configuration: flags > `IMDS_*` environment > file > defaults. Every problem in
 * the flags, the environment and the file is collected, then reported together; nothing is
 * started with a configuration that has one.
 *
 * @throws {ConfigError} with one line per problem.
 * @example
 * ```ts
 * const config = resolveConfig({ flags: { port: '0' }, env: process.env });
 * config.settings.port;  // 0
 * config.sources.port;   // 'flag'
 * ```
 */
export function resolveConfig(input: ResolveInput): EffectiveConfig {
  const problems: LocatedProblem[] = [];
  const fromFlags = parseAll(input.flags, 'flag', problems);
  const envText: Partial<Record<SettingName, string>> = {};
  for (const [name, setting] of entries()) {
    const value = input.env[setting.env];
    if (value !== undefined && value !== '') envText[name] = value;
  }
  const fromEnv = parseAll(envText, 'environment', problems);

  const configPath = nonEmpty(input.flags.config) ?? nonEmpty(input.env[CONFIG_ENV]);
  let file: FileConfig | undefined;
  if (configPath !== undefined) {
    try {
      file = loadConfigFile(configPath, input.files);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }

  const settings: Record<string, string | number> = {};
  const sources = {} as Record<SettingName, SettingSource>;
  for (const [name, setting] of entries()) {
    const fileValue = file?.settings[name as keyof FileSettings];
    const [value, source] =
      fromFlags[name] !== undefined
        ? [fromFlags[name], 'flag' as const]
        : fromEnv[name] !== undefined
          ? [fromEnv[name], 'environment' as const]
          : fileValue !== undefined
            ? [fileValue, 'file' as const]
            : [setting.default, 'default' as const];
    sources[name] = source;
    if (value !== undefined) settings[name] = value;
  }
  const resolved = settings as unknown as ServeSettings;

  const refusal = controlBindRefusal(resolved.controlHost, resolved.controlToken);
  if (resolved.controlPort !== undefined && refusal) {
    problems.push({
      source: 'the control API',
      path: [],
      message: `${refusal} (control host from ${describeSource('controlHost', sources.controlHost, configPath)}): set --control-token, ${SETTINGS.controlToken.env} or control.token, or keep it on 127.0.0.1`,
    });
  }
  if (
    resolved.controlPort !== undefined &&
    resolved.controlPort !== 0 &&
    resolved.controlPort === resolved.port
  ) {
    problems.push({
      source: 'the control API',
      path: [],
      message: `cannot share port ${resolved.port} with the metadata service: choose another control port (0 picks a free one)`,
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);

  // A metadata option from a flag or a variable overrides the file's `instance.metadataOptions`.
  const described = file?.instance ?? DEFAULT_INSTANCE;
  const options = Object.fromEntries(
    METADATA_OPTION_SETTINGS.filter((name) => resolved[name] !== undefined).map((name) => [
      name,
      resolved[name],
    ]),
  );
  const instance =
    Object.keys(options).length === 0
      ? described
      : { ...described, metadataOptions: { ...described.metadataOptions, ...options } };

  return {
    ...(configPath === undefined ? {} : { configFile: configPath }),
    settings: resolved,
    sources,
    clock: file?.clock ?? { manual: false },
    instance,
    describedKeys: file?.describedKeys ?? [],
    scenarios: file?.scenarios ?? [],
    ...(file?.fleet ? { fleet: file.fleet } : {}),
    warnings: unknownEnvWarnings(input.env),
  };
}

/**
 * Some settings from their flags and `IMDS_*` variables only, else their defaults: for commands
 * that share settings with `imds serve` but read no configuration file (`imds proxy`).
 *
 * @throws {ConfigError} with one line per bad flag or variable, naming it.
 * @example
 * ```ts
 * resolveFlagsAndEnvironment(['attribution'], { flags: {}, env: { IMDS_ATTRIBUTION: 'after' } });
 * // { attribution: 'after' }
 * ```
 */
export function resolveFlagsAndEnvironment<Name extends SettingName>(
  names: readonly Name[],
  input: Omit<ResolveInput, 'files'>,
): Pick<ServeSettings, Name> {
  const problems: LocatedProblem[] = [];
  const pick = (texts: Partial<Record<string, string>>) =>
    Object.fromEntries(names.flatMap((name) => (texts[name] === undefined ? [] : [[name, texts[name]]])));
  const fromFlags = parseAll(pick(input.flags), 'flag', problems);
  const envText = Object.fromEntries(
    names.flatMap((name) => {
      const value = input.env[SETTINGS[name].env];
      return value === undefined || value === '' ? [] : [[name, value]];
    }),
  );
  const fromEnv = parseAll(envText, 'environment', problems);
  if (problems.length > 0) throw new ConfigError(problems);
  const settings: Record<string, string | number> = {};
  for (const name of names) {
    const value = fromFlags[name] ?? fromEnv[name] ?? SETTINGS[name].default;
    if (value !== undefined) settings[name] = value;
  }
  return settings as unknown as Pick<ServeSettings, Name>;
}

function entries(): [SettingName, (typeof SETTINGS)[SettingName]][] {
  return Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][];
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text === '' ? undefined : text;
}

function parseAll(
  texts: Partial<Record<string, string>>,
  kind: 'flag' | 'environment',
  problems: LocatedProblem[],
): Partial<Record<SettingName, string | number>> {
  const values: Partial<Record<SettingName, string | number>> = {};
  for (const [name, setting] of entries()) {
    const text = texts[name];
    if (text === undefined) continue;
    const value = setting.parse(text);
    if (value === undefined) {
      const shown = setting.secret ? '(hidden)' : `'${text}'`;
      problems.push({
        source: kind === 'flag' ? setting.flag : setting.env,
        path: [],
        message: `must be ${setting.expectation}; got ${shown}`,
      });
    } else {
      values[name] = value;
    }
  }
  return values;
}

/**
 * Where a setting came from, as error messages name it: its flag, its variable, `FILE: key.path`,
 * or `the default`.
 */
export function describeSource(name: SettingName, source: SettingSource, file: string | undefined): string {
  const setting = SETTINGS[name];
  switch (source) {
    case 'flag':
      return setting.flag;
    case 'environment':
      return setting.env;
    case 'file':
      return `${file}: ${setting.fileKey.join('.')}`;
    case 'default':
      return 'the default';
  }
}

/** A warning for each `IMDS_*` variable this program does not read, with the likely intended one. */
function unknownEnvWarnings(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.keys(env)
    .filter((name) => name.startsWith('IMDS_') && !KNOWN_ENV.includes(name))
    .sort()
    .map((name) => {
      const meant = suggest(name, KNOWN_ENV);
      return `${name} is not a setting of imds serve and is ignored${meant ? `; did you mean ${meant}?` : ''}`;
    });
}
