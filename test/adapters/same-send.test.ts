/**
 * The same words mean the same send on every platform: the text typed in Discord, in Slack
 * and in the console reaches the core as the same send and changes the image the same way.
 */
import { ACCESS_SLOT } from '../../src/core/model/object-access.ts';
import { GENESIS } from '../../src/core/model/primordial.ts';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { startConsole } from '../../src/adapters/console/index.ts';
import { startDiscord } from '../../src/adapters/discord/index.ts';
import { startSlack } from '../../src/adapters/slack/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import { PERSONA_NAMES } from '../../src/personas/names.ts';
import type { BotService, Send } from '../../src/core/protocol.ts';
import { openTestCore, type TestCore } from '../support/core.ts';
import { FakeDiscord, IDS, user } from '../support/fake-discord.ts';
import { eventBody, FakeSlack, postToReceiver, SLACK_IDS } from '../support/fake-slack.ts';
import { parseDiscordConfig, parseSlackConfig } from '../support/configs.ts';

const LINES = [
  'genesis setSlot color "blue"',
  'genesis setSlot sizes [1, 2, 3]',
  'genesis removeSlot color',
];
const closers: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

/** A real core whose bot also records what each front end handed it. */
async function recordingCore(): Promise<{ core: TestCore; bot: BotService; sends: Send[] }> {
  const core = await openTestCore();
  // The chat users are plain users: let anyone change genesis for this test.
  await core.uvm.asSystem({ who: 'system:test', platform: 'console' }, (tx) =>
    tx.setSlot(GENESIS, ACCESS_SLOT, { kind: 'value', value: 'rwf' }),
  );
  const sends: Send[] = [];
  return {
    core,
    sends,
    bot: { handle: (send, events) => (sends.push(send), core.bot.handle(send, events)) },
  };
}

/** What the sends did to genesis: each change as slot, before, after. */
async function genesisChanges(core: TestCore) {
  const history = await core.image.history({ oid: 3 });
  return history
    .reverse()
    .filter((entry) => !entry.who.startsWith('system:'))
    .flatMap((entry) =>
      entry.changes
        .filter((c) => c.oid === 3)
        .map((c) => ({ slot: c.slot, before: c.before, after: c.after, message: entry.message })),
    );
}

async function viaDiscord() {
  const { core, bot, sends } = await recordingCore();
  const fake = await FakeDiscord.start();
  const config = parseDiscordConfig({
    DISCORD_TOKEN: 'fake-token',
    DISCORD_API_URL: fake.apiUrl,
    DISCORD_REGISTER_COMMANDS: 'false',
  })!;
  const frontEnd = await startDiscord(config, bot, silentLogger, {
    ledger: core.image.ledger,
    personas: PERSONA_NAMES,
  });
  closers.push(
    () => fake.close(),
    () => frontEnd.stop(),
  );
  for (const line of LINES) {
    const message = fake.say({
      channelId: IDS.channel,
      content: `<@${IDS.bot}> ${line}`,
      author: user(IDS.alice, 'alice'),
      mentions: [user(IDS.bot, 'batos', true)],
    });
    await fake.waitForRequest(
      (r) =>
        r.method === 'POST' &&
        (r.body as { message_reference?: { message_id?: string } })?.message_reference
          ?.message_id === message.id,
    );
  }
  return { sends, changes: await genesisChanges(core) };
}

async function viaSlack() {
  const { core, bot, sends } = await recordingCore();
  const fake = await FakeSlack.start();
  const secret = 'fake-signing-secret';
  const config = parseSlackConfig({
    SLACK_BOT_TOKEN: 'xoxb-fake',
    SLACK_SIGNING_SECRET: secret,
    SLACK_PORT: '0',
    SLACK_API_URL: fake.apiUrl,
  })!;
  const frontEnd = await startSlack(
    { ...config, processBeforeResponse: true, apiRetries: 0 },
    bot,
    silentLogger,
    { ledger: core.image.ledger },
  );
  closers.push(
    () => fake.close(),
    () => frontEnd.stop(),
  );
  let n = 0;
  for (const line of LINES) {
    const event = {
      type: 'app_mention',
      user: SLACK_IDS.alice,
      text: `<@${SLACK_IDS.bot}> ${line}`,
      channel: SLACK_IDS.channel,
      ts: fake.ts(),
    };
    expect(
      await postToReceiver(
        `http://127.0.0.1:${frontEnd.port}/slack/events`,
        JSON.stringify(eventBody(event, `Ev${++n}`)),
        secret,
      ),
    ).toBe(200);
  }
  await fake.until(() => fake.callsOf('chat.postMessage').length >= LINES.length);
  return { sends, changes: await genesisChanges(core) };
}

async function viaConsole() {
  const { core, bot, sends } = await recordingCore();
  const input = new PassThrough();
  const output = new PassThrough();
  output.resume();
  const frontEnd = startConsole(bot, {
    input,
    output,
    interactive: false,
    sender: { id: 'ada', name: 'ada', isAdmin: true },
  });
  input.end(LINES.join('\n') + '\n');
  await frontEnd.finished;
  return { sends, changes: await genesisChanges(core) };
}

describe('the same text on every front end', () => {
  it('becomes the same send and the same image change through Discord, Slack and the console', async () => {
    const results = {
      discord: await viaDiscord(),
      slack: await viaSlack(),
      console: await viaConsole(),
    };
    for (const { sends, changes } of Object.values(results)) {
      expect(sends.map((s) => s.text)).toEqual(LINES);
      expect(changes.map((c) => c.message)).toEqual(LINES);
    }
    const strip = (changes: Awaited<ReturnType<typeof genesisChanges>>) =>
      changes.map(({ slot, before, after }) => ({ slot, before, after }));
    expect(strip(results.slack.changes)).toEqual(strip(results.discord.changes));
    expect(strip(results.console.changes)).toEqual(strip(results.discord.changes));
    expect(strip(results.discord.changes)).toEqual([
      { slot: 'color', before: undefined, after: { kind: 'value', value: 'blue' } },
      { slot: 'sizes', before: undefined, after: { kind: 'value', value: [1, 2, 3] } },
      { slot: 'color', before: { kind: 'value', value: 'blue' }, after: undefined },
    ]);
  });
});
