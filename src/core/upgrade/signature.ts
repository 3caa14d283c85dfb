/**
 * HMAC-SHA256 signing of requests, so that only holders of the shared key (the bot and the
 * steward) can ask for an upgrade; any other local process that can write the folder cannot.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { InternalError } from '../errors.ts';

/** Shortest key accepted: 16 characters (use `openssl rand -hex 32`). */
export const MIN_KEY_LENGTH = 16;

/** Throws unless `key` is long enough to be a secret (the settings table refuses a shorter one first). */
export function assertUsableKey(key: string): void {
  if (key.length < MIN_KEY_LENGTH) {
    throw new InternalError(`the upgrade key must be at least ${MIN_KEY_LENGTH} characters`);
  }
}

/** JSON with object keys sorted at every level, so that signer and verifier hash the same bytes. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The hex HMAC-SHA256 of `value`'s canonical JSON under `key`. */
export function signPayload(value: unknown, key: string): string {
  assertUsableKey(key);
  return createHmac('sha256', key).update(canonicalJson(value)).digest('hex');
}

/** Whether `signature` is the HMAC of `value` under `key` (constant-time comparison). */
export function verifyPayload(value: unknown, signature: unknown, key: string): boolean {
  if (typeof signature !== 'string' || !/^[0-9a-f]{64}$/.test(signature)) {
    return false;
  }
  const expected = Buffer.from(signPayload(value, key), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}
