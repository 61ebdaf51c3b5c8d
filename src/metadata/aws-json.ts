/**
 * JSON as the metadata service prints it: Jackson's default pretty printer, with `"key" : value`,
 * two-space indentation, and arrays written `[ {...}, {...} ]` on the bracket's line.
 * Clients parse it as any JSON; people diff it against what they saw on EC2, so it matches.
 *
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iamroles-for-amazon-ec2.html (credential example)
 */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

export function awsPrettyJson(value: JsonValue, indent = ''): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[ ${value.map((item: JsonValue) => awsPrettyJson(item, indent)).join(', ')} ]`;
  }
  const entries = Object.entries(value as { readonly [key: string]: JsonValue });
  if (entries.length === 0) return '{ }';
  const inner = `${indent}  `;
  const lines = entries.map(
    ([key, item]) => `${inner}${JSON.stringify(key)} : ${awsPrettyJson(item, inner)}`,
  );
  return `{\n${lines.join(',\n')}\n${indent}}`;
}

/** ISO-8601 UTC to the second, as the service writes times in credentials (`2024-02-27T12:06:18Z`). */
export function isoSeconds(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
