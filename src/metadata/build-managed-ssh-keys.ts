import type { InstanceConnectSigner } from './instance-connect-signer.js';
import type { InstanceDescription, PushedSshKey } from './instance.js';
import { dir, lazyDir, lazyLeaf, leaf, sortedDir, type Directory } from './tree.js';

/**
 * The first version that lists `managed-ssh-keys/`. AWS's category table does not name one; EC2
 * Instance Connect shipped in June 2019, so the first version after it (docs/decisions/0017).
 */
const SINCE = '2019-10-01';

/** The CN EC2 Instance Connect's agent expects of the signer: `managed-ssh-signer.<region>.<domain>`. */
export function signerName(instance: InstanceDescription): string {
  return `managed-ssh-signer.${instance.region}.${instance.services.domain}`;
}

/** The keys served at `now`, in push order. */
export function activeSshKeys(instance: InstanceDescription, now: number): PushedSshKey[] {
  return (instance.instanceConnectKeys ?? []).filter((key) => key.pushedAt <= now && now < key.expiresAt);
}

/** The next instant after `now` a pushed key appears or expires (Infinity when none will). */
export function nextSshKeyChangeAt(instance: InstanceDescription, now: number): number {
  let next = Infinity;
  for (const key of instance.instanceConnectKeys ?? []) {
    if (key.pushedAt > now) next = Math.min(next, key.pushedAt);
    else if (key.expiresAt > now) next = Math.min(next, key.expiresAt);
  }
  return next;
}

/**
 * The lines of one key block that the signature covers, each ending in LF: the `#Key=value`
 * comments (expiry in epoch seconds, instance, caller, request), then the key line.
 */
export function signedKeyData(key: PushedSshKey, instanceId: string): string {
  return [
    `#Timestamp=${Math.floor(key.expiresAt / 1000)}`,
    `#Instance=${instanceId}`,
    `#Caller=${key.caller}`,
    `#Request=${key.requestId}`,
    key.publicKey,
  ]
    .map((line) => `${line}\n`)
    .join('');
}

/**
 * `meta-data/managed-ssh-keys/` while at least one pushed key is active, else undefined (a 404,
 * as on an instance nothing was pushed to): `active-keys/<user>` (each key block followed by its
 * signature, blocks separated by a blank line, ending in LF), `signer-cert` (the PEM chain) and
 * `signer-ocsp/<fingerprint>` (base64 OCSP staples). Signatures and certificates are made on first
 * read.
 *
 * @see https://github.com/aws/aws-ec2-instance-connect-config (what the agent reads and checks)
 */
export function managedSshKeysDirectory(
  instance: InstanceDescription,
  signer: InstanceConnectSigner,
  now: number,
): Directory | undefined {
  const active = activeSshKeys(instance, now);
  if (active.length === 0) return undefined;
  const name = signerName(instance);
  const byUser = new Map<string, PushedSshKey[]>();
  for (const key of active) byUser.set(key.user, [...(byUser.get(key.user) ?? []), key]);
  const activeKeys = sortedDir(
    [...byUser].map(
      ([user, keys]) =>
        [
          user,
          lazyLeaf(
            () =>
              keys
                .map((key) => {
                  const data = signedKeyData(key, instance.instanceId);
                  return `${data}${signer.signBlock(name, data)}\n`;
                })
                .join('\n'),
            SINCE,
          ),
        ] as const,
    ),
    SINCE,
  );
  return dir(
    [
      ['active-keys', activeKeys],
      ['signer-cert', lazyLeaf(() => signer.chainPem(name), SINCE)],
      [
        'signer-ocsp',
        lazyDir(
          () =>
            [...signer.staples(name)].map(
              ([fingerprint, staple]) => [fingerprint, leaf(staple, SINCE)] as const,
            ),
          SINCE,
        ),
      ],
    ],
    SINCE,
  );
}
