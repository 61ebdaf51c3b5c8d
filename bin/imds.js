#!/usr/bin/env node
// CommonJS (see bin/package.json) and bundled (scripts/bundle-cli.mjs): `imds get` starts without
// Node's ES module loader and runs one file, main.js, compiled with the V8 code cache the build
// made for it when this Node can use it (compile-cached.js, docs/decisions/0021-cli-start.md).
'use strict';
const { compileCached } = require('./compile-cached.js');

const dir = `${__dirname}/../dist/cli-bundle`;
const file = `${dir}/main.js`;
const bundle = { exports: {} };
compileCached(file, `${dir}/main`).wrapper(bundle.exports, require, bundle, file, dir);
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
