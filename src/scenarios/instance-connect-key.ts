import { createHash } from 'node:crypto';
import type { InstanceDescription } from '../metadata/instance.js';
import { resolveMoment } from './moment.js';
import type { ScenarioEffect } from './scenario.js';
import type { InstanceConnectKeySpec } from './spec.js';
import { withInstance } from './with-instance.js';

/**
 * How long a key pushed with `SendSSHPublicKey` stays in instance metadata.
 * @see https://docs.aws.amazon.com/ec2-instance-connect/latest/APIReference/API_SendSSHPublicKey.html
 */
export const PUSHED_KEY_LIFETIME_MS = 60_000;

/** Who pushed a key when the push does not say: a user of the instance's account and partition. */
export function defaultCaller(instance: InstanceDescription): string {
  return `arn:${instance.services.partition}:iam::${instance.accountId}:user/ec2-imds`;
}

/** A UUID-shaped request id derived from the push, so the same push always reads the same. */
export function derivedRequestId(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A key pushed with EC2 Instance Connect: listed under `managed-ssh-keys/active-keys/<user>` from
 * `when` for 60 seconds (or `lifetimeMs`), then gone, on the emulator's clock.
 */
export function instanceConnectKey(spec: InstanceConnectKeySpec, anchor: number, id: string): ScenarioEffect {
  const pushedAt = resolveMoment(spec.when, anchor);
  const expiresAt = pushedAt + (spec.lifetimeMs ?? PUSHED_KEY_LIFETIME_MS);
  const requestId = spec.requestId ?? derivedRequestId(`${id}\0${pushedAt}\0${spec.user}\0${spec.publicKey}`);
  return {
    changesAt: [pushedAt, expiresAt],
    endsAt: expiresAt,
    apply: (state, now) =>
      now < pushedAt || now >= expiresAt
        ? state
        : withInstance(state, (instance) => ({
            ...instance,
            instanceConnectKeys: [
              ...(instance.instanceConnectKeys ?? []),
              {
                user: spec.user,
                publicKey: spec.publicKey,
                pushedAt,
                expiresAt,
                caller: spec.caller ?? defaultCaller(instance),
                requestId,
              },
            ],
          })),
  };
}
