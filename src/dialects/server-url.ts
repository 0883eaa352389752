/** URL handling shared by the server dialects (PostgreSQL, MySQL). */
import { ArgumentError } from '../sql/errors.js';

/** Parses a server URL, normalising `scheme+driver://` to `scheme://`. */
export function parseServerUrl(url: string, scheme: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url.replace(/^[a-z0-9+]+:\/\//i, `${scheme}://`));
  } catch {
    throw new ArgumentError(
      `'${url.replace(/:[^:@/]*@/, ':***@')}' is not a valid ${scheme} URL (expected ${scheme}://user:password@host:port/database)`,
    );
  }
  if (!parsed.hostname) throw new ArgumentError(`${scheme} URL '${redactUrl(parsed)}' has no host`);
  return parsed;
}

export function bigintMode(value: string, url: string): 'bigint' | 'string' {
  if (value === 'bigint' || value === 'string') return value;
  throw new ArgumentError(
    `bigint option '${value}' in '${url.replace(/:[^:@/]*@/, ':***@')}': expected 'bigint' or 'string'`,
  );
}

/** The URL without its password, for messages. */
export function redactUrl(url: URL): string {
  if (!url.password) return url.toString();
  const copy = new URL(url.toString());
  copy.password = '***';
  return copy.toString();
}
