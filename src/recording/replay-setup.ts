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

/**
 * The keys of a configuration's `instance` that a recording cannot take: every one that describes
 * a built instance. `metadataOptions` are settings of the instance and apply to a replay as well.
 */
export function keysRefusedWithRecording(instanceKeys: readonly string[]): string[] {
  return instanceKeys.filter((key) => key !== 'metadataOptions');
}

/** `HttpTokens` for a replay: a setting given explicitly wins, else what the recording observed, else the default. */
export function replayHttpTokens(replay: Replay, configured: HttpTokens, explicit: boolean): HttpTokens {
  return explicit ? configured : (replay.httpTokens ?? configured);
}
