#!/usr/bin/env node
// CommonJS (see bin/package.json) and bundled (scripts/bundle-cli.mjs): `imds get` then starts
// without Node's ES module loader and compiles one small file for its command.
'use strict';
const { main } = require('../dist/cli-bundle/main.js');
const { version } = require('../package.json');

main(process.argv.slice(2), undefined, version).then((code) => {
  process.exitCode = code;
});
