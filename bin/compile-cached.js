'use strict';
// One way to load a bundled file, shared by `imds` (main.js) and `imds serve` (serve-code.js):
// compile it with the V8 code cache the build made for it, when this Node can use it
// (docs/decisions/0020-serve-code-cache.md, 0021-cli-start.md). A cache is named by the V8 version
// and architecture that made it, so another Node finds no file of its name; V8 checks a cache it
// finds again (version, flags, source length) and compiles as usual when it refuses it.
const { readFileSync } = require('node:fs');
const { Script } = require('node:vm');

/**
 * Compiles `file` (ASCII, checked when it is built, so latin1 is its exact and fastest decoding),
 * a function expression of CommonJS's five parameters, and returns that function with whether V8
 * took the cache beside `cacheBase` (`absent`, `rejected` or `used`). A function of its own, so
 * the cache's buffer is garbage once the code is compiled.
 */
function compileCached(file, cacheBase) {
  let cachedData;
  try {
    cachedData = readFileSync(`${cacheBase}.v8-${process.versions.v8}-${process.arch}.cache`);
  } catch {
    // Built by another Node, or no cache: compile from source.
  }
  const script = new Script(readFileSync(file, 'latin1'), { filename: file, cachedData });
  const codeCache = cachedData === undefined ? 'absent' : script.cachedDataRejected ? 'rejected' : 'used';
  return { wrapper: script.runInThisContext(), codeCache };
}

module.exports = { compileCached };
