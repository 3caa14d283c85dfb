/** Keeping secrets out of logs and replies. */

/** Replaces every occurrence of each secret in `text` with `[redacted]`. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret !== undefined && secret !== '') out = out.split(secret).join('[redacted]');
  }
  return out;
}

/** An error's message with the secrets removed, for a log line or a rethrown Error. */
export function redactedMessage(error: unknown, secrets: readonly (string | undefined)[]): string {
  return redact(error instanceof Error ? error.message : String(error), secrets);
}
