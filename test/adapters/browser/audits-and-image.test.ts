/**
 * The image browser's audits and image pages in headless Chromium, over a real core (SQLite
 * image, QuickJS sandbox, the personas installed): an admin's counts match the image, a
 * non-admin sees their own objects with the reason, a finding links to its object's method,
 * findings on objects the viewer may not read are withheld, the growth chart has a point per
 * day, and hostile text in a finding renders as text.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser as Chromium, Page } from 'puppeteer-core';
import { GrowthChart } from '../../../src/adapters/browser/pages/growth-chart.tsx';
import type { Send } from '../../../src/core/protocol.ts';
import { auditRecord } from '../../../src/core/uvm/audits.ts';
import { recordAudit } from '../../../src/personas/audit-record.ts';
import { findChromium, launchChromium } from '../../support/chromium.ts';
import { openBrowserCore, signedInPage } from '../../support/browser-pages.ts';
import { operator, type TestCore } from '../../support/core.ts';

const chromium = findChromium();

const dm = (id: string): Partial<Send> => ({
  platform: 'discord',
  sender: { id, name: id, isAdmin: false },
  channel: `dm-${id}`,
  reach: 'direct',
  adminChannel: false,
});
const alice = dm('alice');
const bob = dm('bob');
const admin: Partial<Send> = { platform: 'console', sender: operator, channel: 'console' };

const HOSTILE = `<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">`;

/** A core with the browser on, Alice's box (a method), Bob's private safe, and one audit. */
async function setUp(audited = true) {
  const core = await openBrowserCore([], 'alfred');
  const oid = async (text: string, who: Partial<Send>) =>
    Number(/#(\d+)/u.exec(await core.ok(text, who))![1]);
  const box = await oid('genesis clone', alice);
  await core.ok(`#${box} name box`, alice);
  await core.ok(`box defineMethod greet "function (self) { return 'hi' }"`, alice);
  const safe = await oid('genesis clone', bob);
  await core.ok(`#${safe} name safe`, bob);
  await core.ok('safe chmod private', bob);
  for (let i = 0; i < 3; i++) await core.ok('box greet', alice);
  if (!audited) return { core, box, safe };
  await core.uvm.asSystem({ who: 'system:heartbeat', platform: 'console' }, (tx) =>
    recordAudit(tx, {
      at: '2026-12-07T10:00:00.000Z',
      objects: 20,
      methods: 4,
      integrity: 'ok',
      findings: [
        { kind: 'lost-write', oid: box, slot: 'greet', message: HOSTILE },
        { kind: 'dangling-reference', oid: safe, slot: 'secret', message: 'safe holds a secret' },
      ],
    }),
  );
  return { core, box, safe };
}

describe.skipIf(!('path' in chromium))('the audits and image pages, in headless Chromium', () => {
  let chrome: Chromium;
  beforeAll(async () => {
    chrome = await launchChromium((chromium as { path: string }).path);
  });

  /** `who` signed in through their `browse` link, in a fresh profile, on `path`. */
  const pageOf = async (core: TestCore, who: Partial<Send>, path: string): Promise<Page> =>
    (await signedInPage(chrome, core, who, path)).page;

  const textOf = (page: Page, selector: string) =>
    page.$eval(selector, (element) => element.textContent ?? '');
  const hrefs = (page: Page) =>
    page.$$eval('main a', (links) => links.map((link) => link.getAttribute('href')));

  it('shows an admin counts that match the image, the chart and the most-called method', async () => {
    const { core, box, safe } = await setUp();
    const page = await pageOf(core, admin, '/image');
    expect(await textOf(page, 'h1')).toBe('The image');
    expect(await textOf(page, '#objects')).toBe(core.image.countObjects().toLocaleString('en-US'));
    expect(await textOf(page, '#database-bytes')).toMatch(/^[\d,]+ bytes/u);
    // Everything was created today: one day, one point.
    expect(await page.$$eval('#growth circle.point', (points) => points.length)).toBe(1);
    expect(await textOf(page, '#most-called')).toContain('greet');
    expect(await hrefs(page)).toContain(`/object?ref=%23${box}#method-greet`);
    expect(await hrefs(page)).toContain(`/object?ref=%23${safe}`);
  });

  it("shows anyone else their own objects, saying why, and never names another's private object", async () => {
    const { core, safe } = await setUp();
    const page = await pageOf(core, alice, '/image');
    expect(await textOf(page, 'h1')).toBe('Your objects');
    expect(await textOf(page, '#scope')).toMatch(
      /for BAT OS's admins: they would\s+tell of objects you may not read/u,
    );
    expect(await textOf(page, '#objects')).toBe(String(core.image.ownedObjects('discord:alice')));
    expect(await page.$('#database-bytes')).toBeNull();
    const shown = await page.$eval('main', (main) => main.textContent ?? '');
    expect(shown).not.toContain('safe');
    expect(await hrefs(page)).not.toContain(`/object?ref=%23${safe}`);
  });

  it('links a finding to its method, withholds one on a private object, and shows hostile text as text', async () => {
    const { core, box } = await setUp();
    const page = await pageOf(core, alice, '/audits');
    const finding = await page.$eval('#audit-1 li.finding', (item) => ({
      text: item.textContent ?? '',
      href: item.querySelector('a')?.getAttribute('href'),
    }));
    expect(finding.href).toBe(`/object?ref=%23${box}#method-greet`);
    expect(finding.text).toContain(HOSTILE);
    expect(await page.evaluate('typeof globalThis.pwned')).toBe('undefined');
    expect(
      await page.$$eval('main script, main img, main [onerror]', (found) => found.length),
    ).toBe(0);
    expect(await textOf(page, '#audit-1 .withheld')).toMatch(
      /^1 finding\(s\) on objects you may not read/u,
    );
    expect(await page.$eval('main', (main) => main.textContent ?? '')).not.toContain('safe holds');
    await Promise.all([page.waitForNavigation(), page.click('#audit-1 li.finding a')]);
    expect(await page.$('#method-greet')).not.toBeNull();

    // Bob owns the safe, and Alice's box is shared: he sees both findings.
    const bobs = await pageOf(core, bob, '/audits');
    expect(await bobs.$$eval('#audit-1 li.finding', (items) => items.length)).toBe(2);
    expect(await bobs.$('#audit-1 .withheld')).toBeNull();
  });

  it('shows each new audit live, following the private record it may not read', async () => {
    const { core, safe } = await setUp(false);
    const page = await pageOf(core, alice, '/audits');
    await page.waitForSelector('main[data-listening="yes"]');
    expect(await page.$('#no-audits')).not.toBeNull();
    const audit = (at: string) =>
      core.uvm.asSystem({ who: 'system:heartbeat', platform: 'console' }, (tx) =>
        recordAudit(tx, {
          at,
          objects: 21,
          methods: 4,
          integrity: 'ok',
          findings: [{ kind: 'unreachable', oid: safe, message: 'safe is unreachable' }],
        }),
      );
    // The first audit makes the record; the second changes only the record.
    await audit('2026-12-07T10:00:00.000Z');
    await page.waitForSelector('main[data-updates="1"]');
    expect(await textOf(page, '#audit-1 h2')).toBe('2026-12-07T10:00:00.000Z');
    await audit('2026-12-07T11:00:00.000Z');
    await page.waitForSelector('main[data-updates="2"]');
    expect(await textOf(page, '#audit-1 h2')).toBe('2026-12-07T11:00:00.000Z');
    expect(await textOf(page, '#audit-1 .withheld')).toMatch(/^1 finding\(s\) on objects/u);
    expect(await textOf(page, '#audit-2 h2')).toBe('2026-12-07T10:00:00.000Z');
    expect(await page.$eval('main', (main) => main.textContent ?? '')).not.toContain('safe is');
    // The record itself stays closed to her, by oid as by name.
    const record = await core.uvm.readCommitted((tx) => auditRecord(tx)!);
    const status = await page.evaluate(
      async (oid) => (await fetch(`/events?oid=${oid}`)).status,
      record,
    );
    expect(status).toBeGreaterThanOrEqual(400);
  });
});

describe('the growth chart', () => {
  it('draws one point per day that created objects, in date order', () => {
    const growth = [
      { day: '2026-12-01', created: 4 },
      { day: '2026-12-03', created: 1 },
      { day: '2026-12-07', created: 2 },
    ];
    const svg = String(GrowthChart({ growth, days: 10, today: '2026-12-07' }));
    const xs = [...svg.matchAll(/<circle class="point" cx="([\d.]+)"/gu)].map((m) => Number(m[1]));
    expect(xs).toHaveLength(3);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(svg).not.toContain('<script');
    expect(String(GrowthChart({ growth: [], days: 10, today: '2026-12-07' }))).toContain(
      'no object created',
    );
  });
});
