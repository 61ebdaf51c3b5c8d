/**
 * Record the emulator serving each example configuration, serve the recording, record again: the
 * two recordings must be identical, and every path of every version must answer the same status,
 * content type and bytes from both emulators, except the secrets the replay generates (role and
 * identity credentials, signatures), which must have the recorded shape and verify.
 */
import { fileURLToPath } from 'node:url';
import { createVerify } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { loadConfigFile } from '../../src/config/load-file.js';
import { ROOT_PATH, type Recording } from '../../src/recording/format.js';
import { createIdentitySigner } from '../../src/metadata/identity-signer.js';
import { replayOf } from '../../src/recording/replay.js';
import { formatRecording } from '../../src/recording/write.js';
import { isFault } from '../../src/scenarios/spec.js';
import { Emulator } from '../../src/server/emulator.js';
import { isNoResponse, makeRequest, type ImdsResponse } from '../../src/server/exchange.js';
import { recordInProcess } from './helpers.js';

const EXAMPLES = fileURLToPath(new URL('../../examples', import.meta.url));
const files = readdirSync(EXAMPLES).filter((name) => /\.(ya?ml|json)$/.test(name));
/** Five minutes after start: notices due in the first minutes are on the recorded instance. */
const RECORD_AFTER_MS = 5 * 60_000;
const START = Date.UTC(2024, 1, 27, 13, 6, 6);

function get(emulator: Emulator, token: string, target: string): ImdsResponse {
  const outcome = emulator.handle(makeRequest('GET', target, { 'x-aws-ec2-metadata-token': token }));
  if (isNoResponse(outcome)) throw new Error(`no response for ${target}`);
  return outcome;
}

function tokenOf(emulator: Emulator): string {
  const outcome = emulator.handle(
    makeRequest('PUT', '/latest/api/token', { 'x-aws-ec2-metadata-token-ttl-seconds': '600' }),
  );
  if (isNoResponse(outcome) || outcome.status !== 200) throw new Error('no token');
  return Buffer.from(outcome.body).toString('latin1');
}

function contentType(response: ImdsResponse): string | undefined {
  return response.headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1];
}

/**
 * Every recorded path in every version, served there or not, so 404s are compared too (a
 * category newer than a version must be missing from it in both).
 */
function allPaths(recording: Recording): [string, string][] {
  const paths = [...new Set(recording.entries.map((entry) => entry.path))];
  return recording.versions.flatMap((version) => paths.map((path) => [version, path] as [string, string]));
}

/** Two signers, made once and shared by every example: key generation would cost more than the crawls. */
const signers = [createIdentitySigner(), createIdentitySigner()] as const;

describe('round trip: record an example, serve it, record it again', { timeout: 60_000 }, () => {
  it('covers every example configuration', () => {
    expect(files.length).toBeGreaterThanOrEqual(18);
  });

  for (const file of files) {
    it(file, async () => {
      const config = loadConfigFile(join(EXAMPLES, file));
      const clock = new ManualClock(config.clock.start ?? START);
      const original = new Emulator({
        clock,
        instance: config.instance,
        // Faults shape how answers arrive, not what the tree holds: the crawl would only retry through them.
        scenarios: config.scenarios.filter((spec) => !isFault(spec)),
        httpTokens: config.settings.httpTokens ?? 'required',
        signer: signers[0],
      });
      clock.advance(RECORD_AFTER_MS);
      const first = await recordInProcess(original);
      const replay = replayOf(first.recording);
      const replayed = new Emulator({
        clock,
        instance: replay.instance,
        treeSource: replay.source,
        signer: signers[1],
        ...(replay.httpTokens ? { httpTokens: replay.httpTokens } : {}),
      });
      const second = await recordInProcess(replayed);

      expect(formatRecording(second.recording, 'yaml')).toBe(formatRecording(first.recording, 'yaml'));
      expect(second.requests).toBe(first.requests);

      const generated = new Map(
        first.recording.entries.flatMap((entry) =>
          entry.kind === 'leaf' && entry.omitted ? [[entry.path, entry] as const] : [],
        ),
      );
      const tokens = [tokenOf(original), tokenOf(replayed)] as const;
      let compared = 0;
      let checkedSecrets = 0;
      let missing = 0;
      for (const [version, path] of allPaths(first.recording)) {
        const target = `/${version}/${path === ROOT_PATH ? '' : path}`;
        const [a, b] = [get(original, tokens[0], target), get(replayed, tokens[1], target)];
        expect(b.status, target).toBe(a.status);
        expect(contentType(b), target).toBe(contentType(a));
        if (a.status === 404) {
          missing++;
          continue;
        }
        const secret = generated.get(path);
        if (!secret) {
          expect(Buffer.from(b.body).toString('base64'), target).toBe(Buffer.from(a.body).toString('base64'));
          compared++;
          continue;
        }
        checkedSecrets++;
        if (secret.omitted === 'identity signature') {
          expect(Buffer.from(b.body).equals(Buffer.from(a.body)), `${target} is the replay's own`).toBe(
            false,
          );
          if (path.endsWith('/signature')) {
            const document = get(replayed, tokens[1], `/${version}/dynamic/instance-identity/document`).body;
            const verifier = createVerify('RSA-SHA256');
            verifier.update(document);
            const valid = verifier.verify(
              replayed.signer.certificateFor('signature'),
              Buffer.from(b.body).toString(),
              'base64',
            );
            expect(valid, `${target} verifies with the replay's certificate`).toBe(true);
          }
        } else {
          const parsed = JSON.parse(Buffer.from(b.body).toString()) as Record<string, unknown>;
          expect(Object.keys(parsed), target).toEqual(secret.keys);
          expect(parsed.SecretAccessKey, target).not.toBe(
            (JSON.parse(Buffer.from(a.body).toString()) as Record<string, unknown>).SecretAccessKey,
          );
        }
      }
      expect(compared).toBeGreaterThan(100);
      expect(checkedSecrets).toBeGreaterThan(0);
      // The dated versions before 2009-04-04 have no dynamic/, and so on.
      expect(missing).toBeGreaterThan(100);
    });
  }
});
