/**
 * A caller held by a process whose descriptors the looker may not read (another user's, without
 * CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE) is reported `not-visible`, not `exited`: the lookup runs
 * as `nobody` (setpriv) over a fake /proc whose owner's `fd` directory only root may read. The same
 * lookup as root names the process, so the fake tree itself is sound.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeEndpoint } from '../../src/audit/proc-net.js';
import { TABLE_HEADER, tableRow, writeFakeCurl } from './fake-proc.js';

const ATTRIBUTOR = resolve('dist/audit/attributor.js');
const root = mkdtempSync(join(tmpdir(), 'imds-unreadable-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Looks up one connection in `mode: before` with the fake /proc, as `user` (root: no setpriv). */
function lookUpAs(user: 'root' | 'nobody'): string {
  const ends = { peerAddress: '127.0.0.1', peerPort: 41970, localAddress: '127.0.0.1', localPort: 1338 };
  const script = `
const { Attributor } = await import(${JSON.stringify(ATTRIBUTOR)});
const attributor = new Attributor({ mode: 'before', procRoot: ${JSON.stringify(root)}, maxDutyCycle: 1, burstMs: Infinity });
attributor.attribute(${JSON.stringify(ends)}, (caller) => process.stdout.write(caller.status === 'resolved' ? 'pid ' + caller.pid : caller.status));
attributor.close();`;
  const node = [process.execPath, '--input-type=module', '-e', script];
  const [command, ...args] =
    user === 'root'
      ? node
      : ['setpriv', '--reuid', 'nobody', '--regid', 'nogroup', '--clear-groups', ...node];
  return execFileSync(command as string, args, { encoding: 'utf8', timeout: 30_000 });
}

describe.runIf(process.platform === 'linux')('a caller whose process may not be read', () => {
  it('is not-visible to nobody and named for root', () => {
    if (process.getuid?.() !== 0)
      throw new Error('this test runs as root (as CI does): it needs setpriv to drop to nobody');
    mkdirSync(join(root, 'net'));
    writeFileSync(
      join(root, 'net/tcp'),
      TABLE_HEADER +
        tableRow(0, encodeEndpoint('127.0.0.1', 41970), encodeEndpoint('127.0.0.1', 1338), '01', 987_654),
    );
    writeFakeCurl(root, 987_654);
    chmodSync(root, 0o755);
    chmodSync(join(root, '41/fd'), 0o700);

    expect(lookUpAs('root')).toBe('pid 41');
    expect(lookUpAs('nobody')).toBe('not-visible');
  });
});
