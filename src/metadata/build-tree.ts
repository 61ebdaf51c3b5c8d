import { buildOverrides } from './overrides.js';
import { dynamicDirectory } from './build-dynamic.js';
import { metaDataDirectory } from './build-meta-data.js';
import { nextRotationAt } from './credentials.js';
import type { IdentitySigner } from './identity-signer.js';
import type { InstanceConnectSigner } from './instance-connect-signer.js';
import { nextSshKeyChangeAt } from './build-managed-ssh-keys.js';
import type { InstanceDescription } from './instance.js';
import { dir, leaf, OCTET_STREAM, type Directory } from './tree.js';
import { DYNAMIC, META_DATA, USER_DATA } from '../wire.js';

/** A built tree and the time until which it stays right (credentials rotate then). */
export interface BuiltTree {
  readonly root: Directory;
  /** The tree is right from `builtAt` (inclusive) to `validUntil` (exclusive). */
  readonly builtAt: number;
  readonly validUntil: number;
}

/** What building needs besides the description: the emulator's secret and signer. */
export interface BuildContext {
  readonly secret: Uint8Array;
  readonly signer: IdentitySigner;
  /** Signs pushed EC2 Instance Connect keys and holds their certificate chain (made on first read). */
  readonly instanceConnect: InstanceConnectSigner;
}

/**
 * The tree under a version (`/latest/`): `dynamic`, `meta-data` and, when present, `user-data`,
 * listed without trailing slashes as the real service lists them; then the description's overrides.
 */
export function buildTree(instance: InstanceDescription, context: BuildContext, now: number): BuiltTree {
  const root = dir(
    [
      [DYNAMIC, dynamicDirectory(instance, context.signer)],
      [META_DATA, metaDataDirectory(instance, context, now)],
      [USER_DATA, instance.userData ? leaf(instance.userData, '1.0', OCTET_STREAM) : undefined],
    ],
    '1.0',
    { bareDirectoryNames: true },
  );
  return {
    root: buildOverrides(root, instance.overrides),
    builtAt: now,
    validUntil: Math.min(
      nextRotationAt(instance.launchTime, instance.credentialRotation, now),
      nextSshKeyChangeAt(instance, now),
    ),
  };
}
