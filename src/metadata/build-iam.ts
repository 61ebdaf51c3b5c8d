import { awsPrettyJson, isoSeconds } from './aws-json.js';
import { credentialsAt, type CredentialSet } from './credentials.js';
import type { InstanceDescription } from './instance.js';
import { dir, leaf, type MetadataNode } from './tree.js';

/** `security-credentials-extended/` has no dated version; only `/latest/` shows it. */
const LATEST_ONLY = 'latest';

/** The credentials document; the extended endpoint adds the role's `AccountId`. */
function credentialJson(set: CredentialSet, accountId?: string): string {
  return awsPrettyJson({
    Code: 'Success',
    LastUpdated: isoSeconds(set.issuedAt),
    Type: 'AWS-HMAC',
    AccessKeyId: set.accessKeyId,
    SecretAccessKey: set.secretAccessKey,
    Token: set.token,
    Expiration: isoSeconds(set.expiration),
    ...(accountId === undefined ? {} : { AccountId: accountId }),
  });
}

/**
 * `iam/`: the instance profile and the role's current credentials; absent without a role.
 * `security-credentials-extended/<role>` is the same set with `AccountId`: current SDK credential
 * providers read it first and fall back to `security-credentials/` on a 404, so turning it off
 * (`extendedCredentials: false`) exercises the fallback.
 */
export function iamDirectory(
  instance: InstanceDescription,
  secret: Uint8Array,
  now: number,
): MetadataNode | undefined {
  const iam = instance.iam;
  if (!iam) return undefined;
  const set = credentialsAt(
    secret,
    `role:${iam.roleName}`,
    instance.launchTime,
    instance.credentialRotation,
    now,
  );
  const info = awsPrettyJson({
    Code: 'Success',
    LastUpdated: isoSeconds(set.issuedAt),
    InstanceProfileArn: iam.instanceProfileArn,
    InstanceProfileId: iam.instanceProfileId,
  });
  return dir(
    [
      ['info', leaf(info, '2012-01-12')],
      ['security-credentials', dir([[iam.roleName, leaf(credentialJson(set), '2012-01-12')]], '2012-01-12')],
      [
        'security-credentials-extended',
        instance.extendedCredentials === false
          ? undefined
          : dir([[iam.roleName, leaf(credentialJson(set, instance.accountId), LATEST_ONLY)]], LATEST_ONLY),
      ],
    ],
    '2012-01-12',
  );
}

/** `identity-credentials/ec2/`: the credentials EC2 gives the instance itself (not a role). */
export function identityCredentialsDirectory(
  instance: InstanceDescription,
  secret: Uint8Array,
  now: number,
): MetadataNode | undefined {
  if (!instance.identityCredentials) return undefined;
  const since = '2018-05-23';
  const set = credentialsAt(
    secret,
    'identity:ec2-instance',
    instance.launchTime,
    instance.credentialRotation,
    now,
  );
  const info = awsPrettyJson({
    Code: 'Success',
    LastUpdated: isoSeconds(set.issuedAt),
    AccountId: instance.accountId,
  });
  const ec2 = dir(
    [
      ['info', leaf(info, since)],
      ['security-credentials', dir([['ec2-instance', leaf(credentialJson(set), since)]], since)],
    ],
    since,
  );
  return dir([['ec2', ec2]], since);
}
