import { ImdsClient } from '../../src/client/client.js';
import { ImdsNotFoundError } from '../../src/client/errors.js';
import type { Transport } from '../../src/client/transport.js';
import { crawl, type CrawlOptions, type CrawlReader } from '../../src/recording/crawl.js';
import type { Recording } from '../../src/recording/format.js';
import type { Emulator } from '../../src/server/emulator.js';
import { isNoResponse, makeRequest } from '../../src/server/exchange.js';

/** Never contacted: every request goes to the emulator in-process. */
const NOWHERE = 'http://127.0.0.1:9';

/** A client transport that hands each request to `emulator.handle`, counting them. */
export function inProcessTransport(emulator: Emulator): { transport: Transport; sent: { count: number } } {
  const sent = { count: 0 };
  const transport: Transport = async (request) => {
    sent.count++;
    const url = new URL(request.url);
    if (url.origin !== NOWHERE) throw new Error(`request to ${url.origin}, expected the in-process emulator`);
    const outcome = emulator.handle(makeRequest(request.method, url.pathname, { ...request.headers }));
    if (isNoResponse(outcome)) throw new Error(`no response for ${request.method} ${url.pathname}`);
    const headers: Record<string, string> = {};
    for (const [name, value] of outcome.headers) headers[name.toLowerCase()] = value;
    return { status: outcome.status, headers, body: outcome.body };
  };
  return { transport, sent };
}

/** A crawl reader over the real client, talking to `emulator` in-process. */
export function inProcessReader(emulator: Emulator): { reader: CrawlReader; sent: { count: number } } {
  const { transport, sent } = inProcessTransport(emulator);
  const contentTypes = new Map<string, string | undefined>();
  const observing: Transport = async (request) => {
    const response = await transport(request);
    contentTypes.set(new URL(request.url).pathname, response.headers['content-type']);
    return response;
  };
  const client = new ImdsClient({ endpoint: NOWHERE, transport: observing, env: {} });
  const reader: CrawlReader = {
    async read(path) {
      const body = await client.getBytes(path);
      return { body, contentType: contentTypes.get(path) ?? 'text/plain' };
    },
    isNotFound: (error) => error instanceof ImdsNotFoundError,
    async tokenlessStatus() {
      const response = await transport({
        method: 'GET',
        url: `${NOWHERE}/latest/meta-data/`,
        headers: {},
        connectTimeoutMs: 1000,
        timeoutMs: 1000,
        maxBodyBytes: 1 << 20,
      });
      return response.status;
    },
  };
  return { reader, sent };
}

/** Records an emulator in-process: every version, user data kept unless told otherwise. */
export async function recordInProcess(
  emulator: Emulator,
  options: Partial<CrawlOptions> = {},
): Promise<{ recording: Recording; requests: number }> {
  const { reader, sent } = inProcessReader(emulator);
  const recording = await crawl(reader, {
    policy: { includeUserData: true, redact: [] },
    concurrency: 8,
    ...options,
  });
  return { recording, requests: sent.count };
}
