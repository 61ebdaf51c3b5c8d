/**
 * The settings that can be given four ways, side by side: flag, `IMDS_*` environment variable,
 * configuration-file key and default. Resolution order: flag > environment > file > default.
 *
 * | setting | flag | environment | file key | default |
 * |---|---|---|---|---|
 * | host | `--host` | `IMDS_HOST` | `host` | `127.0.0.1` |
 * | port | `--port` | `IMDS_PORT` | `port` | `1338` |
 * | httpTokens | `--http-tokens` | `IMDS_HTTP_TOKENS` | `httpTokens` | `required` |
 * | httpEndpoint | `--http-endpoint` | `IMDS_HTTP_ENDPOINT` | `httpEndpoint` | `enabled` |
 * | controlHost | `--control-host` | `IMDS_CONTROL_HOST` | `control.host` | `127.0.0.1` |
 * | controlPort | `--control-port` | `IMDS_CONTROL_PORT` | `control.port` | none (no control API) |
 * | controlToken | `--control-token` | `IMDS_CONTROL_TOKEN` | `control.token` | none |
 * | controlAllowedHosts | `--control-allowed-host` | `IMDS_CONTROL_ALLOWED_HOSTS` | `control.allowedHosts` | none |
 * | controlAllowedOrigins | `--control-allowed-origin` | `IMDS_CONTROL_ALLOWED_ORIGINS` | `control.allowedOrigins` | none |
 * | seed | `--seed` | `IMDS_SEED` | `seed` | random |
 * | httpPutResponseHopLimit | `--http-put-response-hop-limit` | `IMDS_HTTP_PUT_RESPONSE_HOP_LIMIT` | `instance.metadataOptions.httpPutResponseHopLimit` | not enforced |
 * | instanceMetadataTags | `--instance-metadata-tags` | `IMDS_INSTANCE_METADATA_TAGS` | `instance.metadataOptions.instanceMetadataTags` | not enforced |
 * | httpProtocolIpv6 | `--http-protocol-ipv6` | `IMDS_HTTP_PROTOCOL_IPV6` | `instance.metadataOptions.httpProtocolIpv6` | not enforced |
 * | attribution | `--attribution` | `IMDS_ATTRIBUTION` | `audit.attribution` | `auto` on Linux, else `off` |
 * | attributionBudget | `--attribution-budget` | `IMDS_ATTRIBUTION_BUDGET` | `audit.attributionBudget` | `5` (percent) |
 * | requestLog | `--request-log` | `IMDS_REQUEST_LOG` | `audit.requestLog` | none |
 *
 * The file itself: `--config` > `IMDS_CONFIG`.
 */
import type { z } from 'zod';
import {
  DEFAULT_MAX_DUTY_CYCLE,
  defaultAttribution,
  type AttributionSetting,
} from '../server/attribution-mode.js';
import { DEFAULT_EMULATOR_HOST, DEFAULT_EMULATOR_PORT, type HttpEndpoint, type HttpTokens } from '../wire.js';
import {
  attributionBudgetSchema,
  attributionSchema,
  controlAllowedHostsSchema,
  controlAllowedOriginsSchema,
  controlTokenSchema,
  hostSchema,
  requestLogSchema,
  seedSchema,
} from './schema/config-schema.js';
import { httpEndpointSchema, httpTokensSchema, portSchema } from './schema/fields.js';
import { metadataOptionsSchema } from './schema/instance-schema.js';
import { builtOnce } from './schema/built-once.js';

/** The resolved settings `imds serve` runs with. */
export interface ServeSettings {
  readonly host: string;
  readonly port: number;
  readonly httpTokens: HttpTokens;
  readonly httpEndpoint: HttpEndpoint;
  readonly controlHost: string;
  /** Absent: no control API. */
  readonly controlPort?: number;
  readonly controlToken?: string;
  /** Comma-separated extra `Host` names the control API answers to. */
  readonly controlAllowedHosts?: string;
  /** Comma-separated web origins allowed to call the control API. */
  readonly controlAllowedOrigins?: string;
  /** Absent: a random seed. */
  readonly seed?: number;
  /** The instance's metadata options (absent: as the instance says); merged into `instance.metadataOptions`. */
  readonly httpPutResponseHopLimit?: number;
  readonly instanceMetadataTags?: 'enabled' | 'disabled';
  readonly httpProtocolIpv6?: 'enabled' | 'disabled';
  /** When callers are looked up (see docs/audit.md), or `off`. */
  readonly attribution: AttributionSetting;
  /** The share of time (percent, 0 < x <= 100) caller lookups may take; 100: no limit. */
  readonly attributionBudget: number;
  /** The file every request is appended to as a JSON line (for `imds audit FILE`). */
  readonly requestLog?: string;
}

/** The settings `imds proxy` shares with `imds serve` (flag and variable only: the proxy has no file). */
export const AUDIT_SETTINGS = [
  'attribution',
  'attributionBudget',
  'requestLog',
] as const satisfies readonly SettingName[];

/** The settings that are instance metadata options rather than service settings. */
export const METADATA_OPTION_SETTINGS = [
  'httpPutResponseHopLimit',
  'instanceMetadataTags',
  'httpProtocolIpv6',
] as const satisfies readonly SettingName[];

/** A setting's name, as in {@link ServeSettings}. */
export type SettingName = keyof ServeSettings;
/** Where a resolved setting came from. */
export type SettingSource = 'flag' | 'environment' | 'file' | 'default';

/** One setting's four spellings, its default and how text becomes its value. */
export interface SettingDefinition {
  readonly flag: string;
  readonly env: string;
  /** The key path in the configuration file. */
  readonly fileKey: readonly string[];
  readonly default: string | number | undefined;
  /** What a valid value looks like, in the words of error messages. */
  readonly expectation: string;
  /** The value of a flag's or variable's text, or undefined when it is not valid. */
  parse(text: string): string | number | undefined;
  /** Never printed (`--print-config` shows it redacted). */
  readonly secret?: boolean;
}

/** A setting's parser; its schema is built on the first value given, not when this module loads. */
const withSchema = (schema: () => z.ZodType, fromText: (text: string) => unknown = (text) => text) => {
  const built = builtOnce(schema);
  return (text: string) => {
    const result = built().safeParse(fromText(text));
    return result.success ? (result.data as string | number) : undefined;
  };
};
const integerText = (text: string) => (/^[0-9]+$/.test(text) ? Number(text) : Number.NaN);
const decimalText = (text: string) => (/^[0-9]+(\.[0-9]+)?$/.test(text) ? Number(text) : Number.NaN);

/** Every setting's flag, variable, file key, default and parser (the table above). */
export const SETTINGS: Readonly<Record<SettingName, SettingDefinition>> = {
  host: {
    flag: '--host',
    env: 'IMDS_HOST',
    fileKey: ['host'],
    default: DEFAULT_EMULATOR_HOST,
    expectation: 'a host name or address such as 127.0.0.1',
    parse: withSchema(hostSchema),
  },
  port: {
    flag: '--port',
    env: 'IMDS_PORT',
    fileKey: ['port'],
    default: DEFAULT_EMULATOR_PORT,
    expectation: 'an integer from 0 to 65535',
    parse: withSchema(portSchema, integerText),
  },
  httpTokens: {
    flag: '--http-tokens',
    env: 'IMDS_HTTP_TOKENS',
    fileKey: ['httpTokens'],
    default: 'required',
    expectation: 'one of required, optional',
    parse: withSchema(httpTokensSchema),
  },
  httpEndpoint: {
    flag: '--http-endpoint',
    env: 'IMDS_HTTP_ENDPOINT',
    fileKey: ['httpEndpoint'],
    default: 'enabled',
    expectation: 'one of enabled, disabled',
    parse: withSchema(httpEndpointSchema),
  },
  controlHost: {
    flag: '--control-host',
    env: 'IMDS_CONTROL_HOST',
    fileKey: ['control', 'host'],
    default: DEFAULT_EMULATOR_HOST,
    expectation: 'a host name or address such as 127.0.0.1',
    parse: withSchema(hostSchema),
  },
  controlPort: {
    flag: '--control-port',
    env: 'IMDS_CONTROL_PORT',
    fileKey: ['control', 'port'],
    default: undefined,
    expectation: 'an integer from 0 to 65535',
    parse: withSchema(portSchema, integerText),
  },
  controlToken: {
    flag: '--control-token',
    env: 'IMDS_CONTROL_TOKEN',
    fileKey: ['control', 'token'],
    default: undefined,
    expectation: 'a bearer token of at least 16 visible ASCII characters',
    parse: withSchema(controlTokenSchema),
    secret: true,
  },
  controlAllowedHosts: {
    flag: '--control-allowed-host',
    env: 'IMDS_CONTROL_ALLOWED_HOSTS',
    fileKey: ['control', 'allowedHosts'],
    default: undefined,
    expectation: 'host names separated by commas, such as imds-control,emulator.internal',
    parse: withSchema(controlAllowedHostsSchema),
  },
  controlAllowedOrigins: {
    flag: '--control-allowed-origin',
    env: 'IMDS_CONTROL_ALLOWED_ORIGINS',
    fileKey: ['control', 'allowedOrigins'],
    default: undefined,
    expectation: 'origins separated by commas, such as http://localhost:5173',
    parse: withSchema(controlAllowedOriginsSchema),
  },
  seed: {
    flag: '--seed',
    env: 'IMDS_SEED',
    fileKey: ['seed'],
    default: undefined,
    expectation: 'an integer from 0 to 4294967295',
    parse: withSchema(seedSchema, integerText),
  },
  httpPutResponseHopLimit: {
    flag: '--http-put-response-hop-limit',
    env: 'IMDS_HTTP_PUT_RESPONSE_HOP_LIMIT',
    fileKey: ['instance', 'metadataOptions', 'httpPutResponseHopLimit'],
    default: undefined,
    expectation: 'an integer from 1 to 64',
    parse: withSchema(() => metadataOptionsSchema().shape.httpPutResponseHopLimit, integerText),
  },
  instanceMetadataTags: {
    flag: '--instance-metadata-tags',
    env: 'IMDS_INSTANCE_METADATA_TAGS',
    fileKey: ['instance', 'metadataOptions', 'instanceMetadataTags'],
    default: undefined,
    expectation: 'one of enabled, disabled',
    parse: withSchema(() => metadataOptionsSchema().shape.instanceMetadataTags),
  },
  httpProtocolIpv6: {
    flag: '--http-protocol-ipv6',
    env: 'IMDS_HTTP_PROTOCOL_IPV6',
    fileKey: ['instance', 'metadataOptions', 'httpProtocolIpv6'],
    default: undefined,
    expectation: 'one of enabled, disabled',
    parse: withSchema(() => metadataOptionsSchema().shape.httpProtocolIpv6),
  },
  attribution: {
    flag: '--attribution',
    env: 'IMDS_ATTRIBUTION',
    fileKey: ['audit', 'attribution'],
    default: defaultAttribution(),
    expectation: 'one of auto, before, after, off',
    parse: withSchema(attributionSchema),
  },
  attributionBudget: {
    flag: '--attribution-budget',
    env: 'IMDS_ATTRIBUTION_BUDGET',
    fileKey: ['audit', 'attributionBudget'],
    default: DEFAULT_MAX_DUTY_CYCLE * 100,
    expectation: 'a percentage greater than 0 and at most 100, such as 5',
    parse: withSchema(attributionBudgetSchema, decimalText),
  },
  requestLog: {
    flag: '--request-log',
    env: 'IMDS_REQUEST_LOG',
    fileKey: ['audit', 'requestLog'],
    default: undefined,
    expectation: 'a file path such as requests.jsonl',
    parse: withSchema(requestLogSchema),
  },
};

/** `--config FILE` > `IMDS_CONFIG`. */
export const CONFIG_ENV = 'IMDS_CONFIG';

/** Every `IMDS_*` variable this program reads. */
export const KNOWN_ENV: readonly string[] = [
  CONFIG_ENV,
  ...Object.values(SETTINGS).map((setting) => setting.env),
];
