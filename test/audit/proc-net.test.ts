import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFakeProcess } from './fake-proc.js';
import { afterAll, describe, expect, it } from 'vitest';
import { Attributor } from '../../src/audit/attributor.js';
import {
  canonicalAddress,
  clientSocketInode,
  encodeEndpoint,
  parseSocketTable,
} from '../../src/audit/proc-net.js';

// Rows as a little-endian kernel writes them: a client 127.0.0.1:41970 talking to 127.0.0.1:1338.
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:053A 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1111 1 0000000000000000 100 0 0 10 0
   1: 0100007F:A3F2 0100007F:053A 01 00000000:00000000 00:00000000 00000000  1000        0 2222 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:053A 0100007F:A3F2 01 00000000:00000000 00:00000000 00000000     0        0 3333 1 0000000000000000 20 4 30 10 -1
   3: 0100007F:B000 0100007F:053A 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0000000000000000FFFF00000100007F:C001 0000000000000000FFFF00000100007F:053A 01 00000000:00000000 00:00000000 00000000     0        0 4444 1 0000000000000000 20 4 30 10 -1
   1: 00000000000000000000000001000000:C002 00000000000000000000000001000000:053A 01 00000000:00000000 00:00000000 00000000     0        0 5555 1 0000000000000000 20 4 30 10 -1
`;

describe.runIf(process.platform === 'linux' && new Uint8Array(new Uint16Array([1]).buffer)[0] === 1)(
  'socket tables (little-endian host)',
  () => {
    it('decodes addresses, ports, state, uid and inode; skips the header', () => {
      const rows = parseSocketTable(TCP);
      expect(rows).toHaveLength(4);
      expect(rows[1]).toEqual({
        local: '127.0.0.1:41970',
        remote: '127.0.0.1:1338',
        state: 1,
        uid: 1000,
        inode: 2222,
      });
      const six = parseSocketTable(TCP6);
      expect(six.map((row) => row.local)).toEqual(['127.0.0.1:49153', '0:0:0:0:0:0:0:1:49154']);
    });

    it('encodes endpoints the way the table writes them, and finds the client end', () => {
      expect(encodeEndpoint('127.0.0.1', 41970)).toBe('0100007F:A3F2');
      expect(encodeEndpoint('::ffff:127.0.0.1', 49153)).toBe('0000000000000000FFFF00000100007F:C001');
      expect(encodeEndpoint('::1', 49154)).toBe('00000000000000000000000001000000:C002');
      const rows = parseSocketTable(TCP);
      expect(clientSocketInode(rows, '127.0.0.1:41970', '127.0.0.1:1338')).toBe(2222);
      // The server's own row names the client as its remote end: not the client's socket.
      expect(clientSocketInode(rows, '127.0.0.1:1338', '127.0.0.1:41970')).toBe(3333);
      // A time-wait row (inode 0) is nobody's.
      expect(clientSocketInode(parseSocketTable(TCP), '127.0.0.1:45056', '127.0.0.1:1338')).toBeUndefined();
    });

    it('canonicalizes Node address forms', () => {
      expect(canonicalAddress('::ffff:10.0.0.1')).toBe('10.0.0.1');
      expect(canonicalAddress('::1')).toBe('0:0:0:0:0:0:0:1');
      expect(canonicalAddress('fd00:ec2::254')).toBe('fd00:ec2:0:0:0:0:0:254');
    });

    describe('against a fake /proc', () => {
      const root = mkdtempSync(join(tmpdir(), 'imds-proc-'));
      afterAll(() => rmSync(root, { recursive: true, force: true }));
      mkdirSync(join(root, 'net'));
      writeFileSync(join(root, 'net/tcp'), TCP);
      writeFileSync(join(root, 'net/tcp6'), TCP6);
      const processes = [
        { pid: 1, ppid: 0, uid: 0, exe: '/sbin/init', cmdline: 'init', fds: [] as string[] },
        { pid: 40, ppid: 1, uid: 1000, exe: '/bin/bash', cmdline: 'bash\0backup.sh\0', fds: [] },
        {
          pid: 41,
          ppid: 40,
          uid: 1000,
          exe: '/usr/bin/curl',
          cmdline:
            'curl\0-H\0X-aws-ec2-metadata-token: AQAAAAGiHVemB-dipC5XYlSWPCpgJ0w8aJFPoeeEGOaRIAeCshmkdg==\0',
          fds: ['socket:[2222]', '/dev/null'],
          cgroup: `0::/system.slice/docker-${'ab'.repeat(32)}.scope\n`,
        },
      ];
      for (const each of processes) writeFakeProcess(root, each);
      writeFileSync(
        join(root, 'passwd'),
        'root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n',
      );
      const attributor = new Attributor({ procRoot: root, passwdPath: join(root, 'passwd') });

      it('names the process, its parents (stopping before pid 1), user, container; masks tokens', () => {
        const [caller] = attributor.resolveNow([
          { peerAddress: '127.0.0.1', peerPort: 41970, localAddress: '127.0.0.1', localPort: 1338 },
        ]);
        expect(caller).toEqual({
          status: 'resolved',
          pid: 41,
          ppid: 40,
          exe: '/usr/bin/curl',
          cmdline: 'curl -H X-aws-ec2-metadata-token: <redacted>',
          uid: 1000,
          user: 'alice',
          parents: [
            { pid: 40, ppid: 1, exe: '/bin/bash', cmdline: 'bash backup.sh', uid: 1000, user: 'alice' },
          ],
          cgroup: `/system.slice/docker-${'ab'.repeat(32)}.scope`,
          containerId: 'ab'.repeat(32),
        });
      });

      it('says exited when no socket row or no process holds it, not-visible for a foreign peer', () => {
        const callers = attributor.resolveNow([
          { peerAddress: '127.0.0.1', peerPort: 1, localAddress: '127.0.0.1', localPort: 1338 },
          {
            peerAddress: '::ffff:127.0.0.1',
            peerPort: 49153,
            localAddress: '::ffff:127.0.0.1',
            localPort: 1338,
          },
          { peerAddress: '192.0.2.7', peerPort: 5000, localAddress: '127.0.0.1', localPort: 1338 },
        ]);
        expect(callers.map((each) => each.status)).toEqual(['exited', 'exited', 'not-visible']);
      });

      it('answers skipped beyond the queue capacity, and for lookups after close', async () => {
        const small = new Attributor({ procRoot: root, mode: 'after', queueCapacity: 1 });
        const ends = {
          peerAddress: '127.0.0.1',
          peerPort: 41970,
          localAddress: '127.0.0.1',
          localPort: 1338,
        };
        const seen: string[] = [];
        small.attribute(ends, (caller) => seen.push(caller.status));
        small.attribute(ends, (caller) => seen.push(caller.status));
        await small.idle();
        await Promise.resolve();
        expect(seen.sort()).toEqual(['resolved', 'skipped']);
        small.close();
        small.attribute(ends, (caller) => seen.push(caller.status));
        await Promise.resolve();
        expect(seen).toHaveLength(3);
        expect(seen[2]).toBe('skipped');
        expect(small.stats).toMatchObject({ resolved: 1, skipped: 2 });
      });
    });
  },
);

describe('ss rows', () => {
  it('asks ss for the peers only, skipping TIME_WAIT, and parses its lines like the table', async () => {
    const { parseSsRows, ssArguments } = await import('../../src/audit/ss-rows.js');
    expect(
      ssArguments([
        { address: '127.0.0.1', port: 41970 },
        { address: '::1', port: 5 },
      ]),
    ).toEqual(['-tnHe', 'exclude', 'time-wait', '( src 127.0.0.1:41970 or src [::1]:5 )']);
    const rows = parseSsRows(
      'ESTAB 0 0 127.0.0.1:41970 127.0.0.1:1338 uid:1000 ino:2222 sk:1 <->\n' +
        'ESTAB 0 0 [::ffff:127.0.0.1]:49153 [::ffff:127.0.0.1]:1338 ino:4444 sk:2 <->\n' +
        'ESTAB 0 0 [::1]:49154 [::1]:1338 uid:0 ino:5555 sk:3 <->\n',
    );
    expect(rows.map((row) => [row.local, row.remote, row.inode, row.uid])).toEqual([
      ['127.0.0.1:41970', '127.0.0.1:1338', 2222, 1000],
      ['127.0.0.1:49153', '127.0.0.1:1338', 4444, 0],
      ['0:0:0:0:0:0:0:1:49154', '0:0:0:0:0:0:0:1:1338', 5555, 0],
    ]);
  });
});
