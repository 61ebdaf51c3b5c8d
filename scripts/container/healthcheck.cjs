// HEALTHCHECK of the ec2-imds image: healthy when the metadata listener accepts a TCP connection.
// Deliberately not an HTTP request: a health probe every few seconds would show up in the
// emulator's request log and peer list (which tests read), and an injected fault or
// `httpEndpoint: disabled` would make a correctly running emulator look broken.
// See docs/decisions/0009-container-shapes.md.
'use strict';
const { connect } = require('node:net');

const WILDCARDS = new Set(['', '0.0.0.0', '::', '[::]']);
const configured = process.env.IMDS_HOST ?? '';
const host = WILDCARDS.has(configured) ? '127.0.0.1' : configured;
const port = Number(process.env.IMDS_PORT || 1338);

const socket = connect({ host, port });
socket.setTimeout(2000, () => {
  process.stderr.write(`healthcheck: no answer from ${host}:${port} within 2 s\n`);
  process.exit(1);
});
socket.on('connect', () => {
  socket.destroy();
  process.exit(0);
});
socket.on('error', (error) => {
  process.stderr.write(`healthcheck: ${host}:${port}: ${error.message}\n`);
  process.exit(1);
});
