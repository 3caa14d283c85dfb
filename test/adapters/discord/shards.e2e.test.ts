/**
 * BAT OS with BATOS_DISCORD_SHARDS against the local fake Discord: discord.js's
 * ShardingManager starts one BAT OS process per shard, each serves the guilds Discord routes
 * to it, and all of them write one image on PostgreSQL.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord, IDS, shardOfGuild, user } from '../../support/fake-discord.ts';
import type { RecordedRequest } from '../../support/fake-discord.ts';
import { freshPostgresDatabase } from '../../support/postgres.ts';
import { runBatos, startBatos, type RunningBatos } from '../../support/run-batos.ts';
import { tempDir } from '../../support/temp.ts';
import { readUpgradeRequestFile, upgradeLayout } from '../../../src/core/upgrade/index.ts';
import { writeDryRunResult } from '../../support/upgrade-results.ts';

const alice = user(IDS.alice, 'alice');
const botMention = user(IDS.bot, 'batos', true);

let fake: FakeDiscord;
beforeAll(async () => {
  fake = await FakeDiscord.start();
});
afterAll(async () => {
  await fake?.close();
});

/** The pid of the manager's child process that serves shard `id` (from /proc: no `ps` needed). */
function shardProcess(manager: number, id: number): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== manager) continue;
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (env.includes(`SHARDS=${id}`)) return Number(entry);
    } catch {
      // The process ended meanwhile.
    }
  }
  throw new Error(`no child of process ${manager} serves shard ${id}`);
}

/** Says `text` to the bot in `channelId`; resolves with the reply's text and the shard that got it. */
async function ask(channelId: string, text: string): Promise<{ reply: string; shards: number[] }> {
  const message = fake.say({
    channelId,
    content: `<@${IDS.bot}> ${text}`,
    author: alice,
    mentions: [botMention],
  });
  const reply = await fake.waitForRequest(
    (r: RecordedRequest) =>
      r.method === 'POST' &&
      (r.body as { message_reference?: { message_id?: string } } | undefined)?.message_reference
        ?.message_id === message.id,
    60_000,
  );
  return {
    reply: (reply.body as { content: string }).content,
    shards: fake.deliveries.filter((d) => d.id === message.id).map((d) => d.shard),
  };
}

describe('Discord shards', () => {
  let batos: RunningBatos | undefined;
  afterAll(async () => {
    await batos?.stop();
  });

  it('runs a process per shard: each serves its own guilds, all write one image, the manager announces', async () => {
    // auto: as many shards as /gateway/bot recommends.
    fake.recommendedShards = 2;
    const dir = tempDir();
    const key = 'k'.repeat(32);
    batos = startBatos({
      BATOS_UPGRADE_KEY: key,
      DISCORD_ADMIN_CHANNEL: IDS.adminChannel,
      BATOS_IMAGE: await freshPostgresDatabase(),
      BATOS_MODEL: join(dir, 'no-model.gguf'),
      BATOS_HEALTH_FILE: join(dir, 'health.json'),
      BATOS_BACKUP_DIR: join(dir, 'backups'),
      BATOS_UPGRADE_DIR: join(dir, 'upgrades'),
      BATOS_AUDIT_INTERVAL_MINUTES: '0',
      DISCORD_TOKEN: 'fake-discord-token',
      DISCORD_API_URL: fake.apiUrl,
      DISCORD_ADMIN_USERS: IDS.alice,
      BATOS_DISCORD_SHARDS: 'auto',
    });
    await batos.waitForOutput(/ready: BAT OS .*chat front ends: discord/, 170_000);
    // The manager's own login check identifies unsharded; then one IDENTIFY per shard.
    const identified = fake.frames
      .filter((f) => f.op === 2)
      .map((f) => (f.d as { shard?: number[] }).shard)
      .filter((shard) => shard?.[1] === 2);
    expect(identified.sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(shardOfGuild(IDS.guild, 2)).toBe(0);
    expect(shardOfGuild(IDS.otherGuild, 2)).toBe(1);

    // Shard 0 writes; shard 1, another process, reads it from the shared image, and writes.
    const value = (shown: string) => expect.stringMatching(new RegExp(`^${shown}\\b`));
    const first = await ask(IDS.channel, 'genesis setSlot shardColor "red"');
    expect(first).toEqual({ reply: value('red'), shards: [0] });
    const second = await ask(IDS.otherChannel, 'genesis shardColor');
    expect(second).toEqual({ reply: value('red'), shards: [1] });
    expect(await ask(IDS.otherChannel, 'genesis setSlot shardSize 3')).toEqual({
      reply: value('3'),
      shards: [1],
    });
    const third = await ask(IDS.channel, 'genesis shardSize');
    expect(third).toEqual({ reply: value('3'), shards: [0] });

    // A shard process that dies is started again after a back-off, and serves its guilds.
    process.kill(shardProcess(batos.child.pid!, 1), 'SIGKILL');
    await batos.waitForOutput(/shard process exited; starting it again.*"inSeconds":5\.5/, 30_000);
    await batos.waitForOutput(
      /discord: shard ready.*"shard":1[\s\S]*discord: shard ready.*"shard":1/,
      120_000,
    );
    expect(await ask(IDS.otherChannel, 'genesis shardColor')).toEqual({
      reply: value('red'),
      shards: [1],
    });

    // An admin asks a shard for an upgrade; the manager, which holds no gateway connection,
    // announces the steward's result in that channel over REST.
    const asked = await ask(IDS.adminChannel, 'upgrade --dry-run');
    expect(asked.shards).toEqual([0]);
    const id = /^Upgrade (u-[0-9a-f]+) dry run requested/.exec(asked.reply)?.[1];
    expect(id, asked.reply).toBeDefined();
    const layout = upgradeLayout(join(dir, 'upgrades'));
    const request = await readUpgradeRequestFile(join(layout.requests, `${id}.json`), key);
    if (!request.ok) throw new Error(request.reason);
    await writeDryRunResult(layout.results, request.request, key);
    const announced = await fake.waitForRequest(
      (r) =>
        r.method === 'POST' &&
        r.path === `/channels/${IDS.adminChannel}/messages` &&
        String((r.body as { content?: unknown }).content).startsWith(`Upgrade ${id} dry run on`),
      30_000,
    );
    expect((announced.body as { allowed_mentions?: unknown }).allowed_mentions).toEqual({
      parse: [],
    });

    // Stopping the manager stops every shard the same clean way: three processes say goodbye.
    const run = await batos.stop();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr.match(/image closed; goodbye/g)).toHaveLength(3);
  }, 240_000);

  it('refuses to shard over a SQLite image, saying why, before anything starts', async () => {
    const identifies = fake.frames.filter((f) => f.op === 2).length;
    const run = await runBatos('', {
      BATOS_IMAGE: join(tempDir(), 'image.db'),
      DISCORD_TOKEN: 'fake-discord-token',
      DISCORD_API_URL: fake.apiUrl,
      BATOS_DISCORD_SHARDS: '2',
    });
    expect(run.code).toBe(78);
    expect(run.stderr).toContain(
      'BATOS_DISCORD_SHARDS="2" needs the image on PostgreSQL: each shard is a BAT OS process, and one process alone holds a SQLite image',
    );
    expect(fake.frames.filter((f) => f.op === 2)).toHaveLength(identifies);
  });
});
