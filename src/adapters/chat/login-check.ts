import { OperatorError } from '../../core/errors.ts';

/** What checking a chat platform's credentials found, before anything else starts. */
export type LoginCheck =
  | { readonly ok: true; readonly detail: string }
  | {
      readonly ok: false;
      /** The variable to fix. */
      readonly variable: string;
      /** One line: what is wrong and what to do, naming the variable; no secret in it. */
      readonly problem: string;
      /** The platform could not be reached (may pass later); otherwise the setting is wrong. */
      readonly unreachable: boolean;
    };

/** How long a login check may take before it counts as unreachable. */
export const LOGIN_CHECK_TIMEOUT_MS = 30_000;

/**
 * The low-level cause of a network failure ("getaddrinfo ENOTFOUND discord.com"): the first
 * error in the chain with a system error code, else the deepest one.
 */
export function networkCause(error: unknown): string | undefined {
  // Slack's Web API client keeps the failed request's error in `original`, others in `cause`.
  const next = (e: Error): unknown => (e as { original?: unknown }).original ?? e.cause;
  let deepest: string | undefined;
  for (let e: unknown = error; e instanceof Error; e = next(e)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return e.message;
    deepest = e.message;
  }
  return deepest;
}

/** Rejects after `ms` with "no answer in N s", so a check never hangs. */
export function withinTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new OperatorError('timeout', `no answer in ${ms / 1000} s`)),
      ms,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
