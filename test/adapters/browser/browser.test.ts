/**
 * The image browser in a real browser (headless Chromium), over a real core (SQLite image,
 * QuickJS sandbox): signing in from chat, what three people see, escaping, writes from the
 * page that chat can undo, and a page kept live by a chat send.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser as Chromium, Page } from 'puppeteer-core';
import { SignIns, startBrowser } from '../../../src/adapters/browser/index.ts';
import { silentLogger } from '../../../src/core/log.ts';
import { DEFAULT_HISTORY_LIMITS } from '../../../src/personas/history.ts';
import { adapterChecksum } from '../../../src/personas/adapter-file.ts';
import { installPersonas, PERSONA_NAMES } from '../../../src/personas/index.ts';
import { appendTurns, threadKey, threadObject } from '../../../src/personas/threads.ts';
import type { Send } from '../../../src/core/protocol.ts';
import { findChromium, launchChromium } from '../../support/chromium.ts';
import { openTestCore, operator, type TestCore } from '../../support/core.ts';
import { freshPostgresDatabase } from '../../support/images.ts';
import { replyToPlainText } from '../../support/reply-text.ts';
import { tempDir } from '../../support/temp.ts';

const chromium = findChromium();

/** A person in a DM with the bot. */
const person = (id: string, name: string): Partial<Send> => ({
  platform: 'discord',
  sender: { id, name, isAdmin: false },
  channel: `dm-${id}`,
  reach: 'direct',
  adminChannel: false,
});
const alice = person('alice', 'Alice');
const bob = person('bob', 'Bob');
const console_: Partial<Send> = { platform: 'console', sender: operator, channel: 'console' };

interface Setup {
  readonly core: TestCore;
  /** Where the browser listens. */
  readonly url: string;
  /** Stops the browser and closes the core, as a restart would. */
  stop(): Promise<void>;
  /** Moves the sign-ins' clock on. */
  advance(ms: number): void;
}

/** The personas' root names. */
const PERSONAS = PERSONA_NAMES.map((name) => name.toLowerCase());

/** A core (over `imagePath`, a fresh SQLite file by default) that serves the browser. */
async function openBrowser(imagePath?: string): Promise<Setup> {
  let now = Date.now();
  let signIns: SignIns | undefined;
  const core = await openTestCore({
    bot: (uvm) => {
      signIns = new SignIns(uvm.signIns, { linkMinutes: 5, sessionHours: 12, now: () => now });
      return { browser: signIns };
    },
    ...(imagePath === undefined ? {} : { imagePath }),
  });
  const config = {
    port: 0,
    host: '127.0.0.1',
    publicUrl: undefined,
    linkMinutes: 5,
    sessionHours: 12,
  };
  await installPersonas(core.uvm, { who: 'system:test', platform: 'console' });
  // A LoRA folder of its own, with ROBIN's adapter file only.
  const loraDir = tempDir();
  writeFileSync(join(loraDir, 'robin.gguf'), 'robin adapter bytes');
  const browser = await startBrowser(
    config,
    core.bot,
    signIns!,
    silentLogger,
    PERSONAS,
    undefined,
    (file) => adapterChecksum(loraDir, file),
  );
  afterEach(() => browser.stop());
  return {
    core,
    url: browser.url,
    stop: async () => {
      await browser.stop();
      await core.close();
    },
    advance: (ms) => (now += ms),
  };
}

/** A clone of genesis by Alice: its oid. */
async function clone(core: TestCore): Promise<string> {
  return (await core.ok('genesis clone', alice)).match(/#(\d+)/u)![1]!;
}

/** Alice's DM thread with ROBIN, kept as the personas keep it: its oid. */
async function aliceThread(core: TestCore): Promise<string> {
  const at = new Date().toISOString();
  const key = threadKey({ platform: 'discord', channel: 'dm-alice' });
  const { result } = await core.uvm.asSystem(
    { who: 'discord:alice', platform: 'discord' },
    (tx) => {
      const turns = [
        { role: 'user', persona: 'ROBIN', who: 'discord:alice', text: 'alice’s secret plan', at },
        { role: 'assistant', persona: 'ROBIN', who: 'ROBIN', text: 'I will keep it.', at },
      ] as const;
      appendTurns(tx, key, turns, DEFAULT_HISTORY_LIMITS, {
        principal: 'discord:alice',
        bounded: false,
        maxThreads: 10,
      });
      return threadObject(tx, key)!;
    },
  );
  return String(result);
}

/** The link `browse` answers `who` with. */
async function browseLink(core: TestCore, who: Partial<Send>): Promise<string> {
  const text = await core.ok('browse', who);
  const url = /(http:\/\/\S+)/u.exec(text)?.[1];
  expect(url, text).toBeDefined();
  return url!;
}

describe.skipIf(!('path' in chromium))('the image browser, in headless Chromium', () => {
  let chrome: Chromium;
  beforeAll(async () => {
    chrome = await launchChromium((chromium as { path: string }).path);
  });

  /** A fresh browser profile (no cookies) on a new page. */
  async function freshPage(): Promise<Page> {
    const context = await chrome.createBrowserContext();
    afterEach(() => context.close());
    return context.newPage();
  }

  /** Signs `who` in through a `browse` link, in a fresh profile. */
  async function signIn(core: TestCore, who: Partial<Send>): Promise<Page> {
    const page = await freshPage();
    await page.goto(await browseLink(core, who));
    await Promise.all([page.waitForNavigation(), page.click('#sign-in')]);
    return page;
  }

  const text = (page: Page, selector: string) =>
    page.$eval(selector, (element) => element.textContent ?? '');

  it('signs in once through a browse link from a DM; a reused or expired link is refused, and browse logout ends the session', async () => {
    const { core, advance } = await openBrowser();
    // In a channel others read, the link would sign them in: refused, with why.
    const inChannel = await core.say('browse', { ...alice, reach: 'mention', channel: 'general' });
    expect(inChannel.status).toBe('refused');
    expect(replyToPlainText(inChannel)).toMatch(/direct message/);

    const link = await browseLink(core, alice);
    const page = await freshPage();
    // Opening the link (as a chat's link preview would) only shows whom it signs in as.
    await page.goto(link);
    expect(await text(page, 'main')).toMatch(/Alice \(discord:alice\)/);
    await Promise.all([page.waitForNavigation(), page.click('#sign-in')]);
    expect(await text(page, '#label')).toBe('#3 genesis');
    expect(await text(page, 'header')).toContain('discord:alice');
    const [cookie] = await page.browserContext().cookies();
    expect(cookie).toMatchObject({ name: 'batos_session', httpOnly: true, sameSite: 'Strict' });
    expect(cookie!.expires).toBeGreaterThan(Date.now() / 1000);

    // The same link again, in another browser: used.
    const other = await freshPage();
    const reused = await other.goto(link);
    expect(reused?.status()).toBe(403);
    expect(await text(other, '#refusal')).toMatch(/used already/);
    expect(await text(other, 'main')).not.toContain('genesis');

    // A link left too long: expired, and using it signs nobody in.
    const late = await browseLink(core, bob);
    advance(6 * 60_000);
    const expired = await other.goto(late);
    expect(expired?.status()).toBe(403);
    expect(await text(other, '#refusal')).toMatch(/expired/);

    // `browse logout` in chat ends the session: the page now says how to sign in.
    expect(await core.ok('browse logout', alice)).toMatch(/Ended 1 browser session of your/);
    const after = await page.reload();
    expect(after?.status()).toBe(401);
    expect(await text(page, '#refusal')).toMatch(/not signed in.*browse/s);
  });

  it('keeps a session across a restart (an upgrade signs nobody out), until browse logout', async () => {
    const imagePath = join(tempDir(), 'image.db');
    const before = await openBrowser(imagePath);
    const page = await signIn(before.core, alice);
    await before.stop();
    // BAT OS again over the same image, on another port: the cookie (per host) still signs in.
    const after = await openBrowser(imagePath);
    const response = await page.goto(new URL('/object?ref=genesis', after.url).href);
    expect(response?.status()).toBe(200);
    expect(await text(page, 'header')).toContain('discord:alice');
    expect(await after.core.ok('browse logout', alice)).toBe('Ended 1 browser session of yours.');
    expect((await page.reload())?.status()).toBe(401);
  });

  it('shows three people exactly what chat shows each: a private object and a DM thread are refused to the others, with the reason', async () => {
    const { core } = await openBrowser();
    const box = await clone(core);
    await core.ok(`#${box} setSlot note "alice's secret"`, alice);
    await core.ok(`#${box} chmod private`, alice);
    const thread = await aliceThread(core);

    for (const [who, sees] of [
      [alice, true],
      [bob, false],
      [console_, true],
    ] as const) {
      const page = await signIn(core, who);
      for (const [oid, slot, value] of [
        [box, 'note', `"alice's secret"`],
        [thread, 'turns', 'alice’s secret plan'],
      ] as const) {
        const response = await page.goto(new URL(`/object?ref=%23${oid}`, page.url()).href);
        const chat = await core.say(`#${oid} describe`, who);
        if (sees) {
          expect(response?.status()).toBe(200);
          expect(await text(page, `[data-slot="${slot}"] .value`)).toContain(value);
          expect(chat.status).toBe('ok');
        } else {
          expect(response?.status()).toBe(403);
          expect(chat.status).toBe('refused');
          // The refusal is chat's, word for word, and the secret is nowhere on the page.
          expect(await text(page, '#answer')).toBe(replyToPlainText(chat));
          expect(await text(page, 'body')).not.toContain('secret');
        }
      }
    }
  });

  it("shows an object's children the viewer may read, each a link, and leaves out the others", async () => {
    const { core } = await openBrowser();
    const box = await clone(core);
    const cloneOf = async (who: Partial<Send>) =>
      (await core.ok(`#${box} clone`, who)).match(/#(\d+)/u)![1]!;
    const alices = await cloneOf(alice);
    const bobs = await cloneOf(bob);
    await core.ok(`#${bobs} chmod private`, bob);
    const page = await signIn(core, alice);
    await page.goto(new URL(`/object?ref=%23${box}`, page.url()).href);
    expect(await page.$$eval('#children a', (links) => links.map((a) => a.textContent))).toEqual([
      `#${alices}`,
    ]);
    await Promise.all([page.waitForNavigation(), page.click('#children a')]);
    expect(await text(page, '#label')).toBe(`#${alices}`);
    expect(await page.$$eval('p a', (links) => links.map((a) => a.textContent))).toContain(
      `#${box}`,
    );
  });

  it('filters the history by person and time through chat’s history, and refuses a field of several words', async () => {
    const { core } = await openBrowser();
    const mine = await clone(core);
    await core.ok(`#${mine} setSlot color "red"`, alice);
    const bobs = (await core.ok('genesis clone', bob)).match(/#(\d+)/u)![1]!;
    await core.ok(`#${bobs} setSlot shade "blue"`, bob);
    const page = await signIn(core, alice);
    const today = new Date().toISOString().slice(0, 10);
    await page.goto(new URL('/history', page.url()).href);
    await page.type('#history-filter input[name="by"]', 'discord:bob');
    await page.type('#history-filter input[name="from"]', today);
    await Promise.all([page.waitForNavigation(), page.click('#history-filter button')]);
    const shown = await text(page, '#answer');
    expect(shown).toBe(
      replyToPlainText(await core.say(`history by discord:bob from ${today}`, alice)).replace(
        /^```\n|\n```$/gu,
        '',
      ),
    );
    expect(shown).toContain('shade');
    expect(shown).not.toContain('color');
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await page.goto(new URL(`/history?from=${tomorrow}`, page.url()).href);
    expect(await text(page, '#answer')).toMatch(/^No transactions from/);
    const refused = await page.goto(new URL('/history?by=discord%3Abob%20all', page.url()).href);
    expect(refused?.status()).toBe(400);
    expect(await text(page, '#answer')).toMatch(/one word/);
  });

  it('renders a hostile slot value as text: no script runs', async () => {
    const { core } = await openBrowser();
    const hostile = `<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">`;
    const o = await clone(core);
    await core.ok(`#${o} setSlot evil ${JSON.stringify(hostile)}`, alice);
    await core.ok(`#${o} setSlot link "javascript:window.pwned = 3"`, alice);
    const page = await signIn(core, alice);
    const violations: string[] = [];
    page.on('console', (message) => violations.push(message.text()));
    const response = await page.goto(new URL(`/object?ref=%23${o}`, page.url()).href);
    expect(response?.headers()['content-security-policy']).toMatch(/script-src 'self'/);
    expect(await text(page, '[data-slot="evil"] .value')).toBe(JSON.stringify(hostile));
    expect(await text(page, '[data-slot="link"] .value')).toBe('"javascript:window.pwned = 3"');
    // The page's own global object (the test's lib has no DOM types).
    expect(await page.evaluate('typeof globalThis.pwned')).toBe('undefined');
    expect(
      await page.$$eval('main script, main img, main [onerror]', (found) => found.length),
    ).toBe(0);
    expect(await page.$$eval('a[href^="javascript:"]', (found) => found.length)).toBe(0);
  });

  it('reverts a method and undoes a send from the page: both are in history and undone again from chat', async () => {
    const { core } = await openBrowser();
    const o = await clone(core);
    await core.ok(`#${o} defineMethod greet "function (self) { return 'one' }"`, alice);
    await core.ok(`#${o} defineMethod greet "function (self) { return 'two' }"`, alice);
    const page = await signIn(core, alice);
    await page.goto(new URL(`/object?ref=%23${o}&method=greet&from=1&to=2`, page.url()).href);
    expect(await text(page, '#diff-greet')).toMatch(/- +function \(self\) \{ return 'one' \}/);
    await Promise.all([page.waitForNavigation(), page.click('#method-greet button.revert')]);
    expect(await text(page, '#answer')).toBe('Put version 1 of greet back.');
    expect(await core.ok(`#${o} greet`, alice)).toBe('one');
    expect(await core.ok(`history #${o}`, alice)).toMatch(/revert greet 1/);
    // Undone from chat: version 2 is back.
    expect(await core.ok('undo', alice)).toMatch(/^Undid transaction \d+\.$/);
    expect(await core.ok(`#${o} greet`, alice)).toBe('two');

    // A chat send, undone from the page's history.
    await core.ok(`#${o} setSlot color "red"`, alice);
    await page.goto(new URL('/history', page.url()).href);
    expect(await text(page, '#answer')).toMatch(/color/);
    await Promise.all([page.waitForNavigation(), page.click('#undo')]);
    expect(await text(page, '#answer')).toMatch(/^Undid transaction \d+\.$/);
    expect((await core.say(`#${o} color`, alice)).status).not.toBe('ok');
    expect(await core.ok('history', alice)).toMatch(/undo/);
    // And that undo, undone from chat by its number: the color is back.
    const [pageUndo] = await core.image.history({ limit: 1 });
    expect(pageUndo).toMatchObject({
      who: 'discord:alice',
      message: expect.stringMatching(/^undo/),
    });
    expect(await core.ok(`undo ${pageUndo!.tx}`, alice)).toBe(`Undid transaction ${pageUndo!.tx}.`);
    expect(await core.ok(`#${o} color`, alice)).toBe('red');
  });

  it('refuses a form without the session’s CSRF token, and changes nothing', async () => {
    const { core } = await openBrowser();
    const o = await clone(core);
    const page = await signIn(core, alice);
    await page.goto(new URL(`/object?ref=%23${o}`, page.url()).href);
    await page.$eval('form[action="/slot"] input[name="csrf"]', (input) => {
      input.setAttribute('value', 'forged');
    });
    await page.type('form[action="/slot"] input[name="slot"]', 'color');
    await page.type('form[action="/slot"] input[name="value"]', '"blue"');
    const [response] = await Promise.all([
      page.waitForNavigation(),
      page.click('form[action="/slot"] button'),
    ]);
    expect(response?.status()).toBe(403);
    expect(await text(page, '#answer')).toMatch(/CSRF token/);
    expect((await core.say(`#${o} color`, alice)).status).not.toBe('ok');
  });

  it('shows the personas: each one’s voice, aliases, adapter and its checksum, linked to its object', async () => {
    const { core } = await openBrowser();
    const page = await signIn(core, bob);
    await page.goto(new URL('/personas', page.url()).href);
    for (const name of PERSONAS) {
      const section = `#persona-${name}`;
      for (const slot of ['voice', 'aliases', 'adapter'])
        expect(await page.$(`${section} [data-slot="${slot}"]`), `${name} ${slot}`).not.toBeNull();
      const adapter = await core.ok(`${name} adapter`, bob);
      expect(await text(page, `${section} .checksum`)).toBe(
        adapter === 'robin.gguf'
          ? createHash('sha256').update('robin adapter bytes').digest('hex')
          : `none: ${adapter} is not in the LoRA folder`,
      );
      const chat = await core.ok(`${name} voice`, bob);
      expect(await text(page, `${section} [data-slot="voice"] .value`)).toContain(
        chat.slice(0, 40),
      );
    }
  });

  /** A clone of genesis by Alice, open on her page and listening for changes; no color yet. */
  async function liveObjectPage(core: TestCore): Promise<{ o: string; page: Page }> {
    const o = await clone(core);
    const page = await signIn(core, alice);
    await page.goto(new URL(`/object?ref=%23${o}`, page.url()).href);
    await page.waitForSelector('main[data-listening="yes"]');
    expect(await page.$('[data-slot="color"]')).toBeNull();
    return { o, page };
  }

  it('updates an open page live when a chat send changes its object', async () => {
    const { core } = await openBrowser();
    const { o, page } = await liveObjectPage(core);
    await core.ok(`#${o} setSlot color "green"`, alice);
    await page.waitForSelector('[data-slot="color"]');
    expect(await text(page, '[data-slot="color"] .value')).toBe('"green"');
    expect(await page.$eval('main', (main) => main.getAttribute('data-updates'))).toBe('1');
  });

  it('updates an open page live when another process over the PostgreSQL image changes its object', async () => {
    const url = await freshPostgresDatabase();
    // The browser's process, and another one (a shard, say) over the same image.
    const { core } = await openBrowser(url);
    const other = await openTestCore({ imagePath: url });
    const { o, page } = await liveObjectPage(core);
    await other.ok(`#${o} setSlot color "teal"`, alice);
    await page.waitForSelector('[data-slot="color"]');
    expect(await text(page, '[data-slot="color"] .value')).toBe('"teal"');
  });
});
