/**
 * Figure 7: `imds serve --port 0` (the shipped command) from spawn to its first successful answer
 * (a token PUT, then a GET of instance-id with it, both 200), against `node -e 0` from spawn to
 * exit: what starting the emulator adds to starting Node. Target (issue 18): at most 1.6x.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Figure } from '../support/figure.js';
import { ratioRow } from '../support/figure.js';
import { ms } from '../support/format.js';
import { fetchToken, getWithToken } from '../support/http.js';
import { IMDS_BIN, REPO_ROOT } from '../support/paths.js';
import { runProcess } from '../support/run-process.js';
import { summarize } from '../support/stats.js';
import { FIXED_BODY, INSTANCE_ID_PATH } from '../servers/fixed-response.js';

const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+)/;

export const serveStart: Figure = {
  id: '7',
  title: '`imds serve` start to first answer',
  async run(context) {
    const serve: number[] = [];
    const node: number[] = [];
    const runs = context.settings.serveRuns;
    for (let run = -1; run < runs; run++) {
      const serveMs = await timeServe();
      const nodeMs = (await runProcess(process.execPath, ['-e', '0'], { timeoutMs: 30_000 })).wallMs;
      if (run >= 0) {
        serve.push(serveMs);
        node.push(nodeMs);
      }
    }
    const serveTimes = summarize(serve);
    const nodeTimes = summarize(node);
    return {
      rows: [
        ratioRow({
          figure: '7',
          measure: '`imds serve` start to first answer',
          value: ms(serveTimes.median),
          baseline: `node -e 0 ${ms(nodeTimes.median)}`,
          ratio: serveTimes.median / nodeTimes.median,
          target: { op: '<=', value: 1.6 },
          note: `medians of ${runs} starts`,
        }),
      ],
      details: { serve: serveTimes, node: nodeTimes },
    };
  },
};

/** Spawns `imds serve --port 0`, waits for its URL, gets a token and instance-id, stops it. */
async function timeServe(): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [IMDS_BIN, 'serve', '--port', '0'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const match = LISTENING.exec(output);
        if (match?.[1] !== undefined) resolve(match[1]);
      });
      child.on('exit', (code) =>
        reject(new Error(`imds serve exited (${String(code)}) before listening: ${output}`)),
      );
    });
    const token = await fetchToken(url);
    const answer = await getWithToken(url, INSTANCE_ID_PATH, token);
    const elapsed = performance.now() - started;
    if (answer.status !== 200 || answer.body !== FIXED_BODY)
      throw new Error(`imds serve answered ${answer.status} ${answer.body}`);
    return elapsed;
  } finally {
    child.kill('SIGTERM');
    await exited;
    clearTimeout(killTimer);
  }
}
