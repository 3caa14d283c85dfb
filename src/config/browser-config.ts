/** The image browser's settings, from the values read out of the table. */
import type { BrowserConfig } from '../adapters/browser/config.ts';
import type { SettingValues } from './settings.ts';

/** The image browser's configuration; `undefined` when `BATOS_BROWSER_PORT` is unset (it is off). */
export function browserConfig(values: SettingValues): BrowserConfig | undefined {
  if (values.BATOS_BROWSER_PORT === undefined) return undefined;
  return {
    port: values.BATOS_BROWSER_PORT,
    host: values.BATOS_BROWSER_HOST,
    publicUrl: values.BATOS_BROWSER_URL,
    linkMinutes: values.BATOS_BROWSER_LINK_MINUTES,
    sessionHours: values.BATOS_BROWSER_SESSION_HOURS,
  };
}
