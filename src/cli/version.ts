/**
 * The package's version, for `imds --version`. `scripts/bundle-cli.mjs` writes it into the CLI
 * bundle at build time (esbuild's `define` of `IMDS_BUILD_VERSION`), so starting `imds` reads no
 * `package.json`: that read and its JSON parse were part of what every `imds get` paid.
 * Code run from the sources (tests) has no build, and says `unknown`.
 */
declare const IMDS_BUILD_VERSION: string | undefined;

export const VERSION: string = typeof IMDS_BUILD_VERSION === 'string' ? IMDS_BUILD_VERSION : 'unknown';
