import { createHash, createHmac } from 'node:crypto';
import type { CredentialRotation } from './instance.js';

/** One set of temporary credentials, as `iam/security-credentials/<role>` serves it. */
export interface CredentialSet {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly token: string;
  /** When this set appeared (epoch ms) and when it stops working. */
  readonly issuedAt: number;
  readonly expiration: number;
}

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * The credential set current at `now`. Sets are issued every `rotationSeconds` from the rotation's
 * `anchor` (`launchTime` when absent)
 * and each lives `lifetimeSeconds` less a per-set jitter (up to `jitterSeconds`), so a new set is
 * served well before the old one expires, as EC2 does (at least five minutes before), and
 * expirations are not all exactly one lifetime after issue. Values are derived from the emulator's secret, the
 * scope (role name) and the set's index: stable within a window, different across windows and
 * across emulators, and never a real key.
 *
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html#instance-metadata-security-credentials
 */
export function credentialsAt(
  secret: Uint8Array,
  scope: string,
  launchTime: number,
  rotation: CredentialRotation,
  now: number,
): CredentialSet {
  const { index, issuedAt } = rotationWindow(launchTime, rotation, now);
  // Generation 0 keeps the historic derivation, so an instance that never rotated early serves the same keys.
  const series = rotation.generation ? `${scope}\0g${rotation.generation}` : scope;
  const material = createHmac('sha256', secret).update(`${series}\0${index}`).digest();
  const more = createHmac('sha256', secret).update(`${series}\0${index}\0token`).digest();
  return {
    accessKeyId: `ASIA${base32(material.subarray(0, 10)).slice(0, 16)}`,
    secretAccessKey: Buffer.concat([material, more]).subarray(10, 40).toString('base64'),
    token: `IQoJb3JpZ2luX2VjE${Buffer.concat([more, material, more]).toString('base64')}`,
    issuedAt,
    expiration:
      issuedAt + (rotation.lifetimeSeconds - jitterOf(series, index, rotation.jitterSeconds)) * 1000,
  };
}

/**
 * Whole seconds, 0..`jitterSeconds`, taken off one set's lifetime. Derived from the set's scope and
 * index only (not the emulator's secret), so expirations repeat from run to run and goldens hold.
 */
function jitterOf(series: string, index: number, jitterSeconds = 0): number {
  if (jitterSeconds <= 0) return 0;
  const digest = createHash('sha256').update(`${series}\0${index}\0jitter`).digest();
  return digest.readUInt32BE(0) % (Math.floor(jitterSeconds) + 1);
}

/** When the set current at `now` is replaced (epoch ms). */
export function nextRotationAt(launchTime: number, rotation: CredentialRotation, now: number): number {
  return rotationWindow(launchTime, rotation, now).replacedAt;
}

/** The rotation window holding `now`: its index from the anchor, when its set appeared and when it is replaced. */
function rotationWindow(
  launchTime: number,
  rotation: CredentialRotation,
  now: number,
): { index: number; issuedAt: number; replacedAt: number } {
  const start = rotation.anchor ?? launchTime;
  const periodMs = rotation.rotationSeconds * 1000;
  const index = Math.max(0, Math.floor((now - start) / periodMs));
  const issuedAt = start + index * periodMs;
  return { index, issuedAt, replacedAt: issuedAt + periodMs };
}

function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += UPPER_ALNUM[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}
