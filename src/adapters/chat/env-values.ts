/** Reading typed values out of an environment map, with errors that say how to fix them. */

/** The environment as the composition root passes it in. */
export type Env = Readonly<Record<string, string | undefined>>;

function raw(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** A non-empty string, or `undefined` when unset or blank. */
export function readString(env: Env, name: string): string | undefined {
  return raw(env, name);
}

/**
 * A comma-separated list of ids, each checked against `pattern`.
 * @param what describes a valid item for the error message ("Discord ids (numbers)").
 */
export function readIdList(env: Env, name: string, pattern: RegExp, what: string): Set<string> {
  const items = (raw(env, name) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  for (const item of items) {
    if (!pattern.test(item)) {
      throw new Error(
        `${name}: "${item}" is not valid; set it to a comma-separated list of ${what}.`,
      );
    }
  }
  return new Set(items);
}

/** One id checked against `pattern`, or `undefined` when unset. */
export function readId(env: Env, name: string, pattern: RegExp, what: string): string | undefined {
  const value = raw(env, name);
  if (value !== undefined && !pattern.test(value)) {
    throw new Error(`${name}: "${value}" is not valid; set it to ${what}.`);
  }
  return value;
}

/** `true`/`false` (also `1`/`0`, `yes`/`no`), or `fallback` when unset. */
export function readBool(env: Env, name: string, fallback: boolean): boolean {
  const value = raw(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no'].includes(value)) return false;
  throw new Error(`${name}: "${value}" is not a boolean; set it to true or false.`);
}

/** A TCP port (0 picks a free one), or `fallback` when unset. */
export function readPort(env: Env, name: string, fallback: number): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new Error(`${name}: "${value}" is not a port; set it to a number from 0 to 65535.`);
  }
  return port;
}

/** An http(s) URL, or `undefined` when unset. */
export function readUrl(env: Env, name: string): string | undefined {
  const value = raw(env, name);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name}: "${value}" is not a URL; set it to an http:// or https:// URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(
      `${name}: "${value}" is not an http(s) URL; set it to an http:// or https:// URL.`,
    );
  }
  return value;
}
