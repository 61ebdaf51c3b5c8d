/**
 * The n-th value after a base, for ids and addresses a fleet template derives: instance ids and
 * MACs count in hex, IPv4 addresses as 32-bit numbers. Each throws a RangeError when the count
 * would run past the end of the value's space, so a template never wraps around into duplicates.
 */

/** `i-0410f3c9b2d5e8a71` + 2 → `i-0410f3c9b2d5e8a73` (the digit count is kept). */
export function nthHexId(base: string, n: number): string {
  const dash = base.indexOf('-');
  const prefix = base.slice(0, dash + 1);
  const digits = base.slice(dash + 1);
  const value = BigInt(`0x${digits}`) + BigInt(n);
  const text = value.toString(16).padStart(digits.length, '0');
  if (text.length > digits.length)
    throw new RangeError(`${base} + ${n} overflows ${digits.length} hex digits`);
  return prefix + text;
}

/** `10.0.1.10` + 3 → `10.0.1.13`. */
export function nthIpv4(base: string, n: number): string {
  const value = ipv4ToNumber(base) + n;
  if (value > 0xffffffff) throw new RangeError(`${base} + ${n} is past 255.255.255.255`);
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** `06:3d:8a:5e:c4:17` + 1 → `06:3d:8a:5e:c4:18`. */
export function nthMac(base: string, n: number): string {
  const value = BigInt(`0x${base.replaceAll(':', '')}`) + BigInt(n);
  const hex = value.toString(16).padStart(12, '0');
  if (hex.length > 12) throw new RangeError(`${base} + ${n} is past ff:ff:ff:ff:ff:ff`);
  return hex.match(/../g)?.join(':') ?? hex;
}

/** An IPv4 address as an unsigned 32-bit number. */
export function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
}
