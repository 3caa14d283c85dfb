/**
 * Bindings and reply policies on Discord: the real discord.js client against the local fake
 * gateway and REST server, the real Bot with the personas and the forged model. alice owns
 * the guild (so she manages its channels), bob is a member, carol is BAT OS's admin.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { FrontEnd } from '../../../src/adapters/chat/front-end.ts';
import { startDiscord } from '../../../src/adapters/discord/index.ts';
import type { Mind } from '../../../src/core/mind/index.ts';
import type { BotService, Reply } from '../../../src/core/protocol.ts';
import { PERSONA_NAMES } from '../../../src/personas/names.ts';
import { PERSONA_SIGNATURES, ROUTER_CHOICE } from '../../../tools/forge/index.ts';
import { parseDiscordConfig } from '../../support/configs.ts';
import { FakeDiscord, IDS, user } from '../../support/fake-discord.ts';
import { replyToPlainText } from '../../support/reply-text.ts';
import { loadTinyMind, loraFolder, openPersonaCore } from '../../support/personas.ts';
import { memoryLogger } from '../../support/test-bot.ts';

const alice = user(IDS.alice, 'alice');
const bob = user(IDS.bob, 'bob');
const carol = user('100000000000000504', 'carol');
const botMention = user(IDS.bot, 'batos', true);

let fake: FakeDiscord;
let frontEnd: FrontEnd;
let mind: Mind;
/** What the bot answered to each message, by message id (silent ones too), once it has. */
const replies = new Map<string, { promise: Promise<Reply>; resolve: (reply: Reply) => void }>();
function replyTo(id: string) {
  let found = replies.get(id);
  if (found === undefined) {
    let resolve!: (reply: Reply) => void;
    const promise = new Promise<Reply>((r) => (resolve = r));
    found = { promise, resolve };
    replies.set(id, found);
  }
  return found;
}

beforeAll(async () => {
  mind = await loadTinyMind();
});

afterAll(() => mind?.close());

/**
 * Says `text` as `author` in `channelId` (mentioning the bot unless told not to) and resolves
 * with the bot's reply once the client has posted it quoting the message; undefined when the
 * bot stayed silent.
 */
async function say(
  author: Record<string, unknown>,
  text: string,
  opts: { channelId?: string; mention?: boolean } = {},
): Promise<Reply | undefined> {
  const message = fake.say({
    channelId: opts.channelId ?? IDS.channel,
    content: opts.mention === false ? text : `<@${IDS.bot}> ${text}`,
    author,
    mentions: opts.mention === false ? [] : [botMention],
  });
  const id = message.id as string;
  const reply = await replyTo(id).promise;
  if (reply.silent === true) return undefined;
  await fake.waitForRequest(
    (r) =>
      r.method === 'POST' &&
      (r.body as { message_reference?: { message_id?: string } } | undefined)?.message_reference
        ?.message_id === id,
    30_000,
  );
  return reply;
}

/** The reply's text, or undefined for silence. */
async function sayText(...args: Parameters<typeof say>): Promise<string | undefined> {
  const reply = await say(...args);
  return reply === undefined ? undefined : replyToPlainText(reply);
}

/** The real Bot (opened per test: the core closes after each) behind the real client. */
async function serve(): Promise<void> {
  const core = await openPersonaCore({ loraDir: await loraFolder(), conversation: { mind } });
  fake = await FakeDiscord.start();
  const config = parseDiscordConfig({
    DISCORD_TOKEN: 'fake-discord-token',
    DISCORD_API_URL: fake.apiUrl,
    DISCORD_ADMIN_USERS: carol.id as string,
    DISCORD_REGISTER_COMMANDS: 'false',
  })!;
  const bot: BotService = {
    async handle(send, events) {
      const reply = await core.bot.handle(send, events);
      replyTo(send.messageId!).resolve(reply);
      return reply;
    },
  };
  frontEnd = await startDiscord(config, bot, memoryLogger(), {
    ledger: core.image.ledger,
    personas: PERSONA_NAMES,
  });
  onTestFinished(async () => {
    await frontEnd.stop();
    await fake.close();
  });
}

describe('Discord: bindings and reply policies through the real client', () => {
  it('binds a persona and a policy where a channel admin says so; threads inherit; DMs keep the router', async () => {
    await serve();
    // The default: chatter is left alone; a member may not bind.
    expect(await say(bob, 'nice weather today', { mention: false })).toBeUndefined();
    expect(await sayText(bob, 'bind BABS here')).toMatch(/Only this channel's admins/u);
    expect(await say(bob, 'nice weather again', { mention: false })).toBeUndefined();

    // alice manages the channel, carol is BAT OS's admin: both may.
    expect(await sayText(alice, 'bind BABS here')).toContain('BABS answers in this channel');
    expect(await sayText(carol, 'reply ambient')).toContain(
      'Reply policy for this channel: ambient',
    );
    expect(await say(bob, 'good morning everyone', { mention: false })).toMatchObject({
      status: 'ok',
      persona: 'BABS',
      parts: [{ kind: 'text', text: PERSONA_SIGNATURES.BABS }],
    });
    expect(
      await say(bob, 'and in the thread?', { channelId: IDS.thread, mention: false }),
    ).toMatchObject({ persona: 'BABS' });
    expect(
      await say(bob, 'good morning', { channelId: IDS.dmChannel, mention: false }),
    ).toMatchObject({ persona: ROUTER_CHOICE });

    // Under `reply mentions`, only mentions, even in a thread the bot is in; help says so.
    expect(await sayText(alice, 'reply mentions')).toContain('mentions');
    expect(await say(bob, 'anyone here?', { mention: false })).toBeUndefined();
    expect(
      await say(bob, 'still there?', { channelId: IDS.thread, mention: false }),
    ).toBeUndefined();
    const help = await sayText(bob, 'help');
    expect(help).toContain('HERE  BABS answers what names no persona (bound to this channel)');
    expect(help).toContain('reply policy: mentions');
    expect(await sayText(alice, 'unbind')).toContain('Unbound this channel');
    expect(await say(bob, 'quiet again?', { mention: false })).toBeUndefined();
  });
});
