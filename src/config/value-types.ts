/**
 * The kinds of value a setting can hold. Each parses one trimmed, non-empty raw string into a
 * value, or says what the value must be instead; the reader turns that into one line naming
 * the variable.
 */

/** A parsed value, or what the raw string should have been ("must be …"). */
export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

/** How one kind of setting is read and described. */
export interface ValueType<T> {
  /** Parses a trimmed, non-empty raw value. */
  parse(raw: string): Parsed<T>;
  /** What a valid value looks like, for `--help` and the docs ("a whole number from 1 to 60"). */
  readonly describe: string;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (problem: string): Parsed<never> => ({ ok: false, problem });

/** Free text, such as a path or a host name. */
export function text(describe = 'text'): ValueType<string> {
  return { describe, parse: (raw) => ok(raw) };
}

/** A whole number within `min`–`max`. */
export function integer(min: number, max: number): ValueType<number> {
  const describe = `a whole number from ${min} to ${max}`;
  return {
    describe,
    parse(raw) {
      const value = Number(raw);
      return /^\d+$/.test(raw) && Number.isSafeInteger(value) && value >= min && value <= max
        ? ok(value)
        : bad(`must be ${describe}`);
    },
  };
}

/** `auto` (worked out at start), or a whole number within `min`–`max`. */
export function autoOrInteger(min: number, max: number): ValueType<'auto' | number> {
  const whole = integer(min, max);
  const describe = `auto, or ${whole.describe}`;
  return {
    describe,
    parse(raw) {
      if (raw.toLowerCase() === 'auto') return ok('auto');
      const parsed = whole.parse(raw);
      return parsed.ok ? parsed : bad(`must be ${describe}`);
    },
  };
}

/** A TCP port; 0 lets the system pick a free one. */
export function port(): ValueType<number> {
  const whole = integer(0, 65_535);
  return {
    describe: 'a port from 0 to 65535 (0: any free port)',
    parse(raw) {
      const parsed = whole.parse(raw);
      return parsed.ok ? parsed : bad('must be a port from 0 to 65535');
    },
  };
}

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

/** `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`), in any case. */
export function boolean(): ValueType<boolean> {
  return {
    describe: 'true or false',
    parse(raw) {
      const lower = raw.toLowerCase();
      if (TRUE.includes(lower)) return ok(true);
      if (FALSE.includes(lower)) return ok(false);
      return bad('must be true or false');
    },
  };
}

/** One of a fixed list of words, in any case. */
export function choice<const T extends string>(choices: readonly T[]): ValueType<T> {
  const describe = `one of: ${choices.join(', ')}`;
  return {
    describe,
    parse(raw) {
      const lower = raw.toLowerCase();
      return (choices as readonly string[]).includes(lower)
        ? ok(lower as T)
        : bad(`must be ${describe}`);
    },
  };
}

/** An http:// or https:// URL. */
export function url(): ValueType<string> {
  return {
    describe: 'an http:// or https:// URL',
    parse(raw) {
      try {
        const { protocol } = new URL(raw);
        if (protocol === 'http:' || protocol === 'https:') return ok(raw);
      } catch {
        // Not a URL at all: the same advice follows.
      }
      return bad('must be an http:// or https:// URL');
    },
  };
}

/** One id matching `pattern`; `what` names a valid one ("one Discord channel id"). */
export function id(pattern: RegExp, what: string): ValueType<string> {
  return {
    describe: what,
    parse: (raw) => (pattern.test(raw) ? ok(raw) : bad(`must be ${what}`)),
  };
}

/** A comma-separated list of ids matching `pattern`; `what` names them ("Discord ids"). */
/**
 * A comma-separated list of servers' base URLs (http or https, no credentials, query or
 * fragment), each without a trailing slash; empty when unset.
 */
export function serverList(): ValueType<readonly string[]> {
  const describe = 'http://host:port base URLs, comma-separated';
  return {
    describe,
    parse(raw) {
      const servers: string[] = [];
      for (const entry of raw
        .split(',')
        .map((e) => e.trim())
        .filter((e) => e !== '')) {
        let url: URL;
        try {
          url = new URL(entry);
        } catch {
          return bad(`must be ${describe}`);
        }
        if (url.protocol !== 'http:' && url.protocol !== 'https:')
          return bad(`must be ${describe} (only http:// and https:// servers are supported)`);
        if (url.username !== '' || url.password !== '')
          return bad('must not carry credentials (they would show in logs and in pLLM)');
        if (url.search !== '' || url.hash !== '') return bad(`must be ${describe}, without ? or #`);
        servers.push(`${url.origin}${url.pathname.replace(/\/+$/, '')}`);
      }
      return ok(servers);
    },
  };
}

export function idList(pattern: RegExp, what: string): ValueType<ReadonlySet<string>> {
  const describe = `a comma-separated list of ${what}`;
  return {
    describe,
    parse(raw) {
      const items = raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
      const wrong = items.filter((item) => !pattern.test(item));
      return wrong.length === 0
        ? ok(new Set(items))
        : bad(`has ${wrong.map((w) => JSON.stringify(w)).join(', ')}: it must be ${describe}`);
    },
  };
}

/**
 * A secret token. `prefix` is how a real one starts (`xoxb-`); `remedy` says where to get
 * one. The problem never repeats the value.
 */
export function token({
  prefix,
  minLength = 1,
  remedy,
}: {
  prefix?: string;
  minLength?: number;
  remedy: string;
}): ValueType<string> {
  const shape = [
    prefix === undefined ? undefined : `starts with ${prefix}`,
    minLength > 1 ? `has at least ${minLength} characters` : undefined,
  ].filter((part) => part !== undefined);
  return {
    describe: `a secret${shape.length > 0 ? ` that ${shape.join(' and ')}` : ''}`,
    parse(raw) {
      if (/\s/.test(raw)) return bad(`contains whitespace; ${remedy}`);
      if (prefix !== undefined && !raw.startsWith(prefix))
        return bad(`does not start with ${prefix}; ${remedy}`);
      if (raw.length < minLength) return bad(`must be at least ${minLength} characters; ${remedy}`);
      return ok(raw);
    },
  };
}
