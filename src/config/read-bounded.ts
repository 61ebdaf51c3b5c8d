import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

/** A file named by configuration or flags that is not a regular file, or too large. */
export class BoundedReadError extends Error {
  override readonly name = 'BoundedReadError';
}

/** The largest configuration file read: real ones are a few KiB. */
export const CONFIG_FILE_MAX_BYTES = 1024 * 1024;
/** The largest PEM key or certificate read (`--identity-key`, `--identity-cert`): real ones are under 8 KiB. */
export const PEM_FILE_MAX_BYTES = 64 * 1024;

/**
 * Reads a whole file named by configuration or a flag, safely: `fstat` first and only a regular
 * file is read (a FIFO would hang start-up, `/dev/zero` would grow until memory runs out), and at
 * most `maxBytes + 1` bytes are read whatever the file claims, so a file growing while it is read
 * is caught too. Opened non-blocking, so opening a FIFO with no writer does not wait.
 *
 * @throws {BoundedReadError} when the file is not a regular file or holds more than `maxBytes`.
 * @throws the `fs` error (with its `code`, such as `ENOENT`) when it cannot be opened.
 * @example
 * ```ts
 * const text = readBoundedFile('imds.yaml', CONFIG_FILE_MAX_BYTES).toString('utf8');
 * ```
 */
export function readBoundedFile(path: string, maxBytes: number): Buffer {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new BoundedReadError(`not a regular file (${kindOf(stats)})`);
    if (stats.size > maxBytes)
      throw new BoundedReadError(`larger than ${maxBytes} bytes (${stats.size} bytes)`);
    return readAtMost(fd, maxBytes);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads an open descriptor to its end, at most `maxBytes` (standard input for `--config -`: the
 * user chose what it is, but `< /dev/zero` must still not grow without limit).
 *
 * @throws {BoundedReadError} when there is more than `maxBytes`.
 */
export function readAtMost(fd: number, maxBytes: number): Buffer {
  const buffer = Buffer.alloc(maxBytes + 1);
  let total = 0;
  while (total < buffer.length) {
    const read = readSync(fd, buffer, total, buffer.length - total, null);
    if (read === 0) break;
    total += read;
  }
  if (total > maxBytes) throw new BoundedReadError(`larger than ${maxBytes} bytes`);
  return Buffer.from(buffer.subarray(0, total));
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a file';
}
