/** The real discord.js client against a local fake gateway and REST server. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDiscord } from '../../../src/adapters/discord/index.ts';
import type { FrontEnd } from '../../../src/adapters/chat/front-end.ts';
import { NOT_ALLOWED_TEXT } from '../../../src/adapters/chat/permissions.ts';
import { FakeDiscord, IDS, user } from '../../support/fake-discord.ts';
import type { RecordedRequest } from '../../support/fake-discord.ts';
import { fencesBalanced, memoryLogger, STREAM_WORDS, TestBot } from '../../support/test-bot.ts';
import { PERSONA_NAMES } from '../../../src/personas/names.ts';
import { temporaryLedger } from '../../support/ledger.ts';
import { parseDiscordConfig } from '../../support/configs.ts';

const alice = user(IDS.alice, 'alice');
const bob = user(IDS.bob, 'bob');
const botMention = user(IDS.bot, 'batos', true);

let fake: FakeDiscord;
let frontEnd: FrontEnd;
let ledger: Awaited<ReturnType<typeof temporaryLedger>>;
const bot = new TestBot();
const log = memoryLogger();

beforeAll(async () => {
  fake = await FakeDiscord.start();
  const config = parseDiscordConfig({
    DISCORD_TOKEN: 'fake-discord-token',
    DISCORD_API_URL: fake.apiUrl,
    DISCORD_LISTEN_CHANNELS: IDS.listenChannel,
    DISCORD_ALLOWED_USERS: IDS.alice,
    DISCORD_ALLOWED_ROLES: IDS.memberRole,
    DISCORD_ADMIN_USERS: IDS.alice,
    DISCORD_ADMIN_CHANNEL: IDS.adminChannel,
    DISCORD_COMMANDS_GUILD: IDS.guild,
  })!;
  ledger = await temporaryLedger();
  frontEnd = await startDiscord(config, bot, log, { ...ledger, personas: PERSONA_NAMES });
});

afterAll(async () => {
  await frontEnd?.stop();
  await fake?.close();
  await ledger?.close();
});

let mark = 0;
beforeEach(() => {
  mark = fake.requests.length;
  bot.sends.length = 0;
});

/** Message posts and edits since the test began. */
const posts = (): RecordedRequest[] =>
  fake.requests
    .slice(mark)
    .filter((r) => r.method !== 'GET' && /\/messages|\/webhooks\//.test(r.path));
const content = (r: RecordedRequest): string =>
  (r.body as { content?: string } | undefined)?.content ?? '';

async function replyTo(messageId: string): Promise<RecordedRequest> {
  return fake.waitForRequest(
    (r) =>
      r.method === 'POST' &&
      (r.body as { message_reference?: { message_id?: string } } | undefined)?.message_reference
        ?.message_id === messageId,
  );
}

describe('Discord front end', () => {
  it('registers the slash commands in the configured guild at start', () => {
    const put = fake.requests.find((r) => r.method === 'PUT');
    expect(put?.path).toBe(`/applications/${IDS.app}/guilds/${IDS.guild}/commands`);
    const names = (put!.body as { name: string }[]).map((c) => c.name);
    expect(names).toEqual([
      'send',
      'ask',
      'audit',
      'history',
      'undo',
      'versions',
      'revert',
      'upgrade',
    ]);
    const ask = (put!.body as { name: string; options: { name: string; choices?: unknown }[] }[])
      .find((c) => c.name === 'ask')!
      .options.find((o) => o.name === 'persona');
    expect(ask?.choices).toEqual(PERSONA_NAMES.map((name) => ({ name, value: name })));
  });

  it('answers a mention with a quoting reply, mention stripped, admin flags set', async () => {
    const msg = fake.say({
      channelId: IDS.channel,
      content: `<@${IDS.bot}> genesis setSlot color "blue" <@${IDS.bob}>`,
      author: alice,
      mentions: [botMention, bob],
    });
    const reply = await replyTo(msg.id as string);
    expect(reply.path).toBe(`/channels/${IDS.channel}/messages`);
    expect(content(reply)).toBe(`echo: genesis setSlot color "blue" <@${IDS.bob}>`);
    expect(bot.sends).toEqual([
      {
        platform: 'discord',
        // alice owns the guild, so she may manage its channels.
        sender: { id: IDS.alice, name: 'alice', isAdmin: true, isPlaceAdmin: true },
        channel: IDS.channel,
        thread: undefined,
        text: `genesis setSlot color "blue" <@${IDS.bob}>`,
        mentions: [IDS.bob],
        adminChannel: false,
        messageId: msg.id,
        reach: 'mention',
        places: [{ kind: 'channel', id: IDS.channel }],
      },
    ]);
  });

  it('answers a DM without a mention', async () => {
    const msg = fake.say({ channelId: IDS.dmChannel, content: 'display_yourself', author: alice });
    const reply = await replyTo(msg.id as string);
    expect(reply.path).toBe(`/channels/${IDS.dmChannel}/messages`);
    expect(bot.sends[0]).toMatchObject({
      channel: IDS.dmChannel,
      text: 'display_yourself',
      adminChannel: false,
      reach: 'direct',
    });
  });

  it('treats a thread as a conversation of its parent channel', async () => {
    const msg = fake.say({
      channelId: IDS.thread,
      content: `<@${IDS.bot}> undo`,
      author: alice,
      mentions: [botMention],
    });
    const reply = await replyTo(msg.id as string);
    expect(reply.path).toBe(`/channels/${IDS.thread}/messages`);
    expect(bot.sends[0]).toMatchObject({ channel: IDS.channel, thread: IDS.thread, text: 'undo' });

    // Once the bot has answered in a thread, a follow-up there needs no mention.
    const followUp = fake.say({ channelId: IDS.thread, content: 'history genesis', author: alice });
    await replyTo(followUp.id as string);
    expect(bot.sends[1]).toMatchObject({ thread: IDS.thread, text: 'history genesis' });
  });

  it('answers everything in a listen channel, marks the admin channel, ignores unaddressed chatter', async () => {
    fake.say({ channelId: IDS.channel, content: 'just chatting', author: alice });
    const heard = fake.say({ channelId: IDS.listenChannel, content: 'help', author: alice });
    await replyTo(heard.id as string);
    const admin = fake.say({
      channelId: IDS.adminChannel,
      content: `<@${IDS.bot}> upgrade`,
      author: alice,
      mentions: [botMention],
    });
    await replyTo(admin.id as string);
    expect(bot.sends.map((s) => [s.text, s.adminChannel])).toEqual([
      ['help', false],
      ['upgrade', true],
    ]);
  });

  it('splits a long reply into pieces under 2,000 characters with fences balanced', async () => {
    const msg = fake.say({
      channelId: IDS.channel,
      content: `<@${IDS.bot}> long`,
      author: alice,
      mentions: [botMention],
    });
    await replyTo(msg.id as string);
    await fake.waitForRequest((r) => content(r).includes('line119'));
    const pieces = posts().map(content);
    expect(pieces.length).toBeGreaterThan(3);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(2000);
      expect(fencesBalanced(piece)).toBe(true);
    }
    expect(pieces.join('\n')).toContain('Paragraph 39');
  });

  it('streams a persona reply by editing one message at most about once a second', async () => {
    const msg = fake.say({
      channelId: IDS.channel,
      content: `<@${IDS.bot}> stream`,
      author: alice,
      mentions: [botMention],
    });
    const full = STREAM_WORDS.join(' ');
    await fake.waitForRequest((r) => r.method === 'PATCH' && content(r) === full, 10_000);
    const typing = fake.requests
      .slice(mark)
      .filter((r) => r.path === `/channels/${IDS.channel}/typing`);
    expect(typing.length).toBeGreaterThanOrEqual(1);
    const writes = posts();
    expect(writes[0]!.method).toBe('POST');
    expect(
      (writes[0]!.body as { message_reference: { message_id: string } }).message_reference
        .message_id,
    ).toBe(msg.id);
    const edits = writes.slice(1);
    expect(edits.length).toBeGreaterThanOrEqual(1);
    expect(edits.every((r) => r.method === 'PATCH' && r.path === edits[0]!.path)).toBe(true);
    const times = writes.map((r) => r.at);
    for (let i = 1; i < times.length - 1; i++)
      expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(950);
    expect(content(writes.at(-1)!)).toBe(full);
  });

  it('maps a slash command to text and answers through the interaction endpoints', async () => {
    const interaction = fake.command(
      'ask',
      [
        { name: 'persona', type: 3, value: 'BABS' },
        { name: 'text', type: 3, value: 'find the docs' },
      ],
      alice,
    );
    await fake.waitForRequest(
      (r) => r.method === 'PATCH' && r.path.includes('/messages/@original'),
    );
    expect(bot.sends[0]).toMatchObject({ text: 'BABS, find the docs', sender: { id: IDS.alice } });
    const callback = fake.requests.slice(mark).find((r) => r.path.endsWith('/callback'));
    expect(callback?.path).toBe(`/interactions/${interaction.id}/${interaction.token}/callback`);
    expect(callback?.body).toMatchObject({ type: 5 });
    const edit = fake.requests.slice(mark).find((r) => r.path.includes('@original'));
    expect(content(edit!)).toBe('echo: BABS, find the docs');
  });

  it('refuses a user outside the allowlists, briefly, with no send made', async () => {
    const msg = fake.say({
      channelId: IDS.channel,
      content: `<@${IDS.bot}> upgrade`,
      author: bob,
      mentions: [botMention],
    });
    const reply = await replyTo(msg.id as string);
    expect(content(reply)).toBe(NOT_ALLOWED_TEXT);
    const viaRole = fake.say({
      channelId: IDS.channel,
      content: `<@${IDS.bot}> hi`,
      author: bob,
      mentions: [botMention],
      roles: [IDS.memberRole],
    });
    await replyTo(viaRole.id as string);
    expect(bot.sends.map((s) => [s.sender.id, s.text, s.sender.isAdmin])).toEqual([
      [IDS.bob, 'hi', false],
    ]);
  });

  it('ignores its own messages and other bots', async () => {
    fake.say({
      channelId: IDS.listenChannel,
      content: 'echo: me',
      author: user(IDS.bot, 'batos', true),
    });
    fake.say({
      channelId: IDS.listenChannel,
      content: `<@${IDS.bot}> hi`,
      author: user(IDS.otherBot, 'robot', true),
      mentions: [botMention],
    });
    const msg = fake.say({ channelId: IDS.listenChannel, content: 'after', author: alice });
    await replyTo(msg.id as string);
    expect(bot.sends.map((s) => s.text)).toEqual(['after']);
  });

  it.each([4000, 'terminate'] as const)(
    'keeps serving after the gateway drops the connection (%s)',
    async (code) => {
      const before = fake.connections;
      const frames = fake.frames.length;
      fake.drop(code);
      await fake.waitForFrame(
        (f) => fake.frames.indexOf(f) >= frames && (f.op === 6 || f.op === 2),
        15_000,
      );
      expect(fake.connections).toBe(before + 1);
      const msg = fake.say({
        channelId: IDS.channel,
        content: `<@${IDS.bot}> still here?`,
        author: alice,
        mentions: [botMention],
      });
      const reply = await replyTo(msg.id as string);
      expect(content(reply)).toBe('echo: still here?');
    },
  );
});
