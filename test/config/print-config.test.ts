import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { serve } from '../../src/cli/serve.js';
import { printConfig } from '../../src/config/print-config.js';
import { resolveConfig } from '../../src/config/resolve.js';

const examples = readdirSync('examples').filter((name) => /\.(ya?ml|json)$/.test(name));

function reload(printed: string) {
  return resolveConfig({
    flags: { config: 'printed.yaml' },
    env: {},
    files: { readFile: () => Buffer.from(printed) },
  });
}

describe('--print-config', () => {
  it.each(examples)('printing %s and loading the result gives the same emulator', (name) => {
    const original = resolveConfig({
      flags: { config: `examples/${name}`, port: '0' },
      env: { IMDS_HTTP_TOKENS: 'optional' },
    });
    const again = reload(printConfig(original));
    expect(again.instance).toEqual(original.instance);
    expect(again.scenarios).toEqual(original.scenarios);
    expect(again.settings).toEqual(original.settings);
    expect(again.clock).toEqual(original.clock);
  });

  it('says where each setting came from, and never prints the control token', () => {
    const config = resolveConfig({
      flags: { port: '0', controlPort: '0' },
      env: { IMDS_HTTP_TOKENS: 'optional', IMDS_CONTROL_TOKEN: 'very-secret-token-123' },
    });
    const printed = printConfig(config);
    expect(printed).toContain('port: 0 # from --port\n');
    expect(printed).toContain('httpTokens: optional # from IMDS_HTTP_TOKENS\n');
    expect(printed).toContain('httpEndpoint: enabled # default\n');
    expect(printed).toContain('# token: set from IMDS_CONTROL_TOKEN; never printed');
    expect(printed).not.toContain('very-secret-token-123');
    expect(parse(printed).control).toEqual({ host: '127.0.0.1', port: 0 });
  });

  it('a metadata option from a flag lands in instance.metadataOptions, says so, and loads back', () => {
    const config = resolveConfig({
      flags: { config: 'examples/metadata-options.yaml', httpPutResponseHopLimit: '2' },
      env: { IMDS_HTTP_PROTOCOL_IPV6: 'disabled' },
    });
    const printed = printConfig(config);
    expect(printed).toContain('httpPutResponseHopLimit: 2 # from --http-put-response-hop-limit\n');
    expect(printed).toContain('httpProtocolIpv6: disabled # from IMDS_HTTP_PROTOCOL_IPV6\n');
    expect(printed).toContain('instanceMetadataTags: disabled # from examples/metadata-options.yaml\n');
    expect(reload(printed).instance.metadataOptions).toEqual({
      httpPutResponseHopLimit: 2,
      instanceMetadataTags: 'disabled',
      httpProtocolIpv6: 'disabled',
      containerClients: ['172.17.0.0/16', '127.0.0.2'],
    });
  });

  it('imds serve --print-config prints and exits 0 without starting anything', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await serve(
      ['--print-config', '--config', 'examples/spot-interruption.yaml', '--http-tokens', 'optional'],
      {
        stdout: (text) => void out.push(String(text)),
        stderr: (text) => void err.push(text),
        env: { IMDS_HTTP_TOKENS: 'required', IMDS_PORT: '1444' },
      },
      () => {
        throw new Error('must not wait: nothing was started');
      },
    );
    expect(code).toBe(0);
    expect(err).toEqual([]);
    const printed = out.join('');
    expect(printed).toContain('httpTokens: optional # from --http-tokens\n');
    expect(printed).toContain('port: 1444 # from IMDS_PORT\n');
    expect(parse(printed).scenarios).toEqual([{ type: 'spot-interruption', after: '2m', action: 'stop' }]);
  });
});
