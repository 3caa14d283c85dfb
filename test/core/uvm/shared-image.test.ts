import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { Bot } from '../../../src/core/bot/bot.ts';
import { Image } from '../../../src/core/image/index.ts';
import { silentLogger } from '../../../src/core/log.ts';
import { QuickJsMethodRunner } from '../../../src/core/sandbox/index.ts';
import { Uvm } from '../../../src/core/uvm/uvm.ts';
import { freshPostgresDatabase } from '../../support/images.ts';
import { createDatabase, PostgresServer } from '../../support/postgres-server.ts';
import { tempDir } from '../../support/temp.ts';

const CHILD = new URL('../../support/fixtures/shared-image-child.ts', import.meta.url).pathname;

/** A fresh PostgreSQL image whose genesis counts, through a method, the sends it gets. */
async function countingImage(url?: string): Promise<string> {
  url ??= await freshPostgresDatabase();
  const uvm = new Uvm({ image: await Image.open(url), runner: new QuickJsMethodRunner() });
  await uvm.bootstrap({ who: 'system:test', platform: 'console' });
  const bot = new Bot({ uvm, log: silentLogger, backupDir: tempDir() });
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

/** What one BAT OS process was told: the values acknowledged, the failures, their order. */
interface Outcome {
  readonly acknowledged: number[];
  readonly failures: string[];
  readonly order: string[];
}

/** One BAT OS process sending increments; resolves with what it was told when it exits. */
interface Run {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  /** Resolves once `n` replies have come. */
  replies(n: number): Promise<void>;
  readonly exited: Promise<Outcome>;
}

function increments(url: string, count: number, senders = 4): Run {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CHILD, url, String(count), String(senders), tempDir()],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const acknowledged: number[] = [];
  const failures: string[] = [];
  /** Replies in the order they came: 'ok' or 'fail'. */
  const order: string[] = [];
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
      else if (line.startsWith('ok ')) {
        acknowledged.push(Number(line.slice(3)));
        order.push('ok');
      } else if (line.startsWith('fail ')) {
        failures.push(line.slice(5));
        order.push('fail');
      }
    }
  });
  const exited = new Promise<Outcome>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0 || signal === 'SIGKILL') resolve({ acknowledged, failures, order });
      else reject(new Error(`BAT OS process exited ${code ?? signal}: ${stderr}`));
    });
  });
  const replies = async (n: number) => {
    while (order.length < n) await new Promise((resolve) => setTimeout(resolve, 20));
  };
  return { child, ready, replies, exited };
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
    // Killed mid-run, after some of its sends were answered, however fast or slow the machine.
    await victim.replies(1 + Math.floor(Math.random() * 50));
    victim.child.kill('SIGKILL');
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

  it('fails sends clearly while PostgreSQL restarts, then goes on, losing nothing acknowledged', async () => {
    const server = await PostgresServer.start();
    try {
      const url = await countingImage(await createDatabase(server.url(), 'restarting'));
      const run = increments(url, 600, 2);
      await run.replies(100);
      await server.restart();
      const { acknowledged, failures, order } = await run.exited;
      expect(failures.length).toBeGreaterThan(0);
      for (const failure of failures)
        expect(failure).toMatch(
          /The image database postgres:\/\/.* cannot be reached .*Nothing was changed/,
        );
      // Sends after the restart succeed again.
      expect(order.slice(order.lastIndexOf('fail') + 1).length).toBeGreaterThan(0);
      expect(order.at(-1)).toBe('ok');
      const { count, transactions } = await tally(url);
      expect(count).toBeGreaterThanOrEqual(acknowledged.length);
      expect(transactions).toBe(count);
      expect(new Set(acknowledged).size).toBe(acknowledged.length);
    } finally {
      await server.destroy();
    }
  }, 300_000);
});
