import { resolveMoment } from './moment.js';
import type { ScenarioEffect } from './scenario.js';
import type { CredentialRotationSpec } from './spec.js';
import { editInstanceFrom } from './with-instance.js';

/**
 * An early credential rotation: at `when`, the role and identity credentials are replaced by a
 * new set (new keys, a new `Expiration`), and the regular rotation restarts from there. The old
 * set stays valid until its own expiration, as on EC2.
 */
export function credentialRotation(spec: CredentialRotationSpec, anchor: number): ScenarioEffect {
  const rotatedAt = resolveMoment(spec.when, anchor);
  return editInstanceFrom(rotatedAt, (instance) => {
    const rotation = instance.credentialRotation;
    return {
      ...instance,
      credentialRotation: { ...rotation, anchor: rotatedAt, generation: (rotation.generation ?? 0) + 1 },
    };
  });
}
