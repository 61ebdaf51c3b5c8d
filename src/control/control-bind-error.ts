import { controlBindRefusal } from '../net/bind-policy.js';

/**
 * The control API was asked to listen beyond loopback without a token. In its own file so that
 * `imds serve` can name it (a start refusal) without loading the control server and `node:http`,
 * which it loads only when a control port is configured.
 */
export class ControlBindError extends Error {
  override readonly name = 'ControlBindError';
  constructor(readonly host: string) {
    super(
      `the control API ${controlBindRefusal(host, undefined)}: give it a bearer token or keep it on 127.0.0.1`,
    );
  }
}
