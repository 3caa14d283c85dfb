/**
 * The image browser's main pages, photographed in headless Chromium over a real core: an
 * object with a method in two versions, its history, the personas with a conversation,
 * ALFRED's audits and the image's figures. Each picture is checked to be a whole PNG of the
 * page's width showing what the page must show. The pictures go to a temporary folder;
 * `npm run docs:screenshots` runs this file with BATOS_SCREENSHOTS_DIR=docs/images, so the
 * pictures in docs/browser.md come from this test and stay true.
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser as Chromium, Page } from 'puppeteer-core';
import { objectHref } from '../../../src/adapters/browser/pages.tsx';
import type { Send } from '../../../src/core/protocol.ts';
import { runAudit } from '../../../src/personas/audit.ts';
import { recordAudit } from '../../../src/personas/audit-record.ts';
import { findChromium, launchChromium } from '../../support/chromium.ts';
import { openBrowserCore, said, signedInPage } from '../../support/browser-pages.ts';
import { operator } from '../../support/core.ts';

const chromium = findChromium();
const WIDTH = 1100;

const admin: Partial<Send> = { platform: 'console', sender: operator, channel: 'console' };
const alice: Partial<Send> & { channel: string } = {
  platform: 'discord',
  sender: { id: 'alice', name: 'alice', isAdmin: false },
  channel: 'dm-alice',
  reach: 'direct',
  adminChannel: false,
};

/** Where the pictures go: the folder the environment names, else a fresh temporary one. */
function screenshotFolder(): string {
  const named = process.env.BATOS_SCREENSHOTS_DIR;
  if (named === undefined || named === '') return mkdtempSync(join(tmpdir(), 'batos-screenshots-'));
  mkdirSync(resolve(named), { recursive: true });
  return resolve(named);
}

/** The width and height a PNG file's header gives, or undefined when it is not a PNG. */
function pngSize(file: string): { width: number; height: number } | undefined {
  const bytes = readFileSync(file);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!bytes.subarray(0, 8).equals(signature)) return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe.skipIf(!('path' in chromium))('screenshots of the main pages', () => {
  let chrome: Chromium;
  beforeAll(async () => {
    chrome = await launchChromium((chromium as { path: string }).path);
  });

  it('photographs the object, history, personas, audits and image pages as they render', async () => {
    const folder = screenshotFolder();
    const core = await openBrowserCore(['robin', 'brick', 'babs', 'alfred'], 'alfred');
    const box = Number(/#(\d+)/u.exec(await core.ok('genesis clone', alice))![1]);
    await core.ok(`#${box} name lunchbox`, alice);
    await core.ok('lunchbox setSlot sandwiches 3', alice);
    await core.ok(
      `lunchbox defineMethod share "function (self, n) { return 'shared ' + n + ' of ' + self.get('sandwiches') }"`,
      alice,
    );
    await core.ok(
      `lunchbox defineMethod share "function (self, n) { return 'shared ' + Math.min(n, self.get('sandwiches')) + ' of ' + self.get('sandwiches') }"`,
      alice,
    );
    await core.ok('lunchbox share 2', alice);
    await said(
      core,
      alice,
      'ROBIN',
      'what should go in a lunchbox?',
      'Sandwiches, and one to share.',
    );
    await core.ok('genesis clone', alice); // nameless and held by nothing: a finding
    const summary = await runAudit(core.image, { checkMethod: () => {} });
    await core.uvm.asSystem({ who: 'system:heartbeat', platform: 'console' }, (tx) =>
      recordAudit(tx, summary),
    );

    const pages: Array<[string, string, string]> = [
      ['object', `${objectHref(box)}&method=share&from=1&to=2`, 'lunchbox'],
      ['history', '/history', 'lunchbox'],
      ['personas', '/personas', 'ROBIN'],
      ['audits', '/audits', 'unreachable'],
      ['image', '/image', 'The image'],
    ];
    for (const [name, path, shows] of pages) {
      const { page, status } = await signedInPage(chrome, core, admin, path);
      expect(status, name).toBe(200);
      expect(await text(page), name).toContain(shows);
      await page.setViewport({ width: WIDTH, height: 800 });
      const file = join(folder, `browser-${name}.png`);
      await page.screenshot({ path: file as `${string}.png`, fullPage: true });
      const size = pngSize(file);
      expect(size?.width, name).toBe(WIDTH);
      expect(size?.height, name).toBeGreaterThanOrEqual(400);
    }
  });
});

/** What the page's main part says. */
function text(page: Page): Promise<string> {
  return page.$eval('main', (main) => main.textContent ?? '');
}
