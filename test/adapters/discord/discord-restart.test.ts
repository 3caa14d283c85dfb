/** Discord follows the threads it answered in from the image's ledger, so a restart forgets none. */
import { afterAll, describe, expect, it } from 'vitest';
import { startDiscord } from '../../../src/adapters/discord/index.ts';
import type { FrontEnd } from '../../../src/adapters/chat/front-end.ts';
import { FakeDiscord, IDS, user } from '../../support/fake-discord.ts';
import type { RecordedRequest } from '../../support/fake-discord.ts';
import { PERSONA_NAMES } from '../../../src/personas/names.ts';
import { temporaryLedger } from '../../support/ledger.ts';
import { memoryLogger, TestBot } from '../../support/test-bot.ts';
import { parseDiscordConfig } from '../../support/configs.ts';

const alice = user(IDS.alice, 'alice');
const closers: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

const repliedTo =
  (id: unknown) =>
  (r: RecordedRequest): boolean =>
    r.method === 'POST' &&
    (r.body as { message_reference?: { message_id?: string } } | undefined)?.message_reference
      ?.message_id === id;

describe('Discord threads across a restart', () => {
  it('answers a follow-up without a mention in a thread the bot answered in before it restarted', async () => {
    const fake = await FakeDiscord.start();
    const ledger = await temporaryLedger();
    closers.push(
      () => fake.close(),
      () => ledger.close(),
    );
    const config = parseDiscordConfig({
      DISCORD_TOKEN: 'fake-discord-token',
      DISCORD_API_URL: fake.apiUrl,
      DISCORD_REGISTER_COMMANDS: 'false',
    })!;
    const bot = new TestBot();
    const start = async (): Promise<FrontEnd> => {
      const frontEnd = await startDiscord(config, bot, memoryLogger(), {
        ...ledger,
        personas: PERSONA_NAMES,
      });
      closers.push(() => frontEnd.stop());
      return frontEnd;
    };

    const before = await start();
    const asked = fake.say({
      channelId: IDS.thread,
      content: `<@${IDS.bot}> genesis`,
      author: alice,
      mentions: [user(IDS.bot, 'batos', true)],
    });
    await fake.waitForRequest(repliedTo(asked.id));
    await before.stop();

    await start();
    const followUp = fake.say({ channelId: IDS.thread, content: 'history genesis', author: alice });
    await fake.waitForRequest(repliedTo(followUp.id));
    // Chatter in a channel (no thread) still needs a mention.
    const chatter = fake.say({ channelId: IDS.channel, content: 'just chatting', author: alice });
    const marker = fake.say({
      channelId: IDS.channel,
      content: `<@${IDS.bot}> marker`,
      author: alice,
      mentions: [user(IDS.bot, 'batos', true)],
    });
    await fake.waitForRequest(repliedTo(marker.id));
    expect(fake.requests.some(repliedTo(chatter.id))).toBe(false);
    expect(bot.sends.map((s) => s.text)).toEqual(['genesis', 'history genesis', 'marker']);
  });
});
