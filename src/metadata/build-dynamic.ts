import { isoSeconds } from './aws-json.js';
import { renderIdentityDocument, type IdentityDocument } from './identity-document.js';
import type { IdentitySigner, SignatureKind } from './identity-signer.js';
import type { InstanceDescription } from './instance.js';
import { dir, lazyLeaf, leaf, type Directory } from './tree.js';

/** The identity document's fields, taken from the same description as `meta-data/`. */
export function identityDocumentOf(instance: InstanceDescription): IdentityDocument {
  const primary =
    instance.networkInterfaces.find((eni) => eni.deviceNumber === 0) ?? instance.networkInterfaces[0];
  const orNull = (values: readonly string[] | undefined) =>
    values && values.length > 0 ? [...values] : null;
  return {
    accountId: instance.accountId,
    architecture: instance.architecture,
    availabilityZone: instance.availabilityZone,
    billingProducts: orNull(instance.billingProducts),
    devpayProductCodes: null,
    marketplaceProductCodes: orNull(instance.marketplaceProductCodes),
    imageId: instance.amiId,
    instanceId: instance.instanceId,
    instanceType: instance.instanceType,
    kernelId: instance.kernelId ?? null,
    pendingTime: isoSeconds(instance.launchTime),
    privateIp: primary?.localIpv4s[0] ?? null,
    ramdiskId: instance.ramdiskId ?? null,
    region: instance.region,
    version: '2017-09-30',
  };
}

/**
 * `dynamic/`: monitoring state and the signed identity document. Signatures are computed on first
 * read, because the signer's key is generated lazily and most clients never ask.
 */
export function dynamicDirectory(instance: InstanceDescription, signer: IdentitySigner): Directory {
  const document = renderIdentityDocument(identityDocumentOf(instance));
  const since = '2009-04-04';
  const partition = instance.services.partition;
  const signed = (kind: SignatureKind) => lazyLeaf(() => signer.sign(document, kind, partition), since);
  // The listing order of the AWS user guide's example; `dsa2048` is listed there and holds the
  // same PKCS#7 message as `pkcs7` (see ADR 0003).
  const identity = dir(
    [
      ['rsa2048', signed('rsa2048')],
      ['pkcs7', signed('pkcs7')],
      ['document', leaf(document, since)],
      ['signature', signed('signature')],
      ['dsa2048', signed('pkcs7')],
    ],
    since,
  );
  return dir(
    [
      ['fws', dir([['instance-monitoring', leaf(instance.monitoring, since)]], since)],
      ['instance-identity', identity],
    ],
    since,
  );
}
