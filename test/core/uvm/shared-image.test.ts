import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { Bot } from '../../../src/core/bot/bot.ts';
import { Image } from '../../../src/core/image/index.ts';
import { silentLogger } from '../../../src/core/log.ts';
import { QuickJsMethodRunner } from '../../../src/core/sandbox/index.ts';
import { Uvm } from '../../../src/core/uvm/uvm.ts';
import { freshPostgresDatabase } from '../../support/images.ts';

const CHILD = new URL('./shared-image-child.ts', import.meta.url).pathname;

/** A fresh PostgreSQL image whose genesis counts, through a method, the sends it gets. */
async function countingImage(): Promise<string> {
  const url = await freshPostgresDatabase();
  const uvm = new Uvm({ image: await Image.open(url), runner: new QuickJsMethodRunner() });
  await uvm.bootstrap({ who: 'system:test', platform: 'console' });
  const bot = new Bot({ uvm, log: silentLogger, backupDir: '/tmp' });
  for (const text of [
    'genesis setSlot count 0',
    `genesis defineMethod increment "function (self) { const n = self.get('count') + 1; self.set('count', n); return n }"`,
  ]) {
    const reply = await bot.handle({
      platform: 'console',
      sender: { id: 'admin', name: 'admin', isAdmin: true },
      channel: 'console',
      text,
      mentions: [],
      adminChannel: true,
    });
    expect(reply.status, JSON.stringify(reply)).toBe('ok');
  }
  await uvm.close();
  return url;
}

/** One BAT OS process sending increments; resolves with what it was told when it exits. */
interface Run {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<{ acknowledged: number[]; failures: string[] }>;
}

function increments(url: string, count: number, senders = 4): Run {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CHILD, url, String(count), String(senders)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const acknowledged: number[] = [];
  const failures: string[] = [];
  let buffer = '';
  let stderr = '';
  let onReady = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.on('data', (d: Buffer) => {
    buffer += d.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) {
      if (line === 'ready') onReady();
      else if (line.startsWith('ok ')) acknowledged.push(Number(line.slice(3)));
      else if (line.startsWith('fail ')) failures.push(line.slice(5));
    }
  });
  const exited = new Promise<{ acknowledged: number[]; failures: string[] }>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0 || signal === 'SIGKILL') resolve({ acknowledged, failures });
      else reject(new Error(`BAT OS process exited ${code ?? signal}: ${stderr}`));
    });
  });
  return { child, ready, exited };
}

/** The counter's value and how many increments history holds, read straight from the database. */
async function tally(url: string): Promise<{ count: number; transactions: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const image = await Image.open(url);
    const slot = image.read(3)!.get('count');
    await image.close();
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM transactions WHERE message = 'genesis increment'`,
    );
    return {
      count: slot?.kind === 'value' ? (slot.value as number) : NaN,
      transactions: Number(rows[0]!.n),
    };
  } finally {
    await client.end();
  }
}

describe('two BAT OS processes over one PostgreSQL image', () => {
  it('lose no increment: 2 × 2,000 sends through a method end at exactly 4,000', async () => {
    const url = await countingImage();
    const runs = [increments(url, 2000), increments(url, 2000)];
    const results = await Promise.all(runs.map((r) => r.exited));
    for (const { failures } of results) expect(failures).toEqual([]);
    const seen = results.flatMap((r) => r.acknowledged);
    expect(seen).toHaveLength(4000);
    // Every reply saw a different value: no two sends read the same count.
    expect(new Set(seen).size).toBe(4000);
    expect(await tally(url)).toEqual({ count: 4000, transactions: 4000 });
  }, 600_000);

  it('keeps every acknowledged send when one process is SIGKILLed mid-run', async () => {
    const url = await countingImage();
    const survivor = increments(url, 1000);
    const victim = increments(url, 1000);
    await victim.ready;
    setTimeout(() => victim.child.kill('SIGKILL'), 1500 + Math.random() * 1000);
    const [kept, killed] = await Promise.all([survivor.exited, victim.exited]);
    expect(kept.failures).toEqual([]);
    expect(killed.acknowledged.length).toBeGreaterThan(0);
    expect(killed.acknowledged.length).toBeLessThan(1000);
    const { count, transactions } = await tally(url);
    // All acknowledged are there; at most one unacknowledged send per sender besides.
    const acknowledged = kept.acknowledged.length + killed.acknowledged.length;
    expect(count).toBeGreaterThanOrEqual(acknowledged);
    expect(count).toBeLessThanOrEqual(acknowledged + 4);
    expect(transactions).toBe(count);
  }, 600_000);
});
