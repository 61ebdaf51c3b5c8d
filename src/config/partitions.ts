/**
 * AWS partitions: which region belongs to which, and the DNS suffix each uses. A region in the
 * configuration decides `services/partition`, `services/domain`, the ARN prefix and the public
 * hostnames, so a China or GovCloud instance is consistent everywhere without listing each value.
 * Region patterns and suffixes are those of the SDKs' partition table (`partitions.json`);
 * a region matching none falls in `aws`, as the SDKs resolve unknown regions.
 *
 * @see https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */
export interface Partition {
  /** The partition id, as in `arn:<id>:` and `services/partition`. */
  readonly id: string;
  /** `services/domain` and the suffix of public DNS names. */
  readonly dnsSuffix: string;
  readonly regions: RegExp;
}

/** Every partition AWS lists, most specific pattern first (`us-gov-` and `us-iso-` before `aws`). */
export const PARTITIONS: readonly Partition[] = [
  { id: 'aws-cn', dnsSuffix: 'amazonaws.com.cn', regions: /^cn-\w+-\d+$/ },
  { id: 'aws-us-gov', dnsSuffix: 'amazonaws.com', regions: /^us-gov-\w+-\d+$/ },
  { id: 'aws-iso', dnsSuffix: 'c2s.ic.gov', regions: /^us-iso-\w+-\d+$/ },
  { id: 'aws-iso-b', dnsSuffix: 'sc2s.sgov.gov', regions: /^us-isob-\w+-\d+$/ },
  { id: 'aws-iso-e', dnsSuffix: 'cloud.adc-e.uk', regions: /^eu-isoe-\w+-\d+$/ },
  { id: 'aws-iso-f', dnsSuffix: 'csp.hci.ic.gov', regions: /^us-isof-\w+-\d+$/ },
  { id: 'aws-eusc', dnsSuffix: 'amazonaws.eu', regions: /^eusc-(?:de)-\w+-\d+$/ },
  { id: 'aws', dnsSuffix: 'amazonaws.com', regions: /^(?:us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/ },
];

const AWS = PARTITIONS.find((partition) => partition.id === 'aws') as Partition;

/** The partition ids, for the configuration schema's enum. */
export const PARTITION_IDS = PARTITIONS.map((partition) => partition.id) as [string, ...string[]];

/**
 * The partition a region is in; `aws` for a region no pattern knows.
 * @example partitionOf('cn-north-1').id // 'aws-cn'
 */
export function partitionOf(region: string): Partition {
  return PARTITIONS.find((partition) => partition.regions.test(region)) ?? AWS;
}
