/**
 * The fields of a key pushed with EC2 Instance Connect, with `SendSSHPublicKey`'s limits, shared by
 * the `instance-connect-key` scenario, `instance.instanceConnectKeys` and the control API's
 * `POST /instance-connect/keys`.
 *
 * @see https://docs.aws.amazon.com/ec2-instance-connect/latest/APIReference/API_SendSSHPublicKey.html
 */
import * as z from 'zod';
import { patterned } from './fields.js';

/** `InstanceOSUser`: 1 to 32 characters, the API's pattern (no `/`, which the agent refuses). */
export const osUser = () =>
  patterned(
    /^[A-Za-z_][A-Za-z0-9@._-]{0,30}[A-Za-z0-9$_-]?$/,
    'expected an OS user name such as ec2-user (1 to 32 of letters, digits, @ . _ - and a final $; no /)',
  );

const KEY_EXPECTATION =
  'expected an OpenSSH RSA or ED25519 public key line such as "ssh-ed25519 AAAA... comment" (80 to 4096 characters; the types Instance Connect accepts)';

/**
 * `SSHPublicKey`: one OpenSSH line, 80 to 4096 characters, RSA or ED25519: the agent passes on only
 * lines starting `ssh`, so an ECDSA key would be served and never accepted.
 */
export const sshPublicKey = () =>
  z
    .string({ error: KEY_EXPECTATION })
    .refine(
      (line) =>
        line.length >= 80 &&
        line.length <= 4096 &&
        /^(?:ssh-rsa|ssh-ed25519) [A-Za-z0-9+/]+={0,3}(?: [^\r\n]*)?$/.test(line),
      { error: KEY_EXPECTATION },
    );

/** The IAM principal that pushed the key (`#Caller=`). */
export const callerArn = () =>
  patterned(
    /^arn:aws[a-z-]*:(?:iam|sts)::\d{12}:\S+$/,
    'expected an IAM principal ARN such as arn:aws:iam::123456789012:user/alice',
  );

/** The push's request id (`#Request=`). */
export const requestId = () =>
  patterned(
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    'expected a request id, a lower-case UUID such as 8c9a4f4e-2b1d-4e6f-9a3c-5d7e1f2a4b6c',
  );
