import type { HttpTokens } from '../../src/wire.js';

/** How a case authenticates: with a fresh valid token, with none, or with a bad one. */
export type Auth = 'token' | 'none' | 'garbage';

export interface ContractCase {
  name: string;
  method: string;
  target: string;
  auth: Auth;
  headers?: Record<string, string | string[]>;
  /** Expected status per token mode. */
  status: Record<HttpTokens, number>;
}

const both = (status: number) => ({ optional: status, required: status });
const ttl = (value: string | string[]) => ({ 'X-aws-ec2-metadata-token-ttl-seconds': value });

/**
 * Spec §2 (session tokens) and §3 (response shapes), one row each, run in both token modes. Every
 * case has one golden file, test/golden/<case>.http, shared by both modes, plus
 * test/golden/<mode>/<case>.http where the modes answer differently (three cases, all without a token).
 */
export const CONTRACT_CASES: ContractCase[] = [
  // §2 token requests
  {
    name: 'token-put-21600',
    method: 'PUT',
    target: '/latest/api/token',
    auth: 'none',
    headers: ttl('21600'),
    status: both(200),
  },
  {
    name: 'token-put-1',
    method: 'PUT',
    target: '/latest/api/token',
    auth: 'none',
    headers: ttl('1'),
    status: both(200),
  },
  { name: 'token-ttl-missing', method: 'PUT', target: '/latest/api/token', auth: 'none', status: both(400) },
  {
    name: 'token-ttl-empty',
    method: 'PUT',
    target: '/latest/api/token',
    auth: 'none',
    headers: ttl(''),
    status: both(400),
  },
  {
    name: 'token-ttl-zero',
    method: 'PUT',
    target: '/latest/api/token',
    auth: 'none',
    headers: ttl('0'),
    status: both(400),
  },
  {
    name: 'token-ttl-negative',
    method: 'PUT',
    target: '/latest/api/token',
    auth: 'none',
    headers: ttl('-5'),
    status: both(400),
  },
  {
    name: 'token-ttl-too-long',
    method: 'PUT',
    target: '/latest/api/token',
    auth: 'none',
    headers: ttl('21601'),
    status: both(400),
  },
  {
    name: 'token-ttl-not-integer',
    method: 'PUT',
    target: '/latest/api/token',
    auth: 'none',
    headers: ttl('60.5'),
    status: both(400),
  },
  {
    name: 'token-ttl-word',
    method: 'PUT',
    target: '/latest/api/token',
    auth: 'none',
    headers: ttl('sixty'),
    status: both(400),
  },
  {
    name: 'token-ttl-repeated',
    method: 'PUT',
    target: '/latest/api/token',
    auth: 'none',
    headers: ttl(['60', '60']),
    status: both(400),
  },
  {
    name: 'token-forwarded',
    method: 'PUT',
    target: '/latest/api/token',
    auth: 'none',
    headers: { ...ttl('21600'), 'X-Forwarded-For': '203.0.113.7' },
    status: both(403),
  },
  {
    name: 'token-dated-version',
    method: 'PUT',
    target: '/2021-03-23/api/token',
    auth: 'none',
    headers: ttl('21600'),
    status: both(403),
  },
  { name: 'token-get', method: 'GET', target: '/latest/api/token', auth: 'none', status: both(405) },
  {
    name: 'token-post',
    method: 'POST',
    target: '/latest/api/token',
    auth: 'none',
    headers: ttl('21600'),
    status: both(405),
  },
  // §2 reading with and without a token
  {
    name: 'instance-id-token',
    method: 'GET',
    target: '/latest/meta-data/instance-id',
    auth: 'token',
    status: both(200),
  },
  {
    name: 'instance-id-head-token',
    method: 'HEAD',
    target: '/latest/meta-data/instance-id',
    auth: 'token',
    status: both(200),
  },
  {
    name: 'instance-id-no-token',
    method: 'GET',
    target: '/latest/meta-data/instance-id',
    auth: 'none',
    status: { optional: 200, required: 401 },
  },
  {
    name: 'instance-id-head-no-token',
    method: 'HEAD',
    target: '/latest/meta-data/instance-id',
    auth: 'none',
    status: { optional: 200, required: 401 },
  },
  {
    name: 'instance-id-bad-token',
    method: 'GET',
    target: '/latest/meta-data/instance-id',
    auth: 'garbage',
    status: both(401),
  },
  {
    name: 'listing-bad-token',
    method: 'GET',
    target: '/latest/meta-data/',
    auth: 'garbage',
    status: both(401),
  },
  { name: 'root-bad-token', method: 'GET', target: '/', auth: 'garbage', status: both(401) },
  { name: 'post-metadata', method: 'POST', target: '/latest/meta-data/', auth: 'token', status: both(405) },
  {
    name: 'delete-metadata',
    method: 'DELETE',
    target: '/latest/meta-data/instance-id',
    auth: 'none',
    status: both(405),
  },
  // §3 shapes
  {
    name: 'meta-data-listing',
    method: 'GET',
    target: '/latest/meta-data/',
    auth: 'token',
    status: both(200),
  },
  {
    name: 'meta-data-listing-no-token',
    method: 'GET',
    target: '/latest/meta-data/',
    auth: 'none',
    status: { optional: 200, required: 401 },
  },
  { name: 'versions', method: 'GET', target: '/', auth: 'token', status: both(200) },
  { name: 'latest', method: 'GET', target: '/latest/', auth: 'token', status: both(200) },
  {
    name: 'leaf-trailing-slash',
    method: 'GET',
    target: '/latest/meta-data/instance-id/',
    auth: 'token',
    status: both(200),
  },
  {
    name: 'directory-without-slash',
    method: 'GET',
    target: '/latest/meta-data/placement',
    auth: 'token',
    status: both(200),
  },
  {
    name: 'repeated-slashes',
    method: 'GET',
    target: '//latest//meta-data///instance-type',
    auth: 'token',
    status: both(200),
  },
  {
    name: 'public-keys',
    method: 'GET',
    target: '/latest/meta-data/public-keys/',
    auth: 'token',
    status: both(200),
  },
  {
    name: 'public-key-0',
    method: 'GET',
    target: '/latest/meta-data/public-keys/0/',
    auth: 'token',
    status: both(200),
  },
  {
    name: 'public-key-openssh',
    method: 'GET',
    target: '/latest/meta-data/public-keys/0/openssh-key',
    auth: 'token',
    status: both(200),
  },
  {
    name: 'network-interface',
    method: 'GET',
    target: '/latest/meta-data/network/interfaces/macs/06:3d:8a:5e:c4:17/',
    auth: 'token',
    status: both(200),
  },
  { name: 'iam-info', method: 'GET', target: '/latest/meta-data/iam/info', auth: 'token', status: both(200) },
  {
    name: 'iam-credentials',
    method: 'GET',
    target: '/latest/meta-data/iam/security-credentials/ec2-imds-demo-role',
    auth: 'token',
    status: both(200),
  },
  {
    name: 'events-scheduled',
    method: 'GET',
    target: '/latest/meta-data/events/maintenance/scheduled',
    auth: 'token',
    status: both(200),
  },
  { name: 'dynamic', method: 'GET', target: '/latest/dynamic/', auth: 'token', status: both(200) },
  {
    name: 'instance-identity',
    method: 'GET',
    target: '/latest/dynamic/instance-identity',
    auth: 'token',
    status: both(200),
  },
  {
    name: 'identity-document',
    method: 'GET',
    target: '/latest/dynamic/instance-identity/document',
    auth: 'token',
    status: both(200),
  },
  { name: 'user-data-absent', method: 'GET', target: '/latest/user-data', auth: 'token', status: both(404) },
  {
    name: 'not-found',
    method: 'GET',
    target: '/latest/meta-data/no-such-thing',
    auth: 'token',
    status: both(404),
  },
  {
    name: 'not-found-head',
    method: 'HEAD',
    target: '/latest/meta-data/no-such-thing',
    auth: 'token',
    status: both(404),
  },
  {
    name: 'unknown-version',
    method: 'GET',
    target: '/2010-01-01/meta-data/',
    auth: 'token',
    status: both(404),
  },
  {
    name: 'dated-listing',
    method: 'GET',
    target: '/2009-04-04/meta-data/',
    auth: 'token',
    status: both(200),
  },
  {
    name: 'dated-missing-category',
    method: 'GET',
    target: '/2009-04-04/meta-data/iam/',
    auth: 'token',
    status: both(404),
  },
  {
    name: 'spot-before-notice',
    method: 'GET',
    target: '/latest/meta-data/spot/instance-action',
    auth: 'token',
    status: both(404),
  },
];
