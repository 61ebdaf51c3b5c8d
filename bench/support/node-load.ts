/**
 * The fallback {@link LoadGenerator}: bench/load/node-load-child.ts in its own process.
 */
import { withPrefix } from './cpus.js';
import type { LoadGenerator, LoadOptions, LoadResult } from './load.js';
import { parseLoadOutput } from './load-report.js';
import { benchFile } from './paths.js';
import { runProcess } from './run-process.js';

export const nodeLoadGenerator: LoadGenerator = {
  name: 'bench/load (Node fallback)',
  async run(options: LoadOptions): Promise<LoadResult> {
    const { prefix, ...rest } = options;
    const nodeArgs = ['--import', 'tsx', benchFile('load/node-load-child.ts'), JSON.stringify(rest)];
    const [file, args] = withPrefix(prefix, process.execPath, nodeArgs);
    const result = await runProcess(file, args, { timeoutMs: (options.durationSeconds + 30) * 1000 });
    return parseLoadOutput(result.stdout, result.stderr, result.code, 'bench/load');
  },
};
