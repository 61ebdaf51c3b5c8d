import { spawnSync } from 'node:child_process';

/**
 * The command prefix that runs a program in a fresh network namespace (only `lo`), or undefined
 * where this machine allows none: `unshare --net` as root, else with a user namespace. The probe
 * puts `address` (e.g. `169.254.169.254/32`) on the new namespace's `lo`, as the tests then do, so
 * a namespace where that is refused counts as none. Nothing here touches the host's network.
 */
export function unshareCommand(address: string): string[] | undefined {
  for (const candidate of [
    ['unshare', '--net'],
    ['unshare', '--user', '--map-root-user', '--net'],
  ]) {
    const probe = spawnSync(
      candidate[0] as string,
      [...candidate.slice(1), 'ip', 'addr', 'add', address, 'dev', 'lo'],
      { stdio: 'ignore' },
    );
    if (probe.status === 0) return candidate;
  }
  return undefined;
}
