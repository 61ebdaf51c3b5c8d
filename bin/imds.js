#!/usr/bin/env node
// CommonJS (see bin/package.json) and bundled (scripts/bundle-cli.mjs): `imds get` starts without
// Node's ES module loader and runs one file, main.js, compiled with the V8 code cache the build
// made for it when this Node can use it (docs/decisions/0021-cli-start.md): a cache is named
// by the V8 version and architecture that made it, and V8 checks it again and otherwise compiles as
// usual.
'use strict';
const { readFileSync } = require('node:fs');
const { Script } = require('node:vm');

const dir = `${__dirname}/../dist/cli-bundle`;
const file = `${dir}/main.js`;
let cachedData;
try {
  cachedData = readFileSync(`${dir}/main.v8-${process.versions.v8}-${process.arch}.cache`);
} catch {
  // Built by another Node, or no cache: compile from source.
}
const bundle = { exports: {} };
// main.js is ASCII (checked when it is built), so latin1 is its exact and fastest decoding.
new Script(readFileSync(file, 'latin1'), { filename: file, cachedData }).runInThisContext()(
  bundle.exports,
  require,
  bundle,
  file,
  dir,
);
const { main } = bundle.exports;

// `imds dump | head`: a reader that goes away early is no error. Stop quietly, as Unix tools do,
// instead of an unhandled 'error' event and its stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error && error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
