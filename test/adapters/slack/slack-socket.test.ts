/** The real Bolt app in Socket Mode, connected to a local WebSocket server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlack } from '../../../src/adapters/slack/index.ts';
import type { SlackFrontEnd } from '../../../src/adapters/slack/index.ts';
import { temporaryLedger } from '../../support/ledger.ts';
import { eventBody, FakeSlack, SLACK_IDS } from '../../support/fake-slack.ts';
import { memoryLogger, TestBot } from '../../support/test-bot.ts';
import { parseSlackConfig } from '../../support/configs.ts';

let fake: FakeSlack;
let frontEnd: SlackFrontEnd;
let ledger: Awaited<ReturnType<typeof temporaryLedger>>;
const bot = new TestBot();

beforeAll(async () => {
  fake = await FakeSlack.start();
  const config = parseSlackConfig({
    SLACK_BOT_TOKEN: 'xoxb-fake-token',
    SLACK_APP_TOKEN: 'xapp-fake-token',
    SLACK_API_URL: fake.apiUrl,
  })!;
  ledger = await temporaryLedger();
  frontEnd = await startSlack({ ...config, apiRetries: 0 }, bot, memoryLogger(), ledger);
});

afterAll(async () => {
  await frontEnd?.stop();
  await fake?.close();
  await ledger?.close();
});

describe('Slack front end over Socket Mode', () => {
  it('connects through apps.connections.open with the app token and listens on no port', () => {
    expect(frontEnd.port).toBeUndefined();
    const open = fake.callsOf('apps.connections.open');
    expect(open.map((c) => c.authorization)).toEqual(['Bearer xapp-fake-token']);
    expect(fake.socketCount).toBe(1);
  });

  it('acks a mention envelope and answers in the thread', async () => {
    const ts = fake.ts();
    const envelope = fake.deliver(
      eventBody(
        {
          type: 'app_mention',
          user: SLACK_IDS.alice,
          text: `<@${SLACK_IDS.bot}> help`,
          channel: SLACK_IDS.channel,
          ts,
        },
        'EvSocket1',
      ),
    );
    const post = await fake.until(() => fake.callsOf('chat.postMessage')[0]);
    expect(post.args).toMatchObject({
      channel: SLACK_IDS.channel,
      thread_ts: ts,
      text: 'echo: help',
    });
    await fake.until(() => fake.acks.includes(envelope));
    expect(bot.sends).toMatchObject([
      { platform: 'slack', text: 'help', thread: ts, channel: SLACK_IDS.channel },
    ]);
  });
});
