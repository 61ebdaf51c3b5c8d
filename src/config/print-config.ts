import type { Document, Node } from 'yaml';
import { loadOnFirstUse } from '../load-on-first-use.js';
import type { FleetSpec } from '../fleet/fleet-spec.js';
import { FAULT_TYPES } from '../scenarios/spec.js';
import { instanceToFile } from './instance-to-file.js';
import type { EffectiveConfig } from './resolve.js';
import { SETTINGS, type SettingName } from './settings.js';
import { specToEntry } from './spec-to-entry.js';
import { formatTimestamp } from './timestamp.js';

const yaml = loadOnFirstUse<typeof import('yaml')>('yaml');

/**
 * The effective configuration as a YAML configuration file (`imds serve --print-config`): every
 * setting with a comment naming where it came from, the instance with every field explicit, and
 * the scenarios and faults. Loading it with `--config` gives the same emulator back, except the
 * control token, which is never printed.
 */
export function printConfig(config: EffectiveConfig): string {
  const { settings } = config;
  const parts = instanceToFile(config.instance);
  const scenarios = config.scenarios.filter((spec) => !FAULT_TYPES.has(spec.type)).map(specToEntry);
  const faults = config.scenarios.filter((spec) => FAULT_TYPES.has(spec.type)).map(specToEntry);
  const control = {
    host: settings.controlHost,
    ...(settings.controlPort === undefined ? {} : { port: settings.controlPort }),
    ...(settings.controlAllowedHosts === undefined ? {} : { allowedHosts: settings.controlAllowedHosts }),
    ...(settings.controlAllowedOrigins === undefined
      ? {}
      : { allowedOrigins: settings.controlAllowedOrigins }),
  };
  const data = {
    host: settings.host,
    port: settings.port,
    httpTokens: settings.httpTokens,
    httpEndpoint: settings.httpEndpoint,
    control,
    ...(settings.seed === undefined ? {} : { seed: settings.seed }),
    audit: {
      attribution: settings.attribution,
      attributionBudget: settings.attributionBudget,
      ...(settings.requestLog === undefined ? {} : { requestLog: settings.requestLog }),
    },
    ...(config.clock.start === undefined && !config.clock.manual
      ? {}
      : {
          clock: {
            ...(config.clock.start === undefined ? {} : { start: formatTimestamp(config.clock.start) }),
            manual: config.clock.manual,
          },
        }),
    instance: parts.instance,
    credentials: parts.credentials,
    ...(parts.remove ? { remove: parts.remove } : {}),
    ...(parts.set ? { set: parts.set } : {}),
    ...(scenarios.length > 0 ? { scenarios } : {}),
    ...(faults.length > 0 ? { faults } : {}),
    ...(config.fleet ? { fleet: fleetToFile(config.fleet, config.scenarios.length) } : {}),
  };
  const { Document, isMap, isScalar } = yaml();
  const document = new Document(data, { aliasDuplicateObjects: false });
  document.commentBefore =
    ` Effective configuration of imds serve (flags > IMDS_* environment > ${config.configFile ?? 'no file'} > defaults).\n` +
    ' Load it back with: imds serve --config FILE';
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    const node = nodeAt(document, SETTINGS[name].fileKey);
    if (node && isScalar(node)) node.comment = ` ${sourceText(name, config)}`;
  }
  if (settings.controlToken !== undefined) {
    const controlNode = document.get('control', true);
    if (isMap(controlNode))
      controlNode.commentBefore = ` token: set ${sourceText('controlToken', config)}; never printed`;
  }
  return document.toString({ lineWidth: 0 });
}

/**
 * The fleet as a `fleet:` block that loads back to the same fleet: every instance listed with all
 * its fields (a template is printed expanded), its own scenarios and faults after the top-level
 * ones it also carries.
 */
function fleetToFile(fleet: FleetSpec, sharedScenarios: number) {
  const unmatched = fleet.unmatched.kind === 'instance' ? fleet.unmatched.instanceId : fleet.unmatched.kind;
  return {
    ...(fleet.header === undefined ? {} : { header: fleet.header }),
    unmatched,
    instances: fleet.members.map((member) => {
      const own = member.scenarios.slice(sharedScenarios);
      const scenarios = own.filter((spec) => !FAULT_TYPES.has(spec.type)).map(specToEntry);
      const faults = own.filter((spec) => FAULT_TYPES.has(spec.type)).map(specToEntry);
      return {
        instance: instanceToFile(member.instance).instance,
        ...(member.httpTokens ? { httpTokens: member.httpTokens } : {}),
        ...(member.httpEndpoint ? { httpEndpoint: member.httpEndpoint } : {}),
        ...(member.sources.length > 0 ? { sources: [...member.sources] } : {}),
        ...(member.listen ? { listen: { ...member.listen } } : {}),
        ...(scenarios.length > 0 ? { scenarios } : {}),
        ...(faults.length > 0 ? { faults } : {}),
      };
    }),
  };
}

function sourceText(name: SettingName, config: EffectiveConfig): string {
  const setting = SETTINGS[name];
  switch (config.sources[name]) {
    case 'flag':
      return `from ${setting.flag}`;
    case 'environment':
      return `from ${setting.env}`;
    case 'file':
      return `from ${config.configFile}`;
    case 'default':
      return 'default';
  }
}

function nodeAt(document: Document, path: readonly string[]): Node | undefined {
  return document.getIn(path, true) as Node | undefined;
}
