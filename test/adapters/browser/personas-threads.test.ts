/**
 * The personas page's conversations in headless Chromium, over a real core (SQLite image,
 * the personas installed, threads kept by the personas' own thread code): each person sees
 * the threads they spoke in as a chat log under the persona that answered, never another
 * person's DM (opening it is refused as chat refuses); an admin sees every thread; a hostile
 * turn renders as text and a long one is folded.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser as Chromium, Page } from 'puppeteer-core';
import type { Send } from '../../../src/core/protocol.ts';
import { findChromium, launchChromium } from '../../support/chromium.ts';
import { openBrowserCore, said, signedInPage } from '../../support/browser-pages.ts';
import { operator, type TestCore } from '../../support/core.ts';

const chromium = findChromium();

const person = (id: string, channel: string): Partial<Send> & { channel: string } => ({
  platform: 'discord',
  sender: { id, name: id, isAdmin: false },
  channel,
  reach: 'direct',
  adminChannel: false,
});
const ann = person('ann', 'general');
const ben = person('ben', 'general');
const cat = person('cat', 'dm-cat');
const dan = person('dan', 'random');
const admin: Partial<Send> = { platform: 'console', sender: operator, channel: 'console' };

const HOSTILE = `<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">`;
const LONG = `${'a long answer '.repeat(60)}the end`;

async function setUp() {
  const core = await openBrowserCore(['robin', 'brick']);
  const shared = await said(core, ann, 'ROBIN', 'hello ROBIN, ann here', HOSTILE);
  await said(core, ben, 'ROBIN', 'ben joins the channel', LONG);
  const dm = await said(core, cat, 'BRICK', 'a secret only for BRICK', 'BRICK keeps it');
  const latest = await said(core, dan, 'ROBIN', 'dan in another channel', 'hi dan');
  return { core, shared, dm, latest };
}

describe.skipIf(!('path' in chromium))(
  'the personas page’s conversations, in headless Chromium',
  () => {
    let chrome: Chromium;
    beforeAll(async () => {
      chrome = await launchChromium((chromium as { path: string }).path);
    });

    const pageOf = (core: TestCore, who: Partial<Send>, path: string) =>
      signedInPage(chrome, core, who, path);

    const textOf = (page: Page, selector: string) =>
      page.$eval(selector, (element) => element.textContent ?? '');
    const threadsShown = (page: Page) =>
      page.$$eval('main div.thread', (threads) => threads.map((t) => t.id));

    it('shows a person the channel thread they spoke in as a chat log, and not another’s DM', async () => {
      const { core, shared, dm } = await setUp();
      const { page } = await pageOf(core, ann, '/personas');
      expect(await threadsShown(page)).toEqual([`thread-robin-${shared}`]);
      expect(await textOf(page, '#threads-bound')).toContain('newest 5,000 transactions');
      const turns = await page.$$eval(`#thread-robin-${shared} li.turn`, (items) =>
        items.map((item) => ({
          role: item.className,
          speaker: item.querySelector('.speaker')?.textContent,
          said: item.querySelector('p.said')?.textContent,
          folded: item.querySelector('details') !== null,
        })),
      );
      expect(turns).toEqual([
        { role: 'turn user', speaker: 'discord:ann', said: 'hello ROBIN, ann here', folded: false },
        { role: 'turn assistant', speaker: 'ROBIN', said: HOSTILE, folded: false },
        { role: 'turn user', speaker: 'discord:ben', said: 'ben joins the channel', folded: false },
        { role: 'turn assistant', speaker: 'ROBIN', said: LONG, folded: true },
      ]);
      // The hostile turn is text: nothing of it ran or became an element.
      expect(await page.evaluate('typeof globalThis.pwned')).toBe('undefined');
      expect(await page.$$eval('main script, main img, main [onerror]', (f) => f.length)).toBe(0);
      const shown = await textOf(page, 'main');
      expect(shown).not.toContain('a secret only for BRICK');
      expect(await textOf(page, '#persona-brick')).toContain('None you may read.');

      // Her thread's own page; Cat's DM is refused as a send to it would be.
      await Promise.all([page.waitForNavigation(), page.click(`#thread-robin-${shared} a`)]);
      expect(await textOf(page, 'h1')).toBe(`Conversation #${shared}`);
      expect(await page.$$eval('main li.turn', (items) => items.length)).toBe(4);
      const refused = await pageOf(core, ann, `/thread?oid=${dm}`);
      expect(refused.status).toBe(403);
      expect(await textOf(refused.page, 'main')).toContain(
        `#${dm} is private to the system and its participants; nothing was done.`,
      );
      expect(await textOf(refused.page, 'main')).not.toContain('a secret only for BRICK');
    });

    it('shows a person their DM with another persona', async () => {
      const { core, dm } = await setUp();
      const { page } = await pageOf(core, cat, '/personas');
      expect(await threadsShown(page)).toEqual([`thread-brick-${dm}`]);
      expect(await textOf(page, `#thread-brick-${dm}`)).toContain('a secret only for BRICK');
      expect(await textOf(page, '#persona-robin')).toContain('None you may read.');
    });

    it('shows an admin every thread, the latest spoken in first', async () => {
      const { core, shared, dm, latest } = await setUp();
      const { page } = await pageOf(core, admin, '/personas');
      expect(await threadsShown(page)).toEqual([
        `thread-robin-${latest}`,
        `thread-robin-${shared}`,
        `thread-brick-${dm}`,
      ]);
      const { page: thread } = await pageOf(core, admin, `/thread?oid=${dm}`);
      expect(await textOf(thread, 'main')).toContain('a secret only for BRICK');
    });

    it('refuses an object that is no thread, and a bad oid', async () => {
      const { core } = await setUp();
      const { page, status } = await pageOf(core, admin, '/thread?oid=0');
      expect(status).toBe(400);
      expect(await textOf(page, 'main')).toContain('#0 is not a conversation thread');
      expect((await pageOf(core, admin, '/thread?oid=x')).status).toBe(400);
    });
  },
);
