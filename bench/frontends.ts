/**
 * Message-to-reply overhead of the chat front ends: the real discord.js client and the real
 * Bolt HTTP receiver against the local fakes, with a bot that answers instantly. Each sample
 * runs from the platform event leaving the fake to the reply arriving back at it.
 */
import { startDiscord } from '../src/adapters/discord/index.ts';
import { startSlack } from '../src/adapters/slack/index.ts';
import type { Logger } from '../src/adapters/chat/front-end.ts';
import { textReply } from '../src/core/protocol.ts';
import { PERSONA_NAMES } from '../src/personas/names.ts';
import type { BotService } from '../src/core/protocol.ts';
import { FakeDiscord, IDS, user } from '../test/support/fake-discord.ts';
import { eventBody, FakeSlack, postToReceiver, SLACK_IDS } from '../test/support/fake-slack.ts';
import { temporaryLedger } from '../test/support/ledger.ts';
import { formatNumber, percentile } from './table.ts';
import { parseDiscordConfig, parseSlackConfig } from '../test/support/configs.ts';

/** One front end's figures, in milliseconds. */
export interface FrontEndRow {
  readonly frontEnd: string;
  readonly samples: number;
  readonly p50: string;
  readonly p99: string;
  readonly max: string;
}

/** Messages arrive 25 ms apart: discord.js's REST client itself caps requests at 50/s. */
const PACE_MS = 25;
const pause = () => new Promise((resolve) => setTimeout(resolve, PACE_MS));

const instant: BotService = { handle: async (send) => textReply('ok', `echo: ${send.text}`) };
const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function row(frontEnd: string, times: number[]): FrontEndRow {
  const ms = (p: number): string => formatNumber(percentile(times, p), 2);
  return { frontEnd, samples: times.length, p50: ms(50), p99: ms(99), max: ms(100) };
}

async function discordTimes(samples: number, warmup: number): Promise<number[]> {
  const fake = await FakeDiscord.start();
  const config = parseDiscordConfig({
    DISCORD_TOKEN: 'bench-token',
    DISCORD_API_URL: fake.apiUrl,
    DISCORD_REGISTER_COMMANDS: 'false',
  })!;
  const ledger = await temporaryLedger();
  const frontEnd = await startDiscord(config, instant, quiet, {
    ...ledger,
    personas: PERSONA_NAMES,
  });
  const alice = user(IDS.alice, 'alice');
  const times: number[] = [];
  try {
    for (let i = 0; i < samples + warmup; i++) {
      await pause();
      fake.requests.length = 0;
      const start = performance.now();
      fake.say({
        channelId: IDS.channel,
        content: `<@${IDS.bot}> ping ${i}`,
        author: alice,
        mentions: [user(IDS.bot, 'batos', true)],
      });
      const reply = await fake.waitForRequest(
        (r) => r.method === 'POST' && r.path.endsWith('/messages'),
      );
      if (i >= warmup) times.push(reply.at - start);
    }
  } finally {
    await frontEnd.stop();
    await fake.close();
    await ledger.close();
  }
  return times;
}

async function slackTimes(samples: number, warmup: number): Promise<number[]> {
  const fake = await FakeSlack.start();
  const secret = 'bench-secret';
  const config = parseSlackConfig({
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: secret,
    SLACK_PORT: '0',
    SLACK_API_URL: fake.apiUrl,
  })!;
  const ledger = await temporaryLedger();
  const frontEnd = await startSlack({ ...config, apiRetries: 0 }, instant, quiet, ledger);
  const url = `http://127.0.0.1:${frontEnd.port}/slack/events`;
  const times: number[] = [];
  try {
    for (let i = 0; i < samples + warmup; i++) {
      await pause();
      fake.calls.length = 0;
      const event = {
        type: 'app_mention',
        user: SLACK_IDS.alice,
        text: `<@${SLACK_IDS.bot}> ping ${i}`,
        channel: SLACK_IDS.channel,
        ts: fake.ts(),
      };
      const body = JSON.stringify(eventBody(event, `EvBench${i}`));
      const start = performance.now();
      const acked = postToReceiver(url, body, secret);
      const reply = await fake.until(() => fake.callsOf('chat.postMessage')[0]);
      await acked;
      if (i >= warmup) times.push(reply.at - start);
    }
  } finally {
    await frontEnd.stop();
    await fake.close();
    await ledger.close();
  }
  return times;
}

/** Runs both front ends `samples` times each (after a warm-up) and returns one row each. */
export async function benchFrontEnds(samples = 300, warmup = 30): Promise<FrontEndRow[]> {
  return [
    row('discord (discord.js, gateway + REST)', await discordTimes(samples, warmup)),
    row('slack (Bolt HTTP receiver + Web API)', await slackTimes(samples, warmup)),
  ];
}
