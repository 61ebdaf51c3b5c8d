/**
 * The instance identity document from `dynamic/instance-identity/document`.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-identity-documents.html
 */
import { parseJsonObject, stringField, type JsonObject, type JsonValue } from './json.js';

/** The document's fields, as the service writes them (null where a value is absent). */
export interface IdentityDocument {
  readonly accountId: string;
  readonly architecture: string;
  readonly availabilityZone: string;
  readonly imageId: string;
  readonly instanceId: string;
  readonly instanceType: string;
  readonly pendingTime: string;
  readonly privateIp: string;
  readonly region: string;
  readonly version: string;
  readonly kernelId: string | null;
  readonly ramdiskId: string | null;
  readonly billingProducts: readonly string[] | null;
  readonly devpayProductCodes: readonly string[] | null;
  readonly marketplaceProductCodes: readonly string[] | null;
  /** Every field of the document, including any this interface does not name. */
  readonly raw: Readonly<Record<string, JsonValue>>;
}

const REQUIRED = [
  'accountId',
  'architecture',
  'availabilityZone',
  'imageId',
  'instanceId',
  'instanceType',
  'pendingTime',
  'privateIp',
  'region',
  'version',
] as const;

/**
 * Parses an identity document.
 * @throws {ImdsResponseError} `MALFORMED_RESPONSE` when it is not a JSON object or lacks a field.
 */
export function parseIdentityDocument(text: string, path: string): IdentityDocument {
  const document = parseJsonObject(text, path);
  const required = Object.fromEntries(
    REQUIRED.map((name) => [name, stringField(document, name, path)]),
  ) as Record<(typeof REQUIRED)[number], string>;
  return {
    ...required,
    kernelId: stringOrNull(document, 'kernelId'),
    ramdiskId: stringOrNull(document, 'ramdiskId'),
    billingProducts: stringsOrNull(document, 'billingProducts'),
    devpayProductCodes: stringsOrNull(document, 'devpayProductCodes'),
    marketplaceProductCodes: stringsOrNull(document, 'marketplaceProductCodes'),
    raw: document,
  };
}

function stringOrNull(document: JsonObject, name: string): string | null {
  const value = document[name];
  return typeof value === 'string' ? value : null;
}

function stringsOrNull(document: JsonObject, name: string): string[] | null {
  const value = document[name];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : null;
}
