/** Telling a PostgreSQL image from a SQLite file, and naming it without its secret. */

/** Whether `BATOS_IMAGE` names a PostgreSQL database rather than a file. */
export function isPostgresLocation(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** The image's location as messages and logs may show it: a URL's password masked. */
export function redactedLocation(url: string): string {
  if (!isPostgresLocation(url)) return url;
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(a URL that does not parse)';
  }
}
