/**
 * A fleet of `count` instances derived from one template (a /16 subnet, so 10,000 fit), every
 * instance already built: each has answered a token PUT and three GETs (instance id, identity
 * document, role credentials) in-process before the listener opens, so RSS readings include
 * every instance's emulator and tree. Instance 0 answers 127.0.0.1, the load generator's
 * address, through the same source-address lookup as the other instances.
 */
import { ManualClock } from '../../src/clock.js';
import { configFromData } from '../../src/config/load-file.js';
import { Fleet } from '../../src/fleet/fleet.js';
import { serveFleet } from '../../src/fleet/start-fleet-listeners.js';
import { makeRequest } from '../../src/server/exchange.js';
import { TOKEN_HEADER, TOKEN_PATH, TOKEN_TTL_HEADER } from '../../src/wire.js';
import type { CountingServer } from './raw-net.js';

const READS = [
  '/latest/meta-data/instance-id',
  '/latest/dynamic/instance-identity/document',
  '/latest/meta-data/iam/security-credentials/ec2-imds-demo-role',
];

/** Starts the fleet on 127.0.0.1, port 0, after building every instance. */
export async function startFleetServer(count: number): Promise<CountingServer> {
  const checked = configFromData({
    instance: {
      networkInterfaces: [{ subnetIpv4CidrBlock: '172.31.0.0/16', localIpv4s: ['172.31.0.10'] }],
    },
    fleet: { template: { count, sources: '127.0.0.1' } },
  });
  if ('problems' in checked || !checked.config.fleet) throw new Error('bench fleet: bad configuration');
  const fleet = new Fleet(checked.config.fleet, {
    clock: new ManualClock(Date.now()),
    instanceLogCapacity: 1,
  });
  const decoder = new TextDecoder();
  for (const member of fleet.members) {
    const peer = member.sources[0] as string;
    const put = fleet.handle(makeRequest('PUT', TOKEN_PATH, { [TOKEN_TTL_HEADER]: '60' }, peer));
    if (!('body' in put)) throw new Error('bench fleet: no token');
    const token = decoder.decode(put.body);
    for (const path of READS) {
      const answer = fleet.handle(makeRequest('GET', path, { [TOKEN_HEADER]: token }, peer));
      if (!('status' in answer) || answer.status !== 200) throw new Error(`bench fleet: ${path} failed`);
    }
  }
  if (fleet.created !== count) throw new Error(`bench fleet: ${fleet.created} of ${count} instances built`);
  fleet.requests.clear();
  const running = await serveFleet(fleet, { host: '127.0.0.1', port: 0 });
  return { port: running.port, connections: () => fleet.requests.total, close: () => running.close() };
}
