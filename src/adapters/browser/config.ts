/**
 * What the image browser needs; src/config/browser-config.ts builds it from the settings
 * table.
 */

/** How long a `browse` link may wait to be opened, unless configured otherwise. */
export const DEFAULT_LINK_MINUTES = 5;
/** How long a browser session lasts once signed in, unless configured otherwise. */
export const DEFAULT_SESSION_HOURS = 12;

/** Everything the image browser needs. */
export interface BrowserConfig {
  /** Where it listens (0 picks a free port). */
  readonly port: number;
  readonly host: string;
  /**
   * The address people open, as the `browse` links start (a reverse proxy's https://
   * address); the address it listens on when unset.
   */
  readonly publicUrl: string | undefined;
  readonly linkMinutes: number;
  readonly sessionHours: number;
}
