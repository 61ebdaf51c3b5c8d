import { awsPrettyJson } from './aws-json.js';

/**
 * The instance identity document's fields, in the order EC2 prints them. `null` where the instance
 * has no such value (no kernel, no product codes), as on EC2.
 *
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-identity-documents.html
 */
export interface IdentityDocument {
  accountId: string;
  architecture: string;
  availabilityZone: string;
  billingProducts: string[] | null;
  devpayProductCodes: string[] | null;
  marketplaceProductCodes: string[] | null;
  imageId: string;
  instanceId: string;
  instanceType: string;
  kernelId: string | null;
  pendingTime: string;
  privateIp: string | null;
  ramdiskId: string | null;
  region: string;
  version: string;
}

/**
 * The document's bytes as served: the service's pretty JSON with no trailing newline. These exact
 * bytes are what the signatures cover, so they are rendered once and shared.
 *
 * @example renderIdentityDocument(identityDocumentOf(DEFAULT_INSTANCE)).startsWith('{\n  "accountId" : ')
 */
export function renderIdentityDocument(document: IdentityDocument): string {
  return awsPrettyJson({ ...document });
}
