/**
 * `npm run bench -- browser`: the image browser on an image of 100,000 objects (SQLite).
 * Each page is fetched over HTTP as a signed-in admin, its wall-clock p50 / p99 beside the
 * read the page makes through the Bot (as a chat send would) measured in the same run; and
 * the browser's cost on chat: durable one-slot sends per second with no page open against
 * ten live pages open (event streams that fetch their page again on each change, as the
 * live script does), rounds alternating.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SignIns, startBrowser } from '../src/adapters/browser/index.ts';
import { LIVE_GAP_MS } from '../src/adapters/browser/app.tsx';
import { Bot } from '../src/core/bot/bot.ts';
import { Image } from '../src/core/image/index.ts';
import { silentLogger } from '../src/core/log.ts';
import { GENESIS } from '../src/core/model/primordial.ts';
import { PARENT_SLOT, ref, type Slot } from '../src/core/model/value.ts';
import type { Send } from '../src/core/protocol.ts';
import { QuickJsMethodRunner } from '../src/core/sandbox/index.ts';
import { Uvm } from '../src/core/uvm/uvm.ts';
import { signInOverHttp } from '../test/support/browser-session.ts';
import { replyToPlainText } from '../test/support/reply-text.ts';
import { formatNumber, median, percentile, type BenchTable } from './table.ts';

const OBJECTS = 100_000;
const PAGE_LOADS = 60;
const OPEN_PAGES = 10;
const ROUND_MS = 2_000;
const ROUNDS = 5;

const operator: Send = {
  platform: 'console',
  sender: { id: 'operator', name: 'operator', isAdmin: true },
  channel: 'console',
  text: '',
  mentions: [],
  adminChannel: true,
  reach: 'direct',
};

/** The image's bulk: objects delegating to genesis, each with a few slots, by 5,000 a commit. */
async function fill(image: Image): Promise<void> {
  for (let start = 0; start < OBJECTS; start += 5_000) {
    const tx = image.begin({ who: 'system:bench', platform: 'console' });
    for (let i = start; i < start + 5_000; i += 1) {
      const slots: Array<[string, Slot]> = [
        [PARENT_SLOT, { kind: 'value', value: ref(GENESIS) }],
        ['n', { kind: 'value', value: i }],
        ['label', { kind: 'value', value: `object number ${i}` }],
      ];
      tx.create(slots);
    }
    await image.commit(tx);
  }
}

/** Wall-clock milliseconds of `count` runs of `work`, after a few unmeasured ones. */
async function times(count: number, work: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 3; i += 1) await work();
  const taken: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const from = performance.now();
    await work();
    taken.push(performance.now() - from);
  }
  return taken;
}

/** One round of chat sends. */
interface Round {
  readonly perSecond: number;
  readonly cpuMs: number;
}

const LIVE_PAGES = new URL('./live-pages.ts', import.meta.url).pathname;

/**
 * Opens `paths`' live pages (page, events, page, events…) in a process of their own (see
 * live-pages.ts); `stop` closes them and resolves with the page loads they made.
 */
async function openLivePages(base: string, cookie: string, paths: readonly string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', LIVE_PAGES, base, cookie, ...paths], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const { value, done } = await lines.next();
    if (done === true) throw new Error('the live pages process ended early');
    return value as string;
  };
  if ((await next()) !== 'open') throw new Error('the live pages did not open');
  return {
    stop: async (): Promise<number> => {
      child.stdin.end();
      const loads = /^loads (\d+)$/u.exec(await next());
      if (loads === null) throw new Error('the live pages process did not say its loads');
      return Number(loads[1]);
    },
  };
}

export async function benchBrowser(): Promise<BenchTable[]> {
  const dir = mkdtempSync(join(tmpdir(), 'batos-bench-browser-'));
  const image = await Image.open(join(dir, 'image.db'));
  const uvm = new Uvm({ image, runner: new QuickJsMethodRunner() });
  const minutes = { linkMinutes: 5, sessionHours: 12 };
  try {
    await uvm.bootstrap({ who: 'system:bench', platform: 'console' });
    process.stderr.write(`browser: filling an image of ${formatNumber(OBJECTS)} objects…\n`);
    await fill(image);
    const signIns = new SignIns(uvm.signIns, minutes);
    const bot = new Bot({
      uvm,
      log: silentLogger,
      backupDir: join(dir, 'backups'),
      browser: signIns,
    });
    const listen = { port: 0, host: '127.0.0.1', publicUrl: undefined, ...minutes };
    const server = await startBrowser(listen, bot, signIns, silentLogger);
    try {
      const say = (text: string) => bot.handle({ ...operator, text });
      const box = Number(/#(\d+)/u.exec(JSON.stringify(await say('genesis clone')))![1]);
      await say(`#${box} name lunchbox`);
      await say('lunchbox setSlot sandwiches 3');
      for (const body of ['n', 'Math.min(n, self.get("sandwiches"))'])
        await say(`lunchbox defineMethod share "function (self, n) { return ${body} }"`);
      const { cookie } = await signInOverHttp(replyToPlainText(await say('browse')));
      const page = (path: string) => async () => {
        const response = await fetch(new URL(path, server.url), { headers: { cookie } });
        const html = await response.text();
        if (response.status !== 200)
          throw new Error(`${path}: ${response.status} ${html.slice(0, 200)}`);
      };
      // Each page beside the read it makes through the Bot, so the ratio is the page's own
      // cost: the HTTP round trip, the session and the rendering.
      const as = (text: string): Send => ({ ...operator, text });
      const pages: Array<[string, string, string, () => Promise<unknown>]> = [
        [
          'object: lunchbox (a method, 2 versions)',
          '/object?ref=lunchbox',
          'inspect lunchbox',
          () => bot.inspect(as('lunchbox describe'), 'lunchbox'),
        ],
        [
          `object: genesis (${formatNumber(OBJECTS)} children)`,
          '/object?ref=genesis',
          'inspect genesis',
          () => bot.inspect(as('genesis describe'), 'genesis'),
        ],
        ['history (the latest transactions)', '/history', 'history', () => say('history')],
        [
          'the image (an admin: totals and largest by index)',
          '/image',
          'imageStats',
          () => bot.imageStats(as('image stats')),
        ],
      ];
      const rows: Array<Record<string, string>> = [];
      for (const [name, path, read, readThroughBot] of pages) {
        process.stderr.write(`browser: ${name}…\n`);
        const viaPage = await times(PAGE_LOADS, page(path));
        const viaBot = await times(PAGE_LOADS, readThroughBot);
        rows.push({
          page: name,
          'page p50 / p99 ms': `${formatNumber(median(viaPage), 1)} / ${formatNumber(percentile(viaPage, 99), 1)}`,
          'its read through the Bot p50 / p99 ms': `${formatNumber(median(viaBot), 2)} / ${formatNumber(percentile(viaBot, 99), 2)} (${read})`,
          '÷ the read (p50)': `${formatNumber(median(viaPage) / median(viaBot), 1)}×`,
        });
      }

      // Chat sends with no page open, then with ten live pages open, alternating.
      let n = 0;
      /**
       * A round of sends: their rate, and this process's CPU per send (ms), which serving the
       * live pages adds to (they fetch from a process of their own, as a browser would), while
       * the rate follows the shared disk's syncs far more than anything in this process.
       */
      const sendsPerSecond = async (): Promise<Round> => {
        const from = performance.now();
        const cpu = process.cpuUsage();
        let sent = 0;
        while (performance.now() - from < ROUND_MS) {
          await say(`lunchbox setSlot sandwiches ${n++}`);
          sent += 1;
          // A send on SQLite can finish without waiting on I/O; messages arrive from the
          // network, so the server's other work gets its turn between them, as here.
          await new Promise(setImmediate);
        }
        const { user, system } = process.cpuUsage(cpu);
        return {
          perSecond: sent / ((performance.now() - from) / 1000),
          cpuMs: (user + system) / 1000 / sent,
        };
      };
      const alone: Round[] = [];
      const watched: Round[] = [];
      let refreshes = 0;
      for (let round = 0; round < ROUNDS; round += 1) {
        process.stderr.write(`browser: chat sends, round ${round + 1} of ${ROUNDS}…\n`);
        alone.push(await sendsPerSecond());
        const live = await openLivePages(
          server.url,
          cookie,
          Array.from({ length: OPEN_PAGES }, (_, i) =>
            i % 2 === 0 ? [`/object?ref=%23${box}`, `/events?oid=${box}`] : ['/history', '/events'],
          ).flat(),
        );
        watched.push(await sendsPerSecond());
        refreshes += await live.stop();
      }
      const ratio = median(watched.map((r) => r.perSecond)) / median(alone.map((r) => r.perSecond));
      const cpuRatio = median(watched.map((r) => r.cpuMs)) / median(alone.map((r) => r.cpuMs));
      return [
        {
          title: `Image browser: page loads over HTTP on an image of ${formatNumber(OBJECTS)} objects (SQLite, an admin), beside the read each makes through the Bot`,
          rows,
          notes: [
            `Target: an object page p99 ≤ 50 ms. Load average ${loadavg()[0]!.toFixed(1)} at the end.`,
          ],
        },
        {
          title: `Image browser: its cost on chat, durable one-slot sends/s with no page open and with ${OPEN_PAGES} live pages (rounds alternating)`,
          rows: [
            {
              pages: 'none open',
              'sends/s (per round)': alone.map((r) => formatNumber(r.perSecond)).join(', '),
              'CPU ms per send (per round)': alone.map((r) => formatNumber(r.cpuMs, 3)).join(', '),
            },
            {
              pages: `${OPEN_PAGES} live (5 object, 5 history)`,
              'sends/s (per round)': watched.map((r) => formatNumber(r.perSecond)).join(', '),
              'CPU ms per send (per round)': watched
                .map((r) => formatNumber(r.cpuMs, 3))
                .join(', '),
            },
            {
              pages: 'with ÷ without (medians)',
              'sends/s (per round)': `${formatNumber(ratio, 2)} (${formatNumber(refreshes)} page loads by the live pages)`,
              'CPU ms per send (per round)': `${formatNumber(cpuRatio, 2)} (cost ${formatNumber((cpuRatio - 1) * 100, 1)} %)`,
            },
          ],
          notes: [
            `Target: a cost ≤ 5 %: read it from the CPU per send, which counts what the pages make this process do; the rate swings with the shared disk's syncs from round to round (the same rounds with no page open in either column vary as much). Every send changes the object the five object pages show, and each commit reaches the five history pages; the server tells a page of changes at most once every ${LIVE_GAP_MS} ms, and the page then loads again (one load at a time, as the live script does). The pages fetch from a process of their own, as a browser would, so the CPU per send counts what serving them costs the bot's process (until 2026-12-08 their fetching ran in it too).`,
          ],
        },
      ];
    } finally {
      await server.stop();
    }
  } finally {
    await uvm.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
