import type { BuildContext } from '../metadata/build-tree.js';
import type { InstanceDescription } from '../metadata/instance.js';
import type { Directory } from '../metadata/tree.js';

/**
 * Where the emulator's trees come from when they are not built from the instance description
 * alone: a replayed recording (`imds serve --from`) serves its own versions, each with its own
 * tree. The emulator still owns the instance (scenarios and run-time edits change it), the clock,
 * the secret and the signer, and passes them in.
 */
export interface TreeSource {
  /** The versions `GET /` lists, in order (`latest` included when served). */
  readonly versions: readonly string[];
  /** The tree under `version` for the instance served at `now`; undefined for a version not served. */
  treeAt(
    instance: InstanceDescription,
    version: string,
    now: number,
    context: BuildContext,
  ): Directory | undefined;
}
