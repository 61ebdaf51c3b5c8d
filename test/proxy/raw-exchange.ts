/** Raw HTTP/1.1 exchanges for the proxy tests: bytes in, every byte out, and how the connection ended. */
import net from 'node:net';

/**
 * Sends raw bytes and collects everything until the server closes, or `waitMs` of silence
 * (`ending: 'silence'`). `localAddress` picks the source address (127.0.0.2 is a loopback address too).
 */
export function exchange(
  url: string,
  request: string,
  waitMs = 5_000,
  localAddress?: string,
): Promise<{ bytes: Buffer; ending: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({
      host: hostname.replace(/^\[|\]$/g, ''),
      port: Number(port),
      ...(localAddress === undefined ? {} : { localAddress }),
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ bytes: Buffer.concat(chunks), ending: 'silence' });
    }, waitMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ bytes: Buffer.concat(chunks), ending: error.code ?? 'error' });
    });
    socket.on('end', () => {
      clearTimeout(timer);
      socket.end();
      resolve({ bytes: Buffer.concat(chunks), ending: 'end' });
    });
    socket.write(request);
  });
}

/** A GET as curl would send it to 169.254.169.254, with extra headers. */
export const get = (path: string, headers: Record<string, string> = {}) =>
  `GET ${path} HTTP/1.1\r\nHost: 169.254.169.254\r\nUser-Agent: audit-test/1\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;

/** A token request with `headers` (the TTL header is not added: give it). */
export const put = (path: string, headers: Record<string, string> = {}) =>
  `PUT ${path} HTTP/1.1\r\nHost: 169.254.169.254\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}Content-Length: 0\r\n\r\n`;

/** The bytes as text without the Date header (two servers answer in different seconds). */
export const undated = (bytes: Buffer) => bytes.toString('latin1').replace(/\r\nDate: [^\r]*/, '');
