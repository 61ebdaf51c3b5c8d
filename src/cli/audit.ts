/**
 * `imds audit`: who still reads without a token. Reads request logs (`--request-log` files, or
 * a saved `GET /requests` answer) or, with `--control URL`, the live log of a running emulator or
 * proxy, and prints IMDSv1 callers grouped by executable, container and user agent.
 */
import { readFileSync } from 'node:fs';
import { parseRequestRecords, RequestLogFormatError } from '../audit/read-records.js';
import { auditReport, formatAuditReport } from '../audit/report.js';
import type { RequestRecord } from '../control/api-shapes.js';
import { EXIT, type CommandIo } from './io.js';
import { FlagError, parseFlags, type ParsedValues } from './parse-flags.js';

const HELP = `Usage: imds audit [FILE...] [--control URL] [--json]

Reports the callers that read metadata without a token (IMDSv1): grouped by executable,
container and user agent, with counts, pids, users, first and last seen, and the paths read.

  FILE                 a request log written by --request-log (JSON lines), or a saved
                       GET /requests answer; - reads standard input
  --control URL        read the live log of a running imds serve / imds proxy control listener
  --control-token T    its bearer token (IMDS_CONTROL_TOKEN)
  --json               print the report as JSON
  -h, --help           show this help

Exit codes: 0 report printed (with or without v1 callers), 2 usage or unreadable input,
3 control listener unreachable.
`;

const OPTIONS = {
  control: { type: 'string' },
  'control-token': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function run(argv: string[], io: CommandIo): Promise<number> {
  let parsed: { values: ParsedValues<typeof OPTIONS>; positionals: string[] };
  try {
    parsed = parseFlags(argv, OPTIONS, true) as typeof parsed;
  } catch (error) {
    if (!(error instanceof FlagError)) throw error;
    io.stderr(`imds audit: ${error.message}\n\n${HELP}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  if (positionals.length === 0 && values.control === undefined) {
    io.stderr(`imds audit: give a request-log FILE or --control URL\n\n${HELP}`);
    return EXIT.usage;
  }
  const records: RequestRecord[] = [];
  for (const file of positionals) {
    try {
      const text = readFileSync(file === '-' ? 0 : file, 'utf8');
      records.push(...parseRequestRecords(text, file));
    } catch (error) {
      const reason =
        error instanceof RequestLogFormatError
          ? error.message
          : `${file}: ${(error as NodeJS.ErrnoException).code ?? error}`;
      io.stderr(`imds audit: ${reason}\n`);
      return EXIT.usage;
    }
  }
  if (values.control !== undefined) {
    const token = values['control-token'] ?? io.env.IMDS_CONTROL_TOKEN;
    let response: Response;
    try {
      response = await fetch(new URL('/requests', values.control), {
        headers: token ? { Authorization: `Bearer ${token}` } : {},
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      io.stderr(
        `imds audit: --control ${values.control}: ${(error as Error).cause ?? (error as Error).message}\n`,
      );
      return EXIT.unreachable;
    }
    if (!response.ok) {
      io.stderr(
        `imds audit: --control ${values.control}: HTTP ${response.status} ${await response.text()}\n`,
      );
      return EXIT.usage;
    }
    try {
      records.push(...parseRequestRecords(await response.text(), `${values.control}/requests`));
    } catch (error) {
      io.stderr(`imds audit: ${(error as Error).message}\n`);
      return EXIT.usage;
    }
  }
  const report = auditReport(records);
  io.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatAuditReport(report));
  return EXIT.ok;
}
