/**
 * Headless Chromium for the image browser's tests: Debian's `chromium` package, driven by
 * puppeteer-core (which downloads no browser). Without it the browser tests say so and skip —
 * except under CI (CI=true), where `.ci/run` installs it and its absence fails the run.
 */
import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll } from 'vitest';

/** Where Debian and Ubuntu put the browser. */
const CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** The browser's path, or why the browser tests cannot run (they then skip). */
export function findChromium(): { path: string } | { unavailable: string } {
  const path = CHROMIUM_PATHS.find((candidate) => existsSync(candidate));
  if (path !== undefined) return { path };
  const unavailable = `no Chromium at ${CHROMIUM_PATHS.join(' or ')}`;
  if (process.env.CI === 'true')
    throw new Error(
      `${unavailable}. Under CI the browser tests must run: apt-get install chromium (.ci/run does).`,
    );
  process.stderr.write(
    `${unavailable}: the image browser's tests will not run (apt-get install chromium).\n`,
  );
  return { unavailable };
}

/** Headless Chromium at `path`, closed after the test file. */
export async function launchChromium(path: string): Promise<Browser> {
  const browser = await puppeteer.launch({
    executablePath: path,
    headless: true,
    // Tests run as root in containers, where Chromium's own sandbox cannot start.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  afterAll(() => browser.close());
  return browser;
}
