#!/usr/bin/env node
// CommonJS (see bin/package.json) and bundled (scripts/bundle-cli.mjs): `imds get` then starts
// without Node's ES module loader and compiles one small file for its command.
'use strict';
const { main } = require('../dist/cli-bundle/main.js');
const { version } = require('../package.json');

// `imds dump | head`: a reader that goes away early is no error. Stop quietly, as Unix tools do,
// instead of an unhandled 'error' event and its stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error && error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

main(process.argv.slice(2), undefined, version).then((code) => {
  process.exitCode = code;
});
