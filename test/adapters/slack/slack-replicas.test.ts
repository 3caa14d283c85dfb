/**
 * Slack replicas: two Bolt apps, each with its own core, over one image on PostgreSQL — two
 * BAT OS processes behind a load balancer. Slack may deliver an event to either, or (on a
 * retry) to both; each message is answered once, and a thread the bot answered in needs no
 * mention from any replica, before or after a restart.
 */
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { parseSlackConfig, startSlack } from '../../../src/adapters/slack/index.ts';
import type { SlackFrontEnd } from '../../../src/adapters/slack/index.ts';
import { silentLogger } from '../../../src/core/log.ts';
import { GENESIS } from '../../../src/core/model/primordial.ts';
import { openTestCore, type TestCore } from '../../support/core.ts';
import { eventBody, FakeSlack, postToReceiver, SLACK_IDS } from '../../support/fake-slack.ts';
import { freshPostgresDatabase } from '../../support/postgres.ts';

const SECRET = 'fake-signing-secret';
let fake: FakeSlack;
beforeAll(async () => {
  fake = await FakeSlack.start();
});
afterAll(async () => {
  await fake?.close();
});

/** One replica: a core of its own over the shared image, and its Slack receiver. */
interface Replica {
  readonly core: TestCore;
  readonly frontEnd: SlackFrontEnd;
  /** Posts a signed event to this replica; resolves once it has been handled. */
  deliver(event: Record<string, unknown>, eventId: string): Promise<number>;
  stop(): Promise<void>;
}

const running = new Set<Replica>();
afterEach(async () => {
  for (const replica of running) await replica.stop();
});

async function startReplica(image: string): Promise<Replica> {
  const core = await openTestCore({ imagePath: image });
  const config = parseSlackConfig({
    SLACK_BOT_TOKEN: 'xoxb-fake-token',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_PORT: '0',
    SLACK_API_URL: fake.apiUrl,
    SLACK_ADMIN_USERS: SLACK_IDS.alice,
  })!;
  const frontEnd = await startSlack(
    { ...config, processBeforeResponse: true, apiRetries: 0 },
    core.bot,
    silentLogger,
    { ledger: core.image.ledger },
  );
  const url = `http://127.0.0.1:${frontEnd.port}/slack/events`;
  const replica: Replica = {
    core,
    frontEnd,
    deliver: (event, eventId) =>
      postToReceiver(url, JSON.stringify(eventBody(event, eventId)), SECRET),
    async stop() {
      running.delete(replica);
      await frontEnd.stop();
      await core.close();
    },
  };
  running.add(replica);
  return replica;
}

/** The bot's posts in `thread` of the general channel so far. */
const postsIn = (thread: string): string[] =>
  fake
    .callsOf('chat.postMessage')
    .filter((c) => c.status === 200 && c.args.thread_ts === thread)
    .map((c) => String(c.args.text));

function message(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'message',
    channel_type: 'channel',
    user: SLACK_IDS.alice,
    text,
    channel: SLACK_IDS.channel,
    ts: fake.ts(),
    ...extra,
  };
}

describe('Slack replicas over one image', () => {
  it('answer a message once when Slack delivers it to both, as message and app_mention alike', async () => {
    const image = await freshPostgresDatabase();
    const [a, b] = await Promise.all([startReplica(image), startReplica(image)]);

    // A retry of one event reaches the other replica while the first is still at work.
    const first = message(`<@${SLACK_IDS.bot}> genesis setSlot visits 1`);
    const statuses = await Promise.all([a.deliver(first, 'EvOne'), b.deliver(first, 'EvOne')]);
    expect(statuses).toEqual([200, 200]);
    expect(postsIn(first.ts as string)).toHaveLength(1);

    // One mention, two events (message to one replica, app_mention to the other).
    const second = message(`<@${SLACK_IDS.bot}> genesis setSlot visits 2`);
    await Promise.all([
      a.deliver(second, 'EvMessage'),
      b.deliver({ ...second, type: 'app_mention' }, 'EvMention'),
    ]);
    expect(postsIn(second.ts as string)).toHaveLength(1);

    const history = await a.core.image.history({ oid: GENESIS });
    const visits = history.flatMap((entry) =>
      entry.changes.filter((c) => c.oid === GENESIS && c.slot === 'visits').map((c) => c.after),
    );
    expect(visits).toHaveLength(2);
    expect(await b.core.ok('genesis visits')).toBe('2');
  });

  it('follow a thread the bot answered in without a mention, on any replica and after a restart', async () => {
    const image = await freshPostgresDatabase();
    const a = await startReplica(image);
    const b = await startReplica(image);
    const asked = message(`<@${SLACK_IDS.bot}> genesis setSlot mood "calm"`);
    await a.deliver(asked, 'EvAsk');
    const thread = asked.ts as string;
    expect(postsIn(thread)).toHaveLength(1);

    // A thread the bot never answered in is not followed: unaddressed chatter stays unanswered.
    const elsewhere = message('genesis mood', { thread_ts: fake.ts() });
    await b.deliver(elsewhere, 'EvElsewhere');
    expect(postsIn(elsewhere.thread_ts as string)).toEqual([]);

    // The other replica follows the thread A answered in.
    await b.deliver(message('genesis mood', { thread_ts: thread }), 'EvFollowB');
    expect(postsIn(thread)).toHaveLength(2);
    expect(postsIn(thread)[1]).toMatch(/^calm\b/);

    // A restarts with an empty memory and follows it too.
    await a.stop();
    const restarted = await startReplica(image);
    await restarted.deliver(
      message('genesis setSlot mood "glad"', { thread_ts: thread }),
      'EvFollowA',
    );
    expect(postsIn(thread)).toHaveLength(3);
    expect(await b.core.ok('genesis mood')).toBe('glad');
  });
});
