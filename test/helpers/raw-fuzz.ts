import net from 'node:net';

/** How a fuzz connection ends after its bytes are written. */
export type Finish = 'half-close' | 'destroy' | 'reset' | 'wait';

/** One hostile connection: bytes written in pieces (to fuzz the slow path too), then an ending. */
export interface FuzzCase {
  readonly kind: string;
  readonly pieces: readonly Buffer[];
  readonly finish: Finish;
}

/** What came back before the server closed the connection, or before `timeoutMs`. */
export interface FuzzOutcome {
  readonly bytes: Buffer;
  readonly timedOut: boolean;
}

/** A case from its bytes: cut at up to 3 random points, with a random ending (half-close most often). */
export function fuzzCaseOf(kind: string, bytes: Buffer, random: () => number): FuzzCase {
  const int = (max: number) => Math.floor(random() * max);
  const cuts = Array.from({ length: int(4) }, () => int(bytes.length + 1)).sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let previous = 0;
  for (const cut of [...cuts, bytes.length]) {
    pieces.push(bytes.subarray(previous, cut));
    previous = cut;
  }
  const endings: readonly Finish[] = ['half-close', 'half-close', 'half-close', 'destroy', 'reset', 'wait'];
  return { kind, pieces, finish: endings[int(endings.length)]! };
}

/** Plays one case against a loopback port and collects the answer. */
export function runFuzzCase(port: number, fuzzCase: FuzzCase, timeoutMs: number): Promise<FuzzOutcome> {
  return new Promise((resolve) => {
    const received: Buffer[] = [];
    let timedOut = false;
    const socket = net.connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ bytes: Buffer.concat(received), timedOut });
    });
    socket.on('connect', () => {
      for (const piece of fuzzCase.pieces) if (piece.length > 0) socket.write(piece);
      if (fuzzCase.finish === 'half-close') socket.end();
      else if (fuzzCase.finish === 'destroy') socket.destroy();
      else if (fuzzCase.finish === 'reset') socket.resetAndDestroy();
    });
  });
}
