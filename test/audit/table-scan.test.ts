/**
 * The socket table is read in fixed chunks: a table of 200,000 rows (a host with that many
 * sockets, mostly TIME_WAIT) is searched while holding one chunk and one partial line, and an
 * attributor reads no table before its first lookup.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Attributor, type Caller } from '../../src/audit/attributor.js';
import { encodeEndpoint } from '../../src/audit/proc-net.js';
import { TABLE_HEADER, tableRow, writeFakeCurl } from './fake-proc.js';
import { SCAN_CHUNK_BYTES, scanTable, scanTableSync } from '../../src/audit/table-scan.js';

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const ROWS = 200_000;

const root = mkdtempSync(join(tmpdir(), 'imds-bigtable-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, 'net'));
const client = encodeEndpoint('127.0.0.1', 41970);
const server = encodeEndpoint('127.0.0.1', 1338);
{
  const lines: string[] = [TABLE_HEADER];
  for (let n = 0; n < ROWS - 1; n++) {
    const local = encodeEndpoint(`10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, 1024 + (n % 60_000));
    lines.push(tableRow(n, local, encodeEndpoint('10.0.0.1', 443), '06', 0));
  }
  // The client's row is the very last one (no newline after it, as a truncated read might leave).
  lines.push(tableRow(ROWS - 1, client, server, '01', 987_654).trimEnd());
  writeFileSync(join(root, 'net/tcp'), lines.join(''));
}

describe.runIf(process.platform === 'linux' && littleEndian)('reading a big socket table in chunks', () => {
  it('finds the last row of 200,000 holding at most one chunk and one partial line', async () => {
    const request = { endpoints: new Set([client]) };
    for (const scan of [
      scanTableSync(join(root, 'net/tcp'), request),
      await scanTable(join(root, 'net/tcp'), request),
    ]) {
      expect(scan.rows).toEqual([
        { local: '127.0.0.1:41970', remote: '127.0.0.1:1338', state: 1, uid: 0, inode: 987_654 },
      ]);
      expect(scan.timedOut).toBe(false);
      // The table is ~27 MB; what is held is the 64 KiB buffer and at most one row carried over.
      expect(scan.peakHeldBytes).toBeGreaterThanOrEqual(SCAN_CHUNK_BYTES);
      expect(scan.peakHeldBytes).toBeLessThanOrEqual(SCAN_CHUNK_BYTES + 200);
    }
  });

  it('with many endpoints looks each line up by its local field (rows naming them as remote are not taken)', () => {
    const endpoints = new Set([
      client,
      server,
      ...Array.from({ length: 20 }, (_, n) => encodeEndpoint('10.0.0.9', n + 1)),
    ]);
    const scan = scanTableSync(join(root, 'net/tcp'), { endpoints, chunkBytes: 4096 });
    expect(scan.rows.map((each) => each.inode)).toEqual([987_654]);
    expect(scan.peakHeldBytes).toBeLessThanOrEqual(4096 + 200);
  });

  it('finds every row at every chunk boundary, by search and by field, and drops an overlong line', () => {
    const small = join(root, 'net/small');
    const wanted = Array.from({ length: 30 }, (_, n) => encodeEndpoint('127.0.0.1', 40_000 + n));
    const lines = [TABLE_HEADER, `junk ${'x'.repeat(600)}\n`];
    wanted.forEach((local, n) => {
      lines.push(tableRow(2 * n, encodeEndpoint('10.0.0.2', 5000 + n), local, '06', 0));
      lines.push(tableRow(2 * n + 1, local, server, '01', 1000 + n));
    });
    writeFileSync(small, lines.join(''));
    // Chunks of 256 bytes: rows (~150 bytes) straddle nearly every boundary; the 600-byte junk line
    // is longer than half a chunk and is dropped; rows naming an endpoint as remote are not taken.
    for (let offset = 0; offset < 256; offset += 37) {
      writeFileSync(small, `${' '.repeat(offset)}${lines.join('')}`);
      const byField = scanTableSync(small, { endpoints: new Set(wanted), chunkBytes: 256 });
      expect(byField.rows.map((row) => row.inode)).toEqual(wanted.map((_, n) => 1000 + n));
      for (const [n, local] of [wanted[0], wanted[17], wanted[29]].entries()) {
        const bySearch = scanTableSync(small, { endpoints: new Set([local as string]), chunkBytes: 256 });
        expect(bySearch.rows.map((row) => row.inode)).toEqual([1000 + [0, 17, 29][n]!]);
        expect(bySearch.peakHeldBytes).toBe(256);
      }
    }
  });

  it('stops at a deadline already passed, and once the rows wanted are found', () => {
    const late = scanTableSync(join(root, 'net/tcp'), {
      endpoints: new Set([client]),
      deadline: performance.now() - 1,
    });
    expect(late.timedOut).toBe(true);
    expect(late.rows).toEqual([]);
    let checks = 0;
    const early = scanTableSync(join(root, 'net/tcp'), {
      endpoints: new Set([encodeEndpoint('10.0.0.0', 1024)]),
      complete: (rows) => {
        checks++;
        return rows.length > 0;
      },
    });
    // Row 0 is in the first chunk: one check, and the rest of the table is never read.
    expect(early.rows).toHaveLength(1);
    expect(checks).toBe(1);
  });

  it('a missing table has no rows (no IPv6, no procfs)', () => {
    expect(scanTableSync(join(root, 'net/tcp6'), { endpoints: new Set([client]) })).toEqual({
      rows: [],
      peakHeldBytes: 0,
      timedOut: false,
    });
  });

  it('auto: the first lookup goes to a batch, which times the table; later ones are answered at once while it reads fast', async () => {
    // A fake process 41 holding the client's socket, in a small table and in the big one.
    const small = mkdtempSync(join(tmpdir(), 'imds-smallproc-'));
    try {
      for (const at of [small, root]) writeFakeCurl(at, 987_654);
      mkdirSync(join(small, 'net'));
      writeFileSync(join(small, 'net/tcp'), TABLE_HEADER + tableRow(0, client, server, '01', 987_654));
      const ends = { peerAddress: '127.0.0.1', peerPort: 41970, localAddress: '127.0.0.1', localPort: 1338 };
      const named = (caller: Caller) => (caller.status === 'resolved' ? `pid ${caller.pid}` : caller.status);

      // Nothing was read when constructed, so the first lookup is not made before attribute() returns.
      const fast = new Attributor({
        mode: 'auto',
        procRoot: small,
        beforeMaxTableReadMs: 60_000,
        maxDutyCycle: 1,
      });
      let first: string | undefined;
      fast.attribute(ends, (caller) => (first = named(caller)));
      expect(first).toBeUndefined();
      await fast.idle();
      expect(first).toBe('pid 41');
      // The batch found the table fast to read: the next lookup is answered before attribute() returns.
      let second: string | undefined;
      fast.attribute(ends, (caller) => (second = named(caller)));
      expect(second).toBe('pid 41');
      expect(fast.stats.batches).toBe(1);
      fast.close();

      // A table slower than the limit: every lookup goes to a batch, which finds it.
      const slow = new Attributor({ mode: 'auto', procRoot: root, beforeMaxTableReadMs: 0, maxDutyCycle: 1 });
      for (const batch of [1, 2]) {
        let later: string | undefined;
        slow.attribute(ends, (caller) => (later = named(caller)));
        expect(later).toBeUndefined();
        await slow.idle();
        expect(later).toBe('pid 41');
        expect(slow.stats.batches).toBe(batch);
      }
      slow.close();
    } finally {
      rmSync(small, { recursive: true, force: true });
      rmSync(join(root, '41'), { recursive: true, force: true });
    }
  });
});
