/**
 * The environment for the client commands the bench runs: the caller's, without the `AWS_*`
 * metadata settings, which could disable the client or point it elsewhere. The bench passes the
 * loopback endpoint explicitly.
 */
export function clientEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('AWS_EC2_METADATA_') && !name.startsWith('AWS_METADATA_SERVICE_')) env[name] = value;
  }
  return { ...env, ...extra };
}
