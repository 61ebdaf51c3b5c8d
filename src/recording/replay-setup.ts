import type { InstanceDescription } from '../metadata/instance.js';
import type { HttpTokens } from '../wire.js';
import type { Replay } from './replay.js';

/**
 * The instance a replay serves when combined with a configuration: the recording's instance, with
 * the configuration's `set`/`remove` overrides, credential rotation and metadata options (hop
 * limit, tags, IPv6: settings of the instance, not recorded). The configuration's other instance
 * fields describe a built instance and do not apply to a recorded one.
 */
export function replayInstance(replay: Replay, configured: InstanceDescription): InstanceDescription {
  return {
    ...replay.instance,
    credentialRotation: configured.credentialRotation,
    ...(configured.overrides ? { overrides: configured.overrides } : {}),
    ...(configured.metadataOptions
      ? { metadataOptions: { ...replay.instance.metadataOptions, ...configured.metadataOptions } }
      : {}),
  };
}

/** `HttpTokens` for a replay: a setting given explicitly wins, else what the recording observed, else the default. */
export function replayHttpTokens(replay: Replay, configured: HttpTokens, explicit: boolean): HttpTokens {
  return explicit ? configured : (replay.httpTokens ?? configured);
}
