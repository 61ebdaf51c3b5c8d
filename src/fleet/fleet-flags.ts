import net from 'node:net';
import type { EffectiveConfig } from '../config/resolve.js';
import type { FleetSpec, Unmatched } from './fleet-spec.js';
import { templateMembers } from './template-members.js';
import { FLEET_MAX_INSTANCES } from '../config/schema/fleet-schema.js';

/** The `imds serve --fleet-*` flags as typed. */
export interface FleetFlags {
  readonly count?: string | undefined;
  readonly sources?: string | undefined;
  readonly listen?: string | undefined;
  readonly header?: string | undefined;
  readonly unmatched?: string | undefined;
}

/** A `--fleet-*` flag that cannot be used; the message names the flag. */
export class FleetFlagError extends Error {
  override readonly name = 'FleetFlagError';
}

const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/**
 * The fleet `imds serve` runs: the file's `fleet:` block, or `--fleet-count` instances derived
 * from the configured instance (with the configured scenarios), with `--fleet-header` and
 * `--fleet-unmatched` applied on top of either. Undefined when neither asks for a fleet.
 *
 * @throws {FleetFlagError} naming the flag that is wrong.
 * @example fleetOf(config, { count: '3', sources: '127.0.0.2' })?.members.length // 3
 */
export function fleetOf(config: EffectiveConfig, flags: FleetFlags): FleetSpec | undefined {
  let spec = config.fleet;
  if (flags.count !== undefined) {
    if (spec)
      throw new FleetFlagError(
        `--fleet-count: ${config.configFile ?? 'the configuration'} already describes a fleet (fleet:); change it there`,
      );
    const count = Number(flags.count);
    if (!/^\d+$/.test(flags.count) || count < 1 || count > FLEET_MAX_INSTANCES)
      throw new FleetFlagError(
        `--fleet-count: expected a number of instances from 1 to ${FLEET_MAX_INSTANCES}, got '${flags.count}'`,
      );
    for (const [flag, value] of [
      ['--fleet-sources', flags.sources],
      ['--fleet-listen', flags.listen],
    ] as const) {
      if (value !== undefined && net.isIPv4(value) === false)
        throw new FleetFlagError(
          `${flag}: expected the first IPv4 address such as 127.0.0.2, got '${value}'`,
        );
    }
    try {
      spec = {
        members: templateMembers(config.instance, {
          count,
          sources: flags.sources,
          listen: flags.listen === undefined ? undefined : { host: flags.listen },
          scenarios: config.scenarios,
        }),
        // With neither sources nor listeners, the header is the only way to reach instance 2 and on.
        ...(flags.sources === undefined && flags.listen === undefined ? { header: 'x-imds-instance' } : {}),
        unmatched: { kind: 'refuse' },
      };
    } catch (error) {
      throw new FleetFlagError(`--fleet-count: ${(error as Error).message}`);
    }
  } else if (flags.sources !== undefined || flags.listen !== undefined) {
    throw new FleetFlagError('--fleet-sources and --fleet-listen go with --fleet-count');
  }
  if (!spec) {
    if (flags.header !== undefined || flags.unmatched !== undefined)
      throw new FleetFlagError(
        '--fleet-header and --fleet-unmatched need a fleet: --fleet-count N or fleet: in the file',
      );
    return undefined;
  }
  if (flags.header !== undefined) {
    if (!/^[A-Za-z0-9-]+$/.test(flags.header))
      throw new FleetFlagError(
        `--fleet-header: expected a header name such as X-Imds-Instance, got '${flags.header}'`,
      );
    spec = { ...spec, header: flags.header.toLowerCase() };
  }
  if (flags.unmatched !== undefined) spec = { ...spec, unmatched: unmatchedOf(flags.unmatched) };
  return spec;
}

function unmatchedOf(text: string): Unmatched {
  if (text === 'refuse' || text === 'timeout') return { kind: text };
  if (INSTANCE_ID.test(text)) return { kind: 'instance', instanceId: text };
  throw new FleetFlagError(`--fleet-unmatched: expected refuse, timeout or an instance id, got '${text}'`);
}
