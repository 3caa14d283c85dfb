/**
 * The composition root: the one place that reads the environment and wires BAT OS together.
 *
 *   configuration → image → sandbox → mind (when a model is there) → UVM → personas → bot
 *   → front ends (Discord, Slack, console) → ready
 *
 * SIGINT, SIGTERM or pm2's shutdown message stop the front ends, let the send in flight
 * finish and commit, close the image and the model, and exit 0.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { userInfo } from 'node:os';
import { parseDiscordConfig, startDiscord, type DiscordConfig } from './adapters/discord/index.ts';
import { parseSlackConfig, startSlack, type SlackConfig } from './adapters/slack/index.ts';
import { startConsole } from './adapters/console/index.ts';
import type { FrontEnd } from './adapters/chat/front-end.ts';
import { readCoreConfig } from './config/core-config.ts';
import { EnvReader, type Env } from './config/env.ts';
import { Bot } from './core/bot/bot.ts';
import { limitGenerations } from './core/bot/generation-limit.ts';
import { Image } from './core/image/index.ts';
import { stderrLogger, type Logger } from './core/log.ts';
import {
  howToGetAModel,
  Mind,
  parseMindConfig,
  RemoteMind,
  type MindConfig,
  type MindService,
} from './core/mind/index.ts';
import { QuickJsMethodRunner } from './core/sandbox/index.ts';
import { MindMethodWriter } from './core/uvm/mind-writer.ts';
import {
  installPersonas,
  PERSONA_CODEX,
  PersonaConversation,
  personaPrimitives,
  personaSlotRule,
  PERSONA_PROTOTYPE_NAME,
  startHeartbeat,
} from './personas/index.ts';
import { Uvm } from './core/uvm/uvm.ts';
import { loadProgressReporter } from './load-progress.ts';
import { FORGED_MODEL_NOTE, isForgedModel } from './forge/answers.ts';
import { recordModel } from './core/uvm/model-record.ts';
import { stewardUpgradeDesk } from './core/bot/upgrade-desk.ts';
import { textReply } from './core/protocol.ts';
import {
  formatUpgradeResult,
  readAppVersion,
  takeUpgradeResults,
  upgradeLayout,
  writeHealthFile,
} from './core/upgrade/index.ts';

interface Settings {
  readonly core: ReturnType<typeof readCoreConfig>;
  readonly mind: MindConfig;
  readonly discord: DiscordConfig | undefined;
  readonly slack: SlackConfig | undefined;
}

/** Reads and validates every setting, reporting all problems at once. */
function readSettings(env: Env): Settings {
  const reader = new EnvReader(env);
  const core = readCoreConfig(reader);
  const attempt = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      reader.problems.push((error as Error).message);
      return undefined;
    }
  };
  const mind = attempt(() => parseMindConfig(env));
  const discord = attempt(() => parseDiscordConfig(env));
  const slack = attempt(() => parseSlackConfig(env));
  reader.done();
  return { core, mind: mind!, discord, slack };
}

/**
 * Connects to the inference servers (BATOS_MIND_URL) or loads the model if there is one;
 * otherwise says why, and BAT OS serves without it.
 */
async function loadMind(
  config: MindConfig,
  log: Logger,
): Promise<MindService | { reason: string }> {
  if (config.servers?.length) {
    try {
      const expectAdapters = PERSONA_CODEX.map((persona) => persona.adapter);
      const { mind, warnings } = await RemoteMind.connect(config, { expectAdapters });
      for (const warning of warnings) log.warn(warning);
      return mind;
    } catch (error) {
      log.warn(`no inference server: ${(error as Error).message}`);
      return { reason: (error as Error).message };
    }
  }
  try {
    return await Mind.load(config, { onProgress: loadProgressReporter(log, process.stderr) });
  } catch (error) {
    log.warn(`no model: ${(error as Error).message}`);
    return { reason: howToGetAModel(config.model, config.modelsDir) };
  }
}

/**
 * Tells each admin who asked for an upgrade how it went, where they asked. Only results
 * signed with the upgrade key are announced; a bad file is logged and set aside.
 */
async function reportUpgradeResults(
  dir: string,
  key: string,
  frontEnds: readonly FrontEnd[],
  log: Logger,
): Promise<void> {
  const refused = (file: string, reason: string): void =>
    log.warn(`upgrade result ${file} refused, not announced: ${reason}`);
  try {
    await takeUpgradeResults(
      dir,
      key,
      async (result) => {
        const frontEnd = frontEnds.find((f) => f.name === result.reportTo.platform);
        if (frontEnd === undefined)
          throw new Error(
            `no ${result.reportTo.platform} front end is running to report ${result.id}`,
          );
        await frontEnd.announce(
          result.reportTo,
          textReply(result.ok ? 'ok' : 'error', formatUpgradeResult(result)),
        );
      },
      refused,
    );
  } catch (error) {
    log.warn(`upgrade results not reported yet: ${(error as Error).message}`);
  }
}

/**
 * Runs BAT OS. With `checkConfigOnly` it stops once every setting has been read and checked,
 * opening nothing: the steward runs `npm run check:config` on a prepared version before it
 * stops the running one.
 */
export async function main(env: Env, checkConfigOnly = false): Promise<void> {
  const log = stderrLogger();
  const settings = readSettings(env);
  const { core } = settings;
  if (checkConfigOnly) {
    log.info('configuration ok');
    return;
  }

  const image = await Image.open(core.imagePath, { cacheBytes: core.cacheMegabytes << 20 });
  const runner = new QuickJsMethodRunner();
  const loaded = await loadMind(settings.mind, log);
  const mind = 'reason' in loaded ? undefined : loaded;
  const noModelReason = 'reason' in loaded ? loaded.reason : undefined;
  const uvm = new Uvm({
    image,
    runner,
    primitives: personaPrimitives({ image, loraDir: core.loraDir }),
    quotas: core.quotas,
    slotRules: [personaSlotRule(PERSONA_PROTOTYPE_NAME)],
    ...(mind
      ? { writer: limitGenerations(new MindMethodWriter(mind, runner), core.generationLimit) }
      : { noWriterReason: `no model is loaded to write it. ${noModelReason}` }),
  });
  const system = { who: 'system:batos', platform: 'console' } as const;
  await uvm.bootstrap(system);
  if (mind) await recordModel(uvm, system, mind.source);
  await installPersonas(uvm, system);
  const checkMethod = (source: string) => runner.check(source);
  const conversation = new PersonaConversation({
    uvm,
    ...(mind ? { mind } : { noModelReason: noModelReason! }),
    ...(mind?.source.kind === 'local' && isForgedModel(mind.source.model)
      ? { modelNote: FORGED_MODEL_NOTE }
      : {}),
    loraDir: core.loraDir,
    checkMethod,
    defaultPersona: core.defaultPersona,
    historyTurns: core.historyTurns,
    historyChars: core.historyChars,
  });
  const heartbeat =
    core.auditIntervalMinutes > 0
      ? startHeartbeat({ uvm, intervalMs: core.auditIntervalMinutes * 60_000, log, checkMethod })
      : undefined;

  const appDir = process.cwd();
  const bot = new Bot({
    uvm,
    log,
    backupDir: core.backupDir,
    sendLimit: core.sendLimit,
    parserLimits: core.parserLimits,
    conversation,
    ...(core.programmers === undefined ? {} : { roles: { programmers: core.programmers } }),
    ...(core.upgradeKey === undefined
      ? {}
      : {
          upgrades: stewardUpgradeDesk({
            appDir,
            upgradeDir: core.upgradeDir,
            key: core.upgradeKey,
          }),
        }),
  });

  const frontEnds: FrontEnd[] = [];
  if (settings.discord) frontEnds.push(await startDiscord(settings.discord, bot, log));
  if (settings.slack) frontEnds.push(await startSlack(settings.slack, bot, log));

  let resultPoll: NodeJS.Timeout | undefined;
  let reporting = Promise.resolve();
  let stopping: Promise<void> | undefined;
  let markStopped = () => {};
  const stopped = new Promise<void>((resolve) => (markStopped = resolve));
  const shutdown = (why: string): Promise<void> =>
    (stopping ??= (async () => {
      log.info(`shutting down (${why}): finishing sends in flight`);
      clearInterval(resultPoll);
      await reporting;
      await Promise.allSettled(frontEnds.map((f) => f.stop()));
      await heartbeat?.stop();
      await uvm.close();
      await mind?.close();
      log.info('image closed; goodbye');
      markStopped();
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void shutdown(signal).then(() => process.exit(0)));
  process.on('message', (message) => {
    if (message === 'shutdown') void shutdown('shutdown message').then(() => process.exit(0));
  });

  const version = await readAppVersion(appDir).catch(() => ({
    version: 'unknown',
    revision: 'unknown',
  }));
  await writeHealthFile(core.healthFile, {
    ...version,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    ready: true,
    objects: image.countObjects(),
  });
  log.info(
    `ready: BAT OS ${version.version}, image ${core.imagePath} (${image.countObjects()} objects), chat front ends: ${frontEnds.map((f) => f.name).join(', ') || 'none'}`,
  );
  // The console starts last, so its prompt is not buried under the start-up log.
  const wantConsole = core.console === 'on' || (core.console === 'auto' && frontEnds.length === 0);
  const consoleFrontEnd = wantConsole
    ? startConsole(bot, {
        input: process.stdin,
        output: process.stdout,
        interactive: process.stdin.isTTY === true,
        sender: { id: userInfo().username, name: userInfo().username, isAdmin: core.consoleAdmin },
        historyFile: join(dirname(core.imagePath), 'console_history'),
        logStream: process.stderr,
      })
    : undefined;
  if (consoleFrontEnd) frontEnds.push(consoleFrontEnd);
  process.send?.('ready');
  // Results come after a restart, and for dry runs while the bot keeps running: look now and
  // every few seconds.
  const results = upgradeLayout(core.upgradeDir).results;
  const upgradeKey = core.upgradeKey;
  if (upgradeKey !== undefined) {
    await reportUpgradeResults(results, upgradeKey, frontEnds, log);
    resultPoll = setInterval(() => {
      reporting = reporting.then(() => reportUpgradeResults(results, upgradeKey, frontEnds, log));
    }, 5_000).unref();
  }

  if (consoleFrontEnd) {
    // The console ends at end of piped input, or when the operator quits: then BAT OS stops.
    await consoleFrontEnd.finished;
    await shutdown(process.stdin.isTTY ? 'console closed' : 'end of input');
  } else {
    // Chat front ends only: stay up until a signal or pm2's shutdown message.
    const keepAlive = setInterval(() => {}, 1 << 30);
    await stopped;
    clearInterval(keepAlive);
  }
}

if (existsSync('.env')) process.loadEnvFile('.env');
main(process.env, process.argv.includes('--check-config')).catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
