/**
 * The instance description: everything the metadata tree is built from. It is plain data (it can
 * be written as JSON or YAML), and every category of the metadata tree is derived from it, so the
 * values agree with each other everywhere (the ENI under `network/` and `mac`, the identity
 * document and `meta-data/`).
 *
 * Optional parts are absent from the tree when absent here, as on EC2: no `iam/` without a role,
 * no `spot/` until a notice, no `tags/` unless tags are exposed, no `ipv6` on an IPv4-only ENI.
 *
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html
 */

/** A security group attached to an interface. */
export interface SecurityGroup {
  readonly name: string;
  readonly id: string;
}

/** One elastic network interface, listed under `network/interfaces/macs/<mac>/`. */
export interface NetworkInterface {
  readonly mac: string;
  readonly interfaceId: string;
  readonly deviceNumber: number;
  readonly networkCardIndex: number;
  readonly ownerId: string;
  readonly subnetId: string;
  /** Absent on an interface in an IPv6-only subnet. */
  readonly subnetIpv4CidrBlock?: string;
  readonly vpcId: string;
  readonly vpcIpv4CidrBlocks: readonly string[];
  /** The interface's private IPv4 addresses; the first is the primary. Empty on an IPv6-only interface. */
  readonly localIpv4s: readonly string[];
  /** The IP-based name, or the resource-based name (`i-….region.compute.internal`) when IPv6-only. */
  readonly localHostname: string;
  /** Public IPv4 addresses, each associated with one of {@link localIpv4s} (same index). */
  readonly publicIpv4s: readonly string[];
  readonly publicHostname?: string;
  readonly securityGroups: readonly SecurityGroup[];
  readonly ipv6s?: readonly string[];
  readonly subnetIpv6CidrBlocks?: readonly string[];
  readonly vpcIpv6CidrBlocks?: readonly string[];
  /** Prefixes delegated to the interface (prefix delegation: `/28` IPv4, `/80` IPv6 blocks). */
  readonly ipv4Prefixes?: readonly string[];
  readonly ipv6Prefixes?: readonly string[];
}

/** The IAM instance profile and the role whose credentials the instance receives. */
export interface IamProfile {
  readonly roleName: string;
  readonly instanceProfileArn: string;
  readonly instanceProfileId: string;
}

/**
 * How role credentials rotate: a new set every `rotationSeconds`, each valid `lifetimeSeconds`
 * less a per-set jitter.
 * Sets are counted from `anchor` (the launch time when absent); `generation` is bumped by an
 * early rotation so the sets after it differ from those before.
 */
export interface CredentialRotation {
  readonly rotationSeconds: number;
  readonly lifetimeSeconds: number;
  /**
   * Up to this much is taken off each set's lifetime, a different amount per set (derived from
   * the set, so repeatable), as EC2's expirations are not all one distance from issue. Absent: 0.
   */
  readonly jitterSeconds?: number;
  readonly anchor?: number;
  readonly generation?: number;
}

/** A key pair name and its public key, under `public-keys/<index>=<name>/openssh-key`. */
export interface PublicKey {
  readonly name: string;
  readonly openssh: string;
}

export type MaintenanceEventCode =
  | 'instance-reboot'
  | 'system-reboot'
  | 'system-maintenance'
  | 'instance-retirement'
  | 'instance-stop';
export type MaintenanceEventState = 'active' | 'completed' | 'canceled';

/** A scheduled maintenance event; completed or canceled ones are listed under `history`. */
export interface MaintenanceEvent {
  readonly eventId: string;
  readonly code: MaintenanceEventCode;
  readonly description: string;
  readonly state: MaintenanceEventState;
  /** Window start and end, epoch milliseconds. */
  readonly notBefore: number;
  readonly notAfter: number;
  /** Optional deadline by which the event happens if not rescheduled, epoch milliseconds. */
  readonly notBeforeDeadline?: number;
}

export type SpotAction = 'terminate' | 'stop' | 'hibernate';

/** A spot interruption notice: the action and when it happens (epoch milliseconds). */
export interface SpotNotice {
  readonly action: SpotAction;
  readonly time: number;
}

export type TargetLifecycleState =
  | 'InService'
  | 'Standby'
  | 'Detached'
  | 'Terminated'
  | 'Warmed:Stopped'
  | 'Warmed:Running'
  | 'Warmed:Hibernated'
  | 'Warmed:Terminated';

/**
 * The purchasing options `instance-life-cycle` reports.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html
 */
export const INSTANCE_LIFE_CYCLES = ['on-demand', 'spot', 'scheduled', 'capacity-block'] as const;
export type InstanceLifeCycle = (typeof INSTANCE_LIFE_CYCLES)[number];

/**
 * The instance's metadata options that are not service-wide switches, by the names
 * `ModifyInstanceMetadataOptions` gives them (camel-cased). Absent fields are not enforced.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyInstanceMetadataOptions.html
 */
export interface MetadataOptions {
  /** 1..64. Callers listed in {@link containerClients} are one hop further: at 1 their token PUTs go unanswered. */
  readonly httpPutResponseHopLimit?: number;
  /** `disabled`: `tags/` is a 404 even when the instance has tags. */
  readonly instanceMetadataTags?: 'enabled' | 'disabled';
  /** `disabled`: callers over IPv6 get no answer, as when `[fd00:ec2::254]` is not reachable. */
  readonly httpProtocolIpv6?: 'enabled' | 'disabled';
  /** Addresses or CIDR blocks of callers that sit in a container (one more hop than the host). */
  readonly containerClients?: readonly string[];
}

/**
 * A public key pushed with EC2 Instance Connect's `SendSSHPublicKey`: served under
 * `managed-ssh-keys/active-keys/<user>` from `pushedAt` until `expiresAt` (60 s later on EC2).
 * @see https://docs.aws.amazon.com/ec2-instance-connect/latest/APIReference/API_SendSSHPublicKey.html
 */
export interface PushedSshKey {
  /** The OS user the key may log in as (`InstanceOSUser`). */
  readonly user: string;
  /** The OpenSSH public key line (`ssh-ed25519 AAAA... comment`). */
  readonly publicKey: string;
  /** Epoch ms: from when the key is served. */
  readonly pushedAt: number;
  /** Epoch ms: when the key stops being served; its `#Timestamp=` line (in seconds). */
  readonly expiresAt: number;
  /** The IAM principal that pushed it (`#Caller=`). */
  readonly caller: string;
  /** The push's request id, a UUID (`#Request=`). */
  readonly requestId: string;
}

/** Everything the metadata tree shows about one instance. */
export interface InstanceDescription {
  readonly accountId: string;
  readonly instanceId: string;
  readonly instanceType: string;
  readonly instanceLifeCycle: InstanceLifeCycle;
  readonly instanceAction: string;
  readonly architecture: 'x86_64' | 'arm64' | 'i386';
  readonly amiId: string;
  readonly amiLaunchIndex: number;
  readonly amiManifestPath: string;
  readonly ancestorAmiIds?: readonly string[];
  readonly kernelId?: string;
  readonly ramdiskId?: string;
  readonly productCodes?: readonly string[];
  readonly billingProducts?: readonly string[];
  readonly marketplaceProductCodes?: readonly string[];
  readonly reservationId: string;
  /** When the instance was launched (epoch ms): the identity document's `pendingTime`. */
  readonly launchTime: number;
  readonly region: string;
  readonly availabilityZone: string;
  readonly availabilityZoneId: string;
  readonly placementGroupName?: string;
  readonly partitionNumber?: number;
  readonly hostId?: string;
  readonly hostname: string;
  readonly profile: string;
  readonly system?: string;
  readonly hibernationConfigured?: boolean;
  readonly metricsVhostmd?: string;
  readonly services: { readonly domain: string; readonly partition: string };
  /** Block device name by virtual device (`ami`, `root`, `ebs1`, `ephemeral0`, `swap`). */
  readonly blockDeviceMapping: Readonly<Record<string, string>>;
  /** The first interface is the primary one: `mac`, `local-ipv4`, `public-ipv4` come from it. */
  readonly networkInterfaces: readonly NetworkInterface[];
  readonly iam?: IamProfile;
  readonly credentialRotation: CredentialRotation;
  readonly metadataOptions?: MetadataOptions;
  /** Whether `iam/security-credentials-extended/` is served (absent: it is, as on EC2 today). */
  readonly extendedCredentials?: boolean;
  /** Whether `identity-credentials/ec2/` is served. */
  readonly identityCredentials: boolean;
  readonly publicKeys: readonly PublicKey[];
  /**
   * Keys pushed with EC2 Instance Connect; each is served while `pushedAt <= now < expiresAt`.
   * Absent or none active: `managed-ssh-keys/` is a 404, as on an instance no key was pushed to.
   */
  readonly instanceConnectKeys?: readonly PushedSshKey[];
  /**
   * Instance tags, exposed under `tags/instance/` unless `metadataOptions.instanceMetadataTags` is
   * `disabled`; absent: the instance has none to expose.
   */
  readonly tags?: Readonly<Record<string, string>>;
  /** User data as given at launch, byte for byte (absent: `user-data` is a 404). */
  readonly userData?: Uint8Array;
  readonly monitoring: 'enabled' | 'disabled';
  readonly maintenanceEvents: readonly MaintenanceEvent[];
  readonly spotNotice?: SpotNotice;
  /** When a rebalance recommendation was issued (epoch ms). */
  readonly rebalanceNoticeTime?: number;
  readonly targetLifecycleState?: TargetLifecycleState;
  /**
   * Last-word edits of the built tree, by path under `/latest/` (`meta-data/ami-id`): a string
   * sets a leaf (creating directories), `null` removes the node.
   */
  readonly overrides?: Readonly<Record<string, string | null>>;
}
