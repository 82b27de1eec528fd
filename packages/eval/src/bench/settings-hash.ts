import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal settings give equal text. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** First 12 hex digits of the SHA-256 of {@link stableJson}`(settings)`. */
export function settingsHash(settings: unknown): string {
  return createHash('sha256').update(stableJson(settings)).digest('hex').slice(0, 12);
}
