/**
 * `npm run soak`: the long version of test/hardening/stress.test.ts. Three emulators (`optional`,
 * `required`, and `HttpEndpoint=disabled`) run in a worker thread, so they have a core of their
 * own; 64 clients in the main thread send at least 1,000,000 requests over loopback, one
 * connection each, mixing token PUTs, GETs and HEADs over every path of the default tree, and
 * check every answer.
 *
 * Prints the counts of requests, crashes (the server thread dying, or connections that got no
 * usable answer) and wrong answers, and the server's memory before and after. Exits 1 on any
 * wrong answer or crash, 2 when the time bound ended the run before the request count.
 *
 * Usage: `npm run soak -- [--requests 1000000] [--max-seconds 900] [--clients 64] [--seed 6]`
 */
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { ManualClock } from '../src/clock.js';
import { startEmulator, type RunningEmulator } from '../src/start/start.js';
import { crawlEmulator } from '../test/hardening/support/crawl.js';
import { loadTarget, type LoadMode, type LoadTarget } from '../test/hardening/support/expected.js';
import { runLoad, type LoadReport } from '../test/hardening/support/load.js';
import { applyMode, LOAD_NOW } from '../test/hardening/support/targets.js';

const MODES: readonly LoadMode[] = ['optional', 'required', 'disabled'];

/** Messages between the main thread and the server thread. */
type ToServer = { type: 'set-modes' } | { type: 'memory' } | { type: 'stop' };
type FromServer =
  | { type: 'listening'; ports: number[] }
  | { type: 'modes-set' }
  | { type: 'memory'; heapUsedMiB: number; rssMiB: number; requestsSeen: number };

if (isMainThread) {
  process.exitCode = await main().catch((error: unknown) => {
    console.error(`soak: ${(error as Error).message}`);
    return 1;
  });
} else {
  await serve();
}

/** The server thread: the emulators, crawlable (optional) until told to switch to their modes. */
async function serve(): Promise<void> {
  const port = parentPort!;
  const running: RunningEmulator[] = [];
  for (let index = 0; index < MODES.length; index++) {
    running.push(
      await startEmulator({
        httpTokens: 'optional',
        clock: new ManualClock(LOAD_NOW),
        requestLogCapacity: 10_000,
      }),
    );
  }
  const reply = (message: FromServer) => port.postMessage(message);
  port.on('message', async (message: ToServer) => {
    if (message.type === 'set-modes') {
      for (const [index, imds] of running.entries()) applyMode(imds, MODES[index] as LoadMode);
      reply({ type: 'modes-set' });
    } else if (message.type === 'memory') {
      collectGarbage();
      const memory = process.memoryUsage();
      const requestsSeen = running.reduce((sum, imds) => sum + imds.emulator.requests.total, 0);
      reply({ type: 'memory', heapUsedMiB: mib(memory.heapUsed), rssMiB: mib(memory.rss), requestsSeen });
    } else {
      await Promise.all(running.map((imds) => imds.close()));
      port.close();
    }
  });
  reply({ type: 'listening', ports: running.map((imds) => imds.port) });
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '1000000' },
      'max-seconds': { type: 'string', default: '900' },
      clients: { type: 'string', default: '64' },
      seed: { type: 'string', default: '6' },
    },
  });
  const requests = positiveInteger('requests', values.requests);
  const maxSeconds = positiveInteger('max-seconds', values['max-seconds']);
  const clients = positiveInteger('clients', values.clients);
  const seed = positiveInteger('seed', values.seed);

  let crashes = 0;
  // The worker runs this same file, so it needs tsx's TypeScript loader, which Node 20 does not
  // carry into workers from the command line: the worker registers it before importing this file.
  const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
    .then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const server = new Worker(bootstrap, { eval: true });
  server.on('error', (error) => {
    crashes++;
    console.error(`soak: the server thread crashed: ${error.stack ?? String(error)}`);
  });
  server.on('exit', (code) => {
    if (code !== 0) {
      crashes++;
      console.error(`soak: the server thread exited with code ${code}`);
    }
  });
  const next = messages(server);

  const { ports } = (await next('listening')) as Extract<FromServer, { type: 'listening' }>;
  const targets: LoadTarget[] = [];
  for (const [index, mode] of MODES.entries()) {
    const port = ports[index] as number;
    targets.push(await loadTarget(mode, port, mode, await crawlEmulator(port)));
  }
  server.postMessage({ type: 'set-modes' } satisfies ToServer);
  await next('modes-set');
  server.postMessage({ type: 'memory' } satisfies ToServer);
  const before = (await next('memory')) as Extract<FromServer, { type: 'memory' }>;

  // Every path spelling of the enabled emulators must be served at least once.
  const paths = targets
    .filter((target) => target.mode !== 'disabled')
    .reduce((sum, target) => sum + target.cases.length, 0);
  console.log(
    `soak: ${requests.toLocaleString('en-US')} requests, ${clients} clients, at most ${maxSeconds} s; ${paths} path spellings to serve; emulators: ${MODES.join(', ')}`,
  );
  const report = await runLoad({
    targets,
    clients,
    requests,
    maxDurationMs: maxSeconds * 1000,
    seed,
    keepSamples: 20,
    onProgress: throttle(10_000, (progress) => {
      console.log(
        `  ${progress.requests.toLocaleString('en-US').padStart(10)} requests  ${rate(progress)} req/s  wrong ${progress.wrong}  failed ${progress.failed}`,
      );
    }),
  });

  server.postMessage({ type: 'memory' } satisfies ToServer);
  const after = (await next('memory')) as Extract<FromServer, { type: 'memory' }>;
  server.postMessage({ type: 'stop' } satisfies ToServer);
  await new Promise((resolve) => server.once('exit', resolve));

  const allCrashes = crashes + report.failed;
  const everyPathServed = report.pathsServed.size === paths;
  console.log('');
  console.log(
    `requests       ${report.requests.toLocaleString('en-US')} in ${(report.elapsedMs / 1000).toFixed(1)} s (${rate(report)} req/s)`,
  );
  console.log(`correct        ${report.correct.toLocaleString('en-US')}`);
  console.log(`wrong answers  ${report.wrong}`);
  console.log(
    `crashes        ${allCrashes} (server thread: ${crashes}, connections without an answer: ${report.failed})`,
  );
  console.log(
    `tokens minted  ${report.tokensMinted.size.toLocaleString('en-US')} (all distinct: ${report.tokensMinted.size === (report.byKind['PUT token'] ?? 0)})`,
  );
  console.log(`paths served   ${report.pathsServed.size} of ${paths}`);
  console.log(
    `statuses       ${Object.entries(report.byStatus)
      .map(([status, count]) => `${status}: ${count}`)
      .join(', ')}`,
  );
  console.log(
    `server memory  heap after GC ${before.heapUsedMiB} -> ${after.heapUsedMiB} MiB (server thread), rss ${before.rssMiB} -> ${after.rssMiB} MiB (whole process)`,
  );
  console.log(
    `server count   ${after.requestsSeen.toLocaleString('en-US')} requests handled (the load plus the crawl)`,
  );
  for (const sample of report.samples) console.log(`  ${sample}`);

  if (report.wrong > 0 || allCrashes > 0 || !everyPathServed) return 1;
  if (report.stoppedByTime) {
    console.log(`soak: stopped by the ${maxSeconds} s bound before ${requests} requests`);
    return 2;
  }
  return 0;
}

/** Waits for the next message of each type, in order; rejects once the worker has exited. */
function messages(worker: Worker): (type: FromServer['type']) => Promise<FromServer> {
  const queue: FromServer[] = [];
  const waiting: Array<{
    type: FromServer['type'];
    resolve: (message: FromServer) => void;
    reject: (error: Error) => void;
  }> = [];
  let exited = false;
  worker.on('message', (message: FromServer) => {
    const index = waiting.findIndex((waiter) => waiter.type === message.type);
    if (index === -1) queue.push(message);
    else waiting.splice(index, 1)[0]!.resolve(message);
  });
  worker.on('exit', () => {
    exited = true;
    for (const waiter of waiting.splice(0))
      waiter.reject(new Error(`the server thread exited while waiting for '${waiter.type}'`));
  });
  return (type) => {
    const index = queue.findIndex((message) => message.type === type);
    if (index !== -1) return Promise.resolve(queue.splice(index, 1)[0]!);
    if (exited) return Promise.reject(new Error(`the server thread has exited; no '${type}' will come`));
    return new Promise((resolve, reject) => waiting.push({ type, resolve, reject }));
  };
}

function positiveInteger(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) {
    console.error(`soak: --${name} must be a positive integer, got '${text}'`);
    process.exit(64);
  }
  return value;
}

function throttle(everyMs: number, report: (progress: LoadReport) => void): (progress: LoadReport) => void {
  let last = 0;
  return (progress) => {
    if (progress.elapsedMs - last < everyMs) return;
    last = progress.elapsedMs;
    report(progress);
  };
}

function rate(report: LoadReport): string {
  return Math.round(report.requests / (report.elapsedMs / 1000)).toLocaleString('en-US');
}

/** A full collection in this thread, so heap figures compare live data rather than garbage. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

function mib(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}
