/**
 * The image page kept live in headless Chromium, over a real core: a chat send that creates
 * an object shows on an open image page without a reload, and commits that come close
 * together are shown by one update at the end of the page's wait, not one each.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser as Chromium, Page } from 'puppeteer-core';
import type { Send } from '../../../src/core/protocol.ts';
import { IMAGE_PAGE_EVERY } from '../../../src/adapters/browser/pages/image.tsx';
import { findChromium, launchChromium } from '../../support/chromium.ts';
import { openBrowserCore, signedInPage } from '../../support/browser-pages.ts';
import { operator } from '../../support/core.ts';

const chromium = findChromium();
const admin: Partial<Send> = { platform: 'console', sender: operator, channel: 'console' };
const alice: Partial<Send> = {
  platform: 'discord',
  sender: { id: 'alice', name: 'alice', isAdmin: false },
  channel: 'dm-alice',
  reach: 'direct',
  adminChannel: false,
};

describe.skipIf(!('path' in chromium))('the image page, live in headless Chromium', () => {
  let chrome: Chromium;
  beforeAll(async () => {
    chrome = await launchChromium((chromium as { path: string }).path);
  });

  const objects = (page: Page) => page.$eval('#objects', (cell) => cell.textContent ?? '');
  /** Waits until the page counts `count` objects. */
  const counting = (page: Page, count: number, timeoutSeconds = 30) =>
    page.waitForFunction(
      `document.querySelector('#objects')?.textContent === ${JSON.stringify(count.toLocaleString('en-US'))}`,
      { timeout: timeoutSeconds * 1000 },
    );
  const updates = (page: Page) =>
    page.$eval('main', (main) => Number(main.getAttribute('data-updates') ?? '0'));

  it('shows an object a chat send created, without a reload, and shows close commits in one update', async () => {
    const core = await openBrowserCore();
    const { page } = await signedInPage(chrome, core, admin, '/image');
    expect(await page.$eval('main', (main) => main.dataset.liveEvery)).toBe(
      String(IMAGE_PAGE_EVERY),
    );
    await page.waitForSelector('main[data-listening="yes"]');
    const before = core.image.countObjects();
    expect(await objects(page)).toBe(before.toLocaleString('en-US'));

    await core.ok('genesis clone', alice);
    await counting(page, before + 1);
    expect(await updates(page)).toBe(1);

    // Within the page's wait after that update: three commits, one update when it ends.
    await Promise.all([1, 2, 3].map(() => core.ok('genesis clone', alice)));
    await counting(page, before + 4, IMAGE_PAGE_EVERY + 30);
    expect(await updates(page)).toBe(2);
  });
});
