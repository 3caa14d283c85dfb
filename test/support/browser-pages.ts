/**
 * What the image browser's page tests share: a real core serving the browser (SQLite image,
 * the personas installed), and a person signed in through their `browse` link in a fresh
 * Chromium profile. Each closes what it opened after the test.
 */
import { afterEach } from 'vitest';
import type { Browser as Chromium, Page } from 'puppeteer-core';
import { SignIns, startBrowser } from '../../src/adapters/browser/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { Send } from '../../src/core/protocol.ts';
import { installPersonas } from '../../src/personas/index.ts';
import { DEFAULT_HISTORY_LIMITS } from '../../src/personas/history.ts';
import {
  appendTurns,
  threadKey,
  threadObject,
  type StoredTurn,
} from '../../src/personas/threads.ts';
import { openTestCore, type TestCore } from './core.ts';

/** A core with the browser on, showing `personas` (root names) on its personas page. */
export async function openBrowserCore(
  personas: readonly string[] = [],
  auditor?: string,
): Promise<TestCore> {
  const minutes = { linkMinutes: 5, sessionHours: 12 };
  let signIns: SignIns | undefined;
  const core = await openTestCore({
    bot: (uvm) => ({ browser: (signIns = new SignIns(uvm.signIns, minutes)) }),
  });
  const listen = { port: 0, host: '127.0.0.1', publicUrl: undefined, ...minutes };
  const server = await startBrowser(listen, core.bot, signIns!, silentLogger, personas, auditor);
  afterEach(() => server.stop());
  await installPersonas(core.uvm, { who: 'system:test', platform: 'console' });
  return core;
}

/** `who` signed in through their `browse` link, in a fresh profile, on `path`: the page and its status. */
export async function signedInPage(
  chrome: Chromium,
  core: TestCore,
  who: Partial<Send>,
  path: string,
): Promise<{ page: Page; status: number | undefined }> {
  const context = await chrome.createBrowserContext();
  afterEach(() => context.close());
  const page = await context.newPage();
  const link = /(http:\/\/\S+)/u.exec(await core.ok('browse', who))![1]!;
  await page.goto(link);
  await Promise.all([page.waitForNavigation(), page.click('#sign-in')]);
  const response = await page.goto(new URL(path, link).href);
  return { page, status: response?.status() };
}

/** Keeps `who` saying `text` to `persona` and its answer in `who`'s channel's thread. */
export async function said(
  core: TestCore,
  who: Partial<Send> & { channel: string },
  persona: string,
  text: string,
  answer: string,
): Promise<number> {
  const principal = `discord:${who.sender!.id}`;
  const at = new Date().toISOString();
  const turns: StoredTurn[] = [
    { role: 'user', persona, who: principal, text, at },
    { role: 'assistant', persona, who: persona, text: answer, at },
  ];
  const key = threadKey({ platform: 'discord', channel: who.channel });
  const { result } = await core.uvm.asSystem({ who: principal, platform: 'discord' }, (tx) => {
    appendTurns(tx, key, turns, DEFAULT_HISTORY_LIMITS, {
      principal,
      bounded: true,
      maxThreads: 10,
    });
    return threadObject(tx, key)!;
  });
  return result;
}
