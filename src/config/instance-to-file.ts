import type { InstanceDescription, PushedSshKey } from '../metadata/instance.js';
import { formatDuration } from '../duration.js';
import { formatTimestamp } from './timestamp.js';

/** The parts of a configuration file that describe an instance. */
export interface InstanceFileParts {
  readonly instance: Record<string, unknown>;
  readonly credentials: { readonly rotateEvery: string; readonly lifetime: string; readonly jitter: string };
  readonly set?: Record<string, string>;
  readonly remove?: string[];
}

/**
 * An instance written in the configuration file's form, every field explicit: loading the result
 * gives the same instance back. Run-time state (spot notice, events, lifecycle) is not part of a
 * file's instance; scenarios produce it.
 */
export function instanceToFile(instance: InstanceDescription): InstanceFileParts {
  const {
    credentialRotation,
    overrides,
    maintenanceEvents: _events,
    spotNotice: _spot,
    rebalanceNoticeTime: _rebalance,
    targetLifecycleState: _lifecycle,
    userData,
    launchTime,
    iam,
    tags,
    instanceConnectKeys,
    ...plain
  } = instance;
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const [path, value] of Object.entries(overrides ?? {})) {
    if (value === null) remove.push(path);
    else set[path] = value;
  }
  return {
    instance: {
      ...plain,
      launchTime: formatTimestamp(launchTime),
      iam: iam ?? null,
      tags: tags ?? null,
      ...(instanceConnectKeys?.length
        ? {
            instanceConnectKeys: instanceConnectKeys.map(pushedKeyToFile),
          }
        : {}),
      ...(userData ? { userData: { base64: Buffer.from(userData).toString('base64') } } : {}),
    },
    credentials: {
      rotateEvery: formatDuration(credentialRotation.rotationSeconds * 1000),
      lifetime: formatDuration(credentialRotation.lifetimeSeconds * 1000),
      jitter: formatDuration((credentialRotation.jitterSeconds ?? 0) * 1000),
    },
    ...(Object.keys(set).length > 0 ? { set } : {}),
    ...(remove.length > 0 ? { remove } : {}),
  };
}

/**
 * A key pushed with EC2 Instance Connect in the file's form (`instance.instanceConnectKeys[]`),
 * which the control API's `GET /instance-connect/keys` answers too.
 */
export function pushedKeyToFile(key: PushedSshKey) {
  return {
    user: key.user,
    publicKey: key.publicKey,
    pushed: formatTimestamp(key.pushedAt),
    expires: formatTimestamp(key.expiresAt),
    caller: key.caller,
    requestId: key.requestId,
  };
}
