/** The real Bolt app with its HTTP receiver, driven by signed requests, against a fake Web API. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSlack } from '../../../src/adapters/slack/index.ts';
import type { SlackFrontEnd } from '../../../src/adapters/slack/index.ts';
import { temporaryLedger } from '../../support/ledger.ts';
import { NOT_ALLOWED_TEXT } from '../../../src/adapters/chat/permissions.ts';
import {
  commandBody,
  eventBody,
  FakeSlack,
  postToReceiver,
  SLACK_IDS,
} from '../../support/fake-slack.ts';
import type { RecordedCall } from '../../support/fake-slack.ts';
import { fencesBalanced, memoryLogger, STREAM_WORDS, TestBot } from '../../support/test-bot.ts';
import { parseSlackConfig } from '../../support/configs.ts';

const SECRET = 'fake-signing-secret';
let fake: FakeSlack;
let frontEnd: SlackFrontEnd;
let ledger: Awaited<ReturnType<typeof temporaryLedger>>;
let url: string;
const bot = new TestBot();
const log = memoryLogger();

beforeAll(async () => {
  fake = await FakeSlack.start();
  const config = parseSlackConfig({
    SLACK_BOT_TOKEN: 'xoxb-fake-token',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_PORT: '0',
    SLACK_API_URL: fake.apiUrl,
    SLACK_ALLOWED_USERS: `${SLACK_IDS.alice},${SLACK_IDS.bob}`,
    SLACK_ADMIN_USERS: SLACK_IDS.alice,
    SLACK_ADMIN_CHANNEL: SLACK_IDS.adminChannel,
    SLACK_LISTEN_CHANNELS: SLACK_IDS.listenChannel,
  })!;
  ledger = await temporaryLedger();
  frontEnd = await startSlack(
    { ...config, processBeforeResponse: true, apiRetries: 0 },
    bot,
    log,
    ledger,
  );
  url = `http://127.0.0.1:${frontEnd.port}/slack/events`;
});

afterAll(async () => {
  await frontEnd?.stop();
  await fake?.close();
  await ledger?.close();
});

let mark = 0;
let nextEvent = 0;
beforeEach(() => {
  mark = fake.calls.length;
  bot.sends.length = 0;
});

const since = (method: string): RecordedCall[] =>
  fake.calls.slice(mark).filter((c) => c.method === method && c.status === 200);

/** Posts a signed event; returns the HTTP status. */
async function deliver(
  event: Record<string, unknown>,
  opts: Parameters<typeof postToReceiver>[3] & { eventId?: string } = {},
): Promise<number> {
  const body = JSON.stringify(eventBody(event, opts.eventId ?? `Ev${++nextEvent}`));
  return postToReceiver(url, body, SECRET, opts);
}

function mention(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'app_mention',
    user: SLACK_IDS.alice,
    text: `<@${SLACK_IDS.bot}> ${text}`,
    channel: SLACK_IDS.channel,
    ts: fake.ts(),
    ...extra,
  };
}

describe('Slack front end over HTTP', () => {
  it('answers a mention in a thread under the message', async () => {
    const event = mention(`display_yourself <@${SLACK_IDS.bob}>`);
    expect(await deliver(event)).toBe(200);
    const [post] = since('chat.postMessage');
    expect(post?.args).toMatchObject({
      channel: SLACK_IDS.channel,
      thread_ts: event.ts,
      text: `echo: display_yourself &lt;@${SLACK_IDS.bob}&gt;`,
    });
    expect(post?.authorization).toBe('Bearer xoxb-fake-token');
    expect(bot.sends).toEqual([
      {
        platform: 'slack',
        sender: { id: SLACK_IDS.alice, name: 'alice', isAdmin: true },
        channel: SLACK_IDS.channel,
        thread: event.ts,
        text: `display_yourself <@${SLACK_IDS.bob}>`,
        mentions: [SLACK_IDS.bob],
        adminChannel: false,
        messageId: event.ts,
        reach: 'mention',
        places: [{ kind: 'channel', id: SLACK_IDS.channel }],
      },
    ]);
  });

  it('answers a DM in the DM, and a message in a thread in that thread', async () => {
    await deliver({
      type: 'message',
      channel_type: 'im',
      user: SLACK_IDS.bob,
      text: 'help',
      channel: SLACK_IDS.dm,
      ts: fake.ts(),
    });
    const parent = fake.ts();
    await deliver(mention('undo', { thread_ts: parent }));
    const posts = since('chat.postMessage');
    expect(posts.map((p) => [p.args.channel, p.args.thread_ts])).toEqual([
      [SLACK_IDS.dm, undefined],
      [SLACK_IDS.channel, parent],
    ]);
    expect(bot.sends.map((s) => [s.text, s.thread, s.sender.isAdmin, s.reach])).toEqual([
      ['help', undefined, false, 'direct'],
      ['undo', parent, true, 'mention'],
    ]);
  });

  it('answers a follow-up without a mention in a thread it has answered in, and not elsewhere', async () => {
    const parent = fake.ts();
    await deliver(mention('genesis slotNames', { thread_ts: parent }));
    const plain = (thread_ts: string) => ({
      type: 'message',
      channel_type: 'channel',
      user: SLACK_IDS.alice,
      text: 'history genesis',
      channel: SLACK_IDS.channel,
      ts: fake.ts(),
      thread_ts,
    });
    await deliver(plain(parent));
    await deliver(plain(fake.ts()));
    expect(bot.sends.map((s) => [s.text, s.thread])).toEqual([
      ['genesis slotNames', parent],
      ['history genesis', parent],
    ]);
  });

  it('answers every message in a listen channel and marks the admin channel', async () => {
    await deliver({
      type: 'message',
      channel_type: 'channel',
      user: SLACK_IDS.alice,
      text: 'chatter',
      channel: SLACK_IDS.channel,
      ts: fake.ts(),
    });
    await deliver({
      type: 'message',
      channel_type: 'channel',
      user: SLACK_IDS.alice,
      text: 'history genesis',
      channel: SLACK_IDS.listenChannel,
      ts: fake.ts(),
    });
    await deliver(mention('upgrade', { channel: SLACK_IDS.adminChannel }));
    expect(bot.sends.map((s) => [s.text, s.adminChannel])).toEqual([
      ['history genesis', false],
      ['upgrade', true],
    ]);
  });

  it('answers once when Slack sends both message and app_mention, and once across retries', async () => {
    const ts = fake.ts();
    const text = `<@${SLACK_IDS.bot}> genesis setSlot color "blue"`;
    await deliver(
      {
        type: 'message',
        channel_type: 'channel',
        user: SLACK_IDS.alice,
        text,
        channel: SLACK_IDS.channel,
        ts,
      },
      { eventId: 'EvDupA' },
    );
    await deliver(
      { type: 'app_mention', user: SLACK_IDS.alice, text, channel: SLACK_IDS.channel, ts },
      { eventId: 'EvDupB' },
    );
    const retry = {
      type: 'app_mention',
      user: SLACK_IDS.alice,
      text,
      channel: SLACK_IDS.channel,
      ts,
    };
    expect(
      await deliver(retry, {
        eventId: 'EvDupB',
        headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
      }),
    ).toBe(200);
    expect(bot.sends.map((s) => s.text)).toEqual(['genesis setSlot color "blue"']);
    expect(since('chat.postMessage')).toHaveLength(1);
    expect(log.lines).toContainEqual(
      'info slack: retried event already answered {"eventId":"EvDupB","retry":1}',
    );
  });

  it('maps /batos to its text and answers through the response URL', async () => {
    const responseUrl = fake.responseUrl();
    const body = commandBody({
      text: 'ALFRED, audit persistence',
      userId: SLACK_IDS.bob,
      channelId: SLACK_IDS.channel,
      responseUrl,
    });
    expect(await postToReceiver(url, body, SECRET, { form: true })).toBe(200);
    expect(since('response_url').map((c) => c.args)).toEqual([
      { response_type: 'in_channel', text: 'echo: ALFRED, audit persistence' },
    ]);
    expect(bot.sends[0]).toMatchObject({
      text: 'ALFRED, audit persistence',
      channel: SLACK_IDS.channel,
      sender: { id: SLACK_IDS.bob, isAdmin: false },
    });
  });

  it('splits a long reply into pieces under 4,000 characters with fences balanced', async () => {
    await deliver(mention('long'));
    const pieces = since('chat.postMessage').map((c) => String(c.args.text));
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(4000);
      expect(fencesBalanced(piece)).toBe(true);
    }
    expect(pieces.join('\n')).toContain('line119');
  });

  it('streams a persona reply with chat.update, throttled', async () => {
    await deliver(mention('stream'));
    const writes = fake.calls
      .slice(mark)
      .filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update');
    expect(writes[0]!.method).toBe('chat.postMessage');
    const updates = writes.slice(1);
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(updates.every((u) => u.method === 'chat.update' && u.args.ts !== undefined)).toBe(true);
    for (let i = 1; i < writes.length - 1; i++)
      expect(writes[i]!.at - writes[i - 1]!.at).toBeGreaterThanOrEqual(1150);
    expect(writes.at(-1)!.args.text).toBe(STREAM_WORDS.join(' '));
  });

  it('waits for Retry-After when the Web API answers 429, then posts', async () => {
    fake.rateLimitNext('chat.postMessage', 1);
    await deliver(mention('after the limit'));
    const attempts = fake.calls.slice(mark).filter((c) => c.method === 'chat.postMessage');
    expect(attempts.map((a) => a.status)).toEqual([429, 200]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(950);
    expect(attempts[1]!.args.text).toBe('echo: after the limit');
  });

  it('refuses a user outside the allowlist with a short reply and no send', async () => {
    // A channel mention comes twice (message and app_mention, one ts): one refusal, no claim.
    const refused = mention('upgrade', { user: SLACK_IDS.eve });
    await deliver({ ...refused, type: 'message', channel_type: 'channel' });
    await deliver(refused);
    expect(since('chat.postMessage').map((c) => c.args.text)).toEqual([NOT_ALLOWED_TEXT]);
    // A refused person writes nothing to the image's ledger: the message is still unclaimed.
    expect(
      await ledger.ledger.firstDelivery('slack', `message:${SLACK_IDS.channel}:${refused.ts}`),
    ).toBe(true);
    const responseUrl = fake.responseUrl();
    const body = commandBody({
      text: 'upgrade',
      userId: SLACK_IDS.eve,
      channelId: SLACK_IDS.channel,
      responseUrl,
    });
    expect(await postToReceiver(url, body, SECRET, { form: true })).toBe(200);
    expect(bot.sends).toEqual([]);
  });

  it('refuses bad signatures, stale and far-future timestamps with 401 before any handler', async () => {
    const now = Math.floor(Date.now() / 1000);
    const body = JSON.stringify(eventBody(mention('should not run'), 'EvForged'));
    expect(await postToReceiver(url, body, 'wrong-secret')).toBe(401);
    expect(await postToReceiver(url, body, SECRET, { timestamp: now - 10 * 60 })).toBe(401);
    expect(await postToReceiver(url, body, SECRET, { timestamp: now + 10 * 60 })).toBe(401);
    expect(await postToReceiver(url, body, SECRET, { timestamp: now + 60 })).toBe(200);
    expect(bot.sends.map((s) => s.text)).toEqual(['should not run']);
  });

  it('ignores its own messages and other bots', async () => {
    await deliver({
      type: 'message',
      channel_type: 'channel',
      user: SLACK_IDS.bot,
      text: 'mine',
      channel: SLACK_IDS.listenChannel,
      ts: fake.ts(),
    });
    await deliver({
      type: 'message',
      subtype: 'bot_message',
      bot_id: 'B0OTHER',
      text: 'robot',
      channel: SLACK_IDS.listenChannel,
      ts: fake.ts(),
    });
    await deliver({
      type: 'message',
      channel_type: 'channel',
      user: SLACK_IDS.bob,
      bot_id: 'B0OTHER',
      text: 'robot 2',
      channel: SLACK_IDS.listenChannel,
      ts: fake.ts(),
    });
    expect(bot.sends).toEqual([]);
  });
});
