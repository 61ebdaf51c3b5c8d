/**
 * The wrk load generator (Debian's `wrk` package), one thread, driven by the scripts in
 * bench/lua/ which print their results as one JSON line.
 */
import { execFileSync } from 'node:child_process';
import { withPrefix } from './cpus.js';
import type { LoadGenerator, LoadOptions, LoadResult, LoadScenario } from './load.js';
import { parseLoadOutput } from './load-report.js';
import { benchFile } from './paths.js';
import { runProcess } from './run-process.js';

/** wrk when it is on PATH, else undefined. */
export function findWrk(): LoadGenerator | undefined {
  let version: string;
  try {
    // `wrk --version` prints its banner and exits 1.
    version = execFileSync('wrk', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const output = (error as { stdout?: string }).stdout;
    if (typeof output !== 'string' || !output.startsWith('wrk')) return undefined;
    version = output;
  }
  const name = /^wrk (\S+)/.exec(version)?.[1] ?? '';
  return { name: `wrk ${name}`.trim(), run: runWrk };
}

async function runWrk(options: LoadOptions): Promise<LoadResult> {
  const [script, scriptArgs] = scriptFor(options.scenario);
  const wrkArgs = [
    '-t1',
    `-c${options.connections}`,
    `-d${options.durationSeconds}s`,
    '--timeout',
    '2s',
    '-s',
    benchFile(`lua/${script}`),
    options.url,
    '--',
    ...scriptArgs,
  ];
  const [file, args] = withPrefix(options.prefix, 'wrk', wrkArgs);
  const result = await runProcess(file, args, {
    env: {
      ...process.env,
      BENCH_LUA_DIR: benchFile('lua'),
      BENCH_CONNECTION_CLOSE: options.connectionClose === true ? '1' : '',
    },
    timeoutMs: (options.durationSeconds + 30) * 1000,
  });
  return parseLoadOutput(result.stdout, result.stderr, result.code, 'wrk');
}

function scriptFor(scenario: LoadScenario): [string, string[]] {
  switch (scenario.kind) {
    case 'get':
      return scenario.counted ? ['token-pairs.lua', ['get', scenario.token]] : ['get.lua', [scenario.token]];
    case 'pairs':
      return ['token-pairs.lua', ['pairs']];
    case 'puts':
      return ['token-puts.lua', []];
  }
}
