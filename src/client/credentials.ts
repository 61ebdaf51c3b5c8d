/**
 * IAM role credentials from `iam/security-credentials/<role>`.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-security-credentials.html
 */
import { ImdsResponseError } from './errors.js';
import { dateField, parseJsonObject, stringField, type JsonObject } from './json.js';

/** Temporary credentials of the instance's role; `expiration` is a `Date`. */
export interface IamCredentials {
  readonly roleName: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly token: string;
  readonly expiration: Date;
  readonly lastUpdated: Date | undefined;
  /** `AWS-HMAC` on EC2. */
  readonly type: string | undefined;
}

const CODE_SHAPE = /^[A-Za-z]{1,64}$/;

/**
 * Parses a credentials document.
 * @throws {ImdsResponseError} `MALFORMED_RESPONSE` when it is not JSON, lacks a field, or its
 * `Code` is not `Success`; the message names fields only.
 */
export function parseIamCredentials(text: string, path: string, roleName: string): IamCredentials {
  const document: JsonObject = parseJsonObject(text, path);
  const code = document.Code;
  if (code !== undefined && code !== 'Success') {
    const shown = typeof code === 'string' && CODE_SHAPE.test(code) ? code : 'not Success';
    throw new ImdsResponseError('MALFORMED_RESPONSE', `credentials are not available (Code: ${shown})`, {
      status: 200,
      path,
    });
  }
  const lastUpdated =
    document.LastUpdated === undefined ? undefined : dateField(document, 'LastUpdated', path);
  const type = document.Type;
  return {
    roleName,
    accessKeyId: stringField(document, 'AccessKeyId', path),
    secretAccessKey: stringField(document, 'SecretAccessKey', path),
    token: stringField(document, 'Token', path),
    expiration: dateField(document, 'Expiration', path),
    lastUpdated,
    type: typeof type === 'string' ? type : undefined,
  };
}
