import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { coalescedOutput } from '../../src/cli/coalesced-output.js';

function recorder() {
  const writes: string[] = [];
  return { writes, output: coalescedOutput((text) => writes.push(text)) };
}

describe('coalescedOutput', () => {
  it('text written in one turn goes out in one write at the end of that turn, in order', async () => {
    const { writes, output } = recorder();
    output.write('GET /a 200\n');
    output.write('GET /b 404\n');
    output.write('PUT /c 200\n');
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toEqual(['GET /a 200\nGET /b 404\nPUT /c 200\n']);
  });

  it('each turn gets its own write, and a turn with nothing written writes nothing', async () => {
    const { writes, output } = recorder();
    output.write('one\n');
    await nextTurn();
    await nextTurn();
    output.write('two\n');
    await nextTurn();
    expect(writes).toEqual(['one\n', 'two\n']);
  });

  it('flush writes what is pending at once, and the turn end then has nothing left to write', async () => {
    const { writes, output } = recorder();
    output.write('before exit\n');
    output.flush();
    expect(writes).toEqual(['before exit\n']);
    output.flush();
    await nextTurn();
    expect(writes).toEqual(['before exit\n']);
  });

  it('a burst past 64 KiB is written at once, so pending text stays bounded', async () => {
    const { writes, output } = recorder();
    const line = `${'x'.repeat(1023)}\n`;
    for (let i = 0; i < 64; i++) output.write(line);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toHaveLength(64 * 1024);
    output.write('tail\n');
    expect(writes).toHaveLength(1);
    await nextTurn();
    expect(writes).toEqual([line.repeat(64), 'tail\n']);
  });

  it('a writer that throws loses only that write: later text still goes out', async () => {
    const writes: string[] = [];
    let fail = true;
    const output = coalescedOutput((text) => {
      if (fail) {
        fail = false;
        throw new Error('EPIPE');
      }
      writes.push(text);
    });
    output.write('lost\n');
    expect(() => output.flush()).toThrow('EPIPE');
    output.write('kept\n');
    await nextTurn();
    expect(writes).toEqual(['kept\n']);
  });
});

describe('coalescedOutput at the end of a turn', () => {
  it('a writer that throws there does not throw out of the event loop', async () => {
    let calls = 0;
    const output = coalescedOutput(() => {
      calls++;
      throw new Error('stream closed');
    });
    output.write('line\n');
    await nextTurn();
    await nextTurn();
    expect(calls).toBe(1);
  });
});
