/** Number formatting for the table. */

export function perSecond(value: number, unit = 'req/s'): string {
  return `${Math.round(value).toLocaleString('en-US')} ${unit}`;
}

export function ms(value: number): string {
  return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
}

export function us(value: number): string {
  return `${Math.round(value).toLocaleString('en-US')} µs`;
}

export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

export function ratio(value: number | null): string {
  return value === null || Number.isNaN(value) ? '—' : `${value.toFixed(2)}x`;
}
