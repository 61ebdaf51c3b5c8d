/**
 * Makes the V8 code cache of `imds serve`'s bundle (docs/decisions/0020-serve-code-cache.md),
 * run by scripts/bundle-cli.mjs right after the bundle is built:
 * `node scripts/serve-code-cache.cjs dist/cli-bundle/serve-code.js OUT.cache`.
 *
 * It evaluates the bundle, then starts `imds serve` in this process on 127.0.0.1 port 0 (loopback
 * only), asks it for a token and instance-id, and stops it, so the cache holds the code of a start
 * and of a first answer, not only of the bundle's top level. If that start fails (a build sandbox
 * without loopback), the cache of the top level is written and the build goes on.
 */
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const http = require('node:http');
const { createRequire } = require('node:module');
const { dirname } = require('node:path');
const { Script } = require('node:vm');

const [file, out] = process.argv.slice(2);
if (!file || !out) throw new Error('usage: node scripts/serve-code-cache.cjs BUNDLE OUT');
const LOOPBACK = '127.0.0.1';
const WARM_TIMEOUT_MS = 20_000;

// The bundle is one function expression of CommonJS's five parameters (scripts/bundle-cli.mjs).
const script = new Script(readFileSync(file, 'latin1'), { filename: file });
const loaded = { exports: {} };
script.runInThisContext()(loaded.exports, createRequire(file), loaded, file, dirname(file));

/** One request to the emulator this process runs, on loopback. */
function request(method, port, path, headers) {
  return new Promise((resolve, reject) => {
    const outgoing = http.request({ host: LOOPBACK, port, method, path, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

async function warm() {
  let banner = '';
  const io = {
    stdout: (text) => {
      banner += text;
    },
    stderr: () => {},
    env: {},
  };
  let failure;
  const code = await loaded.exports.serve(['--host', LOOPBACK, '--port', '0', '--log', 'quiet'], io, async () => {
    try {
      const port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(banner)?.[1]);
      const token = await request('PUT', port, '/latest/api/token', {
        'x-aws-ec2-metadata-token-ttl-seconds': '60',
      });
      const answer = await request('GET', port, '/latest/meta-data/instance-id', {
        'x-aws-ec2-metadata-token': token.body,
      });
      if (token.status !== 200 || answer.status !== 200)
        failure = `answered ${token.status} and ${answer.status}`;
    } catch (error) {
      failure = error.message;
    }
  });
  if (failure !== undefined || code !== 0) throw new Error(failure ?? `serve exited ${code}`);
}

const timer = setTimeout(() => finish('timed out'), WARM_TIMEOUT_MS);
warm().then(
  () => finish(undefined),
  (error) => finish(error.message),
);

function finish(problem) {
  clearTimeout(timer);
  if (problem !== undefined)
    process.stderr.write(`serve-code-cache: no warm start (${problem}); caching the top level only\n`);
  writeFileSync(out, script.createCachedData());
  process.exit(0);
}
