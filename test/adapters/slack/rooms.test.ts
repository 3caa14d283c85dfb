/**
 * Bindings and reply policies on Slack: the real Bolt app and its HTTP receiver, driven by
 * signed events against the fake Web API, the real Bot with the personas and the forged
 * model. alice is a workspace admin, carol created the channel, bob is a member.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startSlack } from '../../../src/adapters/slack/index.ts';
import type { SlackFrontEnd } from '../../../src/adapters/slack/index.ts';
import type { Mind } from '../../../src/core/mind/index.ts';
import type { BotService, Reply } from '../../../src/core/protocol.ts';
import { PERSONA_SIGNATURES, ROUTER_CHOICE } from '../../../tools/forge/index.ts';
import { parseSlackConfig } from '../../support/configs.ts';
import { eventBody, FakeSlack, postToReceiver, SLACK_IDS } from '../../support/fake-slack.ts';
import { loadTinyMind, loraFolder, openPersonaCore } from '../../support/personas.ts';
import { replyToPlainText } from '../../support/reply-text.ts';
import { memoryLogger } from '../../support/test-bot.ts';

const SECRET = 'fake-signing-secret';
let fake: FakeSlack;
let frontEnd: SlackFrontEnd;
let mind: Mind;
/** What the bot answered to each message, by its ts: silent ones too. */
const replies = new Map<string, Reply>();
let nextEvent = 0;

beforeAll(async () => {
  mind = await loadTinyMind();
});

afterAll(() => mind?.close());

/** The real Bot (opened per test: the core closes after each) behind the real Bolt app. */
async function serve(): Promise<void> {
  const core = await openPersonaCore({ loraDir: await loraFolder(), conversation: { mind } });
  fake = await FakeSlack.start();
  fake.workspaceAdmins.add(SLACK_IDS.alice);
  fake.creators.set(SLACK_IDS.channel, SLACK_IDS.carol);
  const config = parseSlackConfig({
    SLACK_BOT_TOKEN: 'xoxb-fake-token',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_PORT: '0',
    SLACK_API_URL: fake.apiUrl,
  })!;
  const bot: BotService = {
    async handle(send, events) {
      const reply = await core.bot.handle(send, events);
      replies.set(send.messageId!, reply);
      return reply;
    },
  };
  frontEnd = await startSlack(
    { ...config, processBeforeResponse: true, apiRetries: 0 },
    bot,
    memoryLogger(),
    { ledger: core.image.ledger },
  );
  onTestFinished(async () => {
    await frontEnd.stop();
    await fake.close();
  });
}

/**
 * Delivers a message from `user` (a mention unless told not to; in `thread` when given; a DM
 * when `dm`) and resolves, once the bot has handled it, with its reply and where it was
 * posted; undefined when the bot stayed silent.
 */
async function say(
  user: string,
  text: string,
  opts: { mention?: boolean; thread?: string; dm?: boolean } = {},
): Promise<{ reply: Reply; text: string; threadTs: unknown; ts: string } | undefined> {
  const ts = fake.ts();
  const mention = opts.mention !== false && opts.dm !== true;
  const event = {
    type: mention ? 'app_mention' : 'message',
    channel_type: opts.dm === true ? 'im' : 'channel',
    user,
    text: mention ? `<@${SLACK_IDS.bot}> ${text}` : text,
    channel: opts.dm === true ? SLACK_IDS.dm : SLACK_IDS.channel,
    ts,
    ...(opts.thread === undefined ? {} : { thread_ts: opts.thread }),
  };
  const mark = fake.calls.length;
  const status = await postToReceiver(
    `http://127.0.0.1:${frontEnd.port}/slack/events`,
    JSON.stringify(eventBody(event, `Ev${++nextEvent}`)),
    SECRET,
  );
  expect(status).toBe(200);
  // With processBeforeResponse, the receiver answers once the handler is done.
  const reply = replies.get(ts)!;
  const posts = fake.calls.slice(mark).filter((c) => c.method === 'chat.postMessage');
  if (reply.silent === true) {
    expect(posts).toEqual([]);
    return undefined;
  }
  return { reply, text: replyToPlainText(reply), threadTs: posts[0]?.args.thread_ts, ts };
}

describe('Slack: bindings and reply policies through the real Bolt app', () => {
  it("binds a persona and a policy where the channel's admins say so; threads inherit; DMs keep the router", async () => {
    await serve();
    // The default: chatter is left alone; a member may not bind.
    expect(await say(SLACK_IDS.bob, 'nice weather today', { mention: false })).toBeUndefined();
    expect((await say(SLACK_IDS.bob, 'bind ALFRED here'))?.text).toMatch(
      /Only this channel's admins/u,
    );

    // carol created the channel, alice is a workspace admin: both may.
    expect((await say(SLACK_IDS.carol, 'bind ALFRED here'))?.text).toContain(
      'ALFRED answers in this channel',
    );
    expect((await say(SLACK_IDS.alice, 'reply ambient'))?.text).toContain(
      'Reply policy for this channel: ambient',
    );
    const morning = await say(SLACK_IDS.bob, 'good morning everyone', { mention: false });
    expect(morning?.reply).toMatchObject({
      persona: 'ALFRED',
      parts: [{ kind: 'text', text: PERSONA_SIGNATURES.ALFRED }],
    });
    expect(morning?.threadTs).toBe(morning?.ts);
    const thread = morning!.ts;
    expect(
      (await say(SLACK_IDS.bob, 'and here?', { mention: false, thread }))?.reply,
    ).toMatchObject({ persona: 'ALFRED' });

    // The thread gets its own persona; the channel keeps ALFRED.
    expect((await say(SLACK_IDS.carol, 'bind ROBIN here', { thread }))?.text).toContain(
      'ROBIN answers in this thread',
    );
    expect((await say(SLACK_IDS.bob, 'still?', { mention: false, thread }))?.reply).toMatchObject({
      persona: 'ROBIN',
    });
    expect((await say(SLACK_IDS.bob, 'hello all', { mention: false }))?.reply).toMatchObject({
      persona: 'ALFRED',
    });
    expect((await say(SLACK_IDS.bob, 'hello', { dm: true }))?.reply).toMatchObject({
      persona: ROUTER_CHOICE,
    });

    // `reply threads`: chatter is left alone again, the threads the bot is in are answered.
    await say(SLACK_IDS.alice, 'reply threads');
    expect(await say(SLACK_IDS.bob, 'quiet now?', { mention: false })).toBeUndefined();
    expect(
      (await say(SLACK_IDS.bob, 'and here?', { mention: false, thread }))?.reply,
    ).toMatchObject({ persona: 'ROBIN' });
    const help = (await say(SLACK_IDS.bob, 'help'))?.text;
    expect(help).toContain('HERE  ALFRED answers what names no persona (bound to this channel)');
    expect(help).toContain('reply policy: threads');
  });
});
