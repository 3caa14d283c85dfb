/**
 * A start of BAT OS once its settings are read (see `main.ts`): the checks a start runs
 * (`--check` stops after them), then the image, the sandbox, the model, the UVM, the
 * personas, the bot and the front ends, served until stopped.
 */
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import type { DiscordConfig } from './adapters/discord/index.ts';
import { shardFromEnv, type ShardIdentity } from './adapters/discord/shard-identity.ts';
import type { SlackConfig } from './adapters/slack/index.ts';
import { startConsole } from './adapters/console/index.ts';
import type { Browser, BrowserConfig } from './adapters/browser/index.ts';
import { browserConfig } from './config/browser-config.ts';
import type { FrontEnd } from './adapters/chat/front-end.ts';
import { coreConfig, type CoreConfig } from './config/core-config.ts';
import { discordConfig } from './config/discord-config.ts';
import { embedderConfig, mindConfig } from './config/mind-config.ts';
import type { Env } from './config/read.ts';
import { slackConfig } from './config/slack-config.ts';
import type { SettingValues } from './config/settings.ts';
import { Bot } from './core/bot/bot.ts';
import { limitGenerations } from './core/bot/generation-limit.ts';
import { ImageError, OperatorError } from './core/errors.ts';
import { Image } from './core/image/index.ts';
import type { Logger } from './core/log.ts';
import type { MindConfig, MindService } from './core/mind/index.ts';
import type { Embedder, EmbedderConfig } from './core/mind/embedder.ts';
import { FORGED_MODEL_NOTE, isForgedModel } from './core/mind/forged-model.ts';
import { howToGetAModel } from './core/mind/model-source.ts';
import { QuickJsMethodRunner } from './core/sandbox/index.ts';
import { MindMethodWriter } from './core/uvm/mind-writer.ts';
import {
  AUDITOR,
  installPersonas,
  PERSONA_CODEX,
  PERSONA_HELP,
  PERSONA_NAMES,
  PersonaConversation,
  personaPrimitives,
  personaSlotRule,
  PERSONA_PROTOTYPE_NAME,
  startHeartbeat,
} from './personas/index.ts';
import { startRetention } from './personas/heartbeat.ts';
import { adapterChecksum } from './personas/adapter-file.ts';
import type { RepairNotice } from './core/uvm/method-repair.ts';
import { Uvm } from './core/uvm/uvm.ts';
import { startHealthEndpoint, type HealthEndpoint, type Phase } from './health-endpoint.ts';
import { loadProgressReporter } from './load-progress.ts';
import { exitFor, preflight, type Finding } from './preflight.ts';
import { EXIT, refuseStart } from './start-refusal.ts';
import { recordModel } from './core/uvm/model-record.ts';
import { stewardUpgradeDesk } from './core/bot/upgrade-desk.ts';
import { textReply, type FrontEndLedger } from './core/protocol.ts';
import {
  formatUpgradeResult,
  takeUpgradeResults,
  upgradeLayout,
  writeHealthFile,
} from './core/upgrade/index.ts';

/** How often the history is brought back within its retention (BATOS_HISTORY_*). */
const RETENTION_INTERVAL_MS = 10 * 60_000;

interface Settings {
  readonly values: SettingValues;
  readonly core: CoreConfig;
  readonly mind: MindConfig;
  /** The embedding model that ranks recall (BATOS_EMBEDDING_MODEL), when one is set. */
  readonly embedder: EmbedderConfig | undefined;
  readonly discord: DiscordConfig | undefined;
  readonly slack: SlackConfig | undefined;
  /** The image browser, served by one process (never a Discord shard). */
  readonly browser: BrowserConfig | undefined;
  /**
   * Set in a process that discord.js's ShardingManager spawned (BATOS_DISCORD_SHARDS): it
   * serves that Discord shard only, while the manager process keeps everything else.
   */
  readonly shard: ShardIdentity | undefined;
}

function settingsFrom(values: SettingValues, env: Env): Settings {
  const shard = shardFromEnv(env);
  const mind = mindConfig(values);
  return {
    values,
    core: coreConfig(values),
    mind,
    embedder: embedderConfig(values, mind),
    discord: discordConfig(values),
    slack: shard === undefined ? slackConfig(values) : undefined,
    browser: shard === undefined ? browserConfig(values) : undefined,
    shard,
  };
}

/**
 * Connects to the inference servers (BATOS_MIND_URL) or loads the model if there is one;
 * otherwise says why, and BAT OS serves without it. (node-llama-cpp loads only here: a start
 * without a model never loads it.)
 */
async function loadMind(
  config: MindConfig,
  log: Logger,
): Promise<MindService | { reason: string }> {
  const { Mind, RemoteMind } = await import('./core/mind/index.ts');
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
 * Loads the embedding model when one is set; a file llama.cpp refuses is a line saying why
 * and what to do, so the start stops there rather than at the first turn. (node-llama-cpp
 * loads only here, when one is set.)
 */
async function loadEmbedder(
  config: EmbedderConfig | undefined,
): Promise<{ embedder?: Embedder; problem?: string }> {
  if (config === undefined) return {};
  const { Embedder } = await import('./core/mind/embedder.ts');
  try {
    return { embedder: await Embedder.load(config) };
  } catch (error) {
    return { problem: `BATOS_EMBEDDING_MODEL: ${(error as Error).message}` };
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
          throw new OperatorError(
            'undeliverable',
            `no ${result.reportTo.platform} front end is running to report ${result.id}; start BAT OS with ${result.reportTo.platform} configured to report it`,
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
 * Tells a method's owner what its repair did, where they last used it (see
 * `core/uvm/method-repair.ts`); BAT OS's own methods, and an owner who cannot be reached
 * there, are told in each front end's admin channel. At the console the log line the
 * heartbeat writes is the notice.
 */
function repairTeller(
  frontEnds: readonly FrontEnd[],
  settings: Settings,
): (notice: RepairNotice) => Promise<void> {
  const adminChannels = new Map<string, string | undefined>([
    ['discord', settings.discord?.access.adminChannel],
    ['slack', settings.slack?.access.adminChannel],
  ]);
  return async (notice) => {
    const reply = textReply(notice.kept ? 'ok' : 'error', notice.text);
    const { audience } = notice;
    if (audience.kind === 'owner') {
      const frontEnd = frontEnds.find((f) => f.name === audience.platform);
      const told = await frontEnd
        ?.announce(
          {
            channel: audience.channel,
            ...(audience.thread === undefined ? {} : { thread: audience.thread }),
          },
          reply,
        )
        .then(
          () => true,
          () => false,
        );
      if (told === true || audience.platform === 'console') return;
    }
    for (const frontEnd of frontEnds) {
      const channel = adminChannels.get(frontEnd.name);
      if (channel !== undefined) await frontEnd.announce({ channel }, reply);
    }
  };
}

/** The problem a failed open of the image is: a file to fix (78), or one to wait for (69). */
function imageOpenProblem(error: ImageError): Finding {
  return {
    status: 'problem',
    variable: 'BATOS_IMAGE',
    line: `BATOS_IMAGE: ${error.message}`,
    transient: error.code === 'locked' || error.code === 'unavailable',
  };
}

/**
 * Discord as this process's part of it: the one shard a ShardingManager spawned it for, the
 * manager of every shard (BATOS_DISCORD_SHARDS), or one connection for everything.
 * (discord.js loads only here, when Discord is configured.)
 */
async function startDiscordPart(
  config: DiscordConfig,
  shard: ShardIdentity | undefined,
  bot: Bot,
  ledger: FrontEndLedger,
  log: Logger,
): Promise<FrontEnd> {
  const { startDiscord, startDiscordShards } = await import('./adapters/discord/index.ts');
  const personas = PERSONA_NAMES;
  if (shard !== undefined) return startDiscord(config, bot, log, { ledger, shard, personas });
  if (config.shards === undefined) return startDiscord(config, bot, log, { ledger, personas });
  return startDiscordShards({
    config,
    shards: config.shards,
    // Each shard is this program again, as this process runs it: built (dist/main.js), or
    // from the sources with tsx as an import hook.
    ...(import.meta.url.endsWith('.ts')
      ? {
          script: fileURLToPath(new URL('./main.ts', import.meta.url)),
          execArgv: ['--import', 'tsx'],
        }
      : { script: fileURLToPath(new URL('./main.js', import.meta.url)), execArgv: [] }),
    log,
  });
}

/**
 * Loads the model, starts the front ends and serves the opened image until stopped.
 * Resolves with the exit code: 1 when piped console input had a line that failed.
 */
async function serve(
  settings: Settings,
  image: Image,
  log: Logger,
  {
    appDir,
    version,
    noModel,
    embedder,
    setPhase,
  }: {
    appDir: string;
    version: { version: string; revision: string };
    /** The checks found no usable model: serve without one. */
    noModel: boolean;
    /** The embedding model that ranks recall beside full-text search, if one is set. */
    embedder: Embedder | undefined;
    setPhase: (phase: Phase) => void;
  },
): Promise<number> {
  const { core, shard } = settings;
  const runner = new QuickJsMethodRunner(
    core.sandboxWorkers === undefined ? {} : { workers: core.sandboxWorkers },
  );
  const loaded = noModel
    ? { reason: howToGetAModel(settings.mind.model, settings.mind.modelsDir) }
    : await loadMind(settings.mind, log);
  const mind = 'reason' in loaded ? undefined : loaded;
  const noModelReason = 'reason' in loaded ? loaded.reason : undefined;
  const uvm = new Uvm({
    image,
    runner,
    primitives: personaPrimitives({ image, loraDir: core.loraDir }),
    quotas: core.quotas,
    sendsPerPerson: core.sendsPerPerson,
    methodAttempts: core.methodAttempts,
    slotRules: [personaSlotRule(PERSONA_PROTOTYPE_NAME)],
    ...(mind
      ? {
          writer: limitGenerations(
            new MindMethodWriter(mind, runner, settings.mind.sequences),
            core.generationLimit,
          ),
        }
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
    memory: embedder === undefined ? core.memory : { ...core.memory, embedder },
    maxThreadsPerUser: core.quotas.maxThreadsPerUser,
    turnsAtOnce: settings.mind.sequences,
  });
  const frontEnds: FrontEnd[] = [];
  const heartbeat =
    core.auditIntervalMinutes > 0 && shard === undefined
      ? startHeartbeat({
          uvm,
          intervalMs: core.auditIntervalMinutes * 60_000,
          log,
          checkMethod,
          ...(core.repairAfterFailures > 0
            ? {
                repair: {
                  afterFailures: core.repairAfterFailures,
                  tell: repairTeller(frontEnds, settings),
                },
              }
            : {}),
        })
      : undefined;
  const retention =
    shard === undefined
      ? startRetention({
          uvm,
          retention: core.historyRetention,
          intervalMs: RETENTION_INTERVAL_MS,
          log,
        })
      : undefined;

  // Hono loads only when the image browser is turned on.
  const browserPart =
    settings.browser === undefined ? undefined : await import('./adapters/browser/index.ts');
  const signIns =
    settings.browser === undefined || browserPart === undefined
      ? undefined
      : new browserPart.SignIns(uvm.signIns, {
          linkMinutes: settings.browser.linkMinutes,
          sessionHours: settings.browser.sessionHours,
        });
  const bot = new Bot({
    uvm,
    log,
    backupDir: core.backupDir,
    sendLimit: core.sendLimit,
    parserLimits: core.parserLimits,
    conversation,
    personaHelp: PERSONA_HELP,
    ...(signIns === undefined ? {} : { browser: signIns }),
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

  // Before the chat front ends: a `browse` link needs the address it listens on.
  const browser: Browser | undefined =
    settings.browser === undefined || browserPart === undefined || signIns === undefined
      ? undefined
      : await browserPart.startBrowser(
          settings.browser,
          bot,
          signIns,
          log,
          PERSONA_NAMES.map((name) => name.toLowerCase()),
          AUDITOR.toLowerCase(),
          (file) => adapterChecksum(core.loraDir, file),
        );
  // The front ends keep their ledger in the image directly: the bot and the UVM add nothing.
  const { ledger } = image;
  if (settings.discord)
    frontEnds.push(await startDiscordPart(settings.discord, shard, bot, ledger, log));
  if (settings.slack) {
    // Bolt loads only when Slack is configured.
    const { startSlack } = await import('./adapters/slack/index.ts');
    frontEnds.push(await startSlack(settings.slack, bot, log, { ledger }));
  }

  let resultPoll: NodeJS.Timeout | undefined;
  let reporting = Promise.resolve();
  let stopping: Promise<void> | undefined;
  let markStopped = () => {};
  const stopped = new Promise<void>((resolve) => (markStopped = resolve));
  const shutdown = (why: string): Promise<void> =>
    (stopping ??= (async () => {
      setPhase('stopping');
      rmSync(core.healthFile, { force: true });
      log.info(`shutting down (${why}): finishing sends in flight`);
      clearInterval(resultPoll);
      await reporting;
      await Promise.allSettled(frontEnds.map((f) => f.stop()));
      await browser?.stop();
      await heartbeat?.stop();
      await retention?.stop();
      await uvm.close();
      await mind?.close();
      await embedder?.close();
      log.info('image closed; goodbye');
      markStopped();
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void shutdown(signal).then(() => process.exit(0)));
  process.on('message', (message) => {
    if (message === 'shutdown') void shutdown('shutdown message').then(() => process.exit(0));
  });

  if (shard === undefined)
    await writeHealthFile(core.healthFile, {
      ...version,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      ready: true,
      objects: image.countObjects(),
    });
  log.info(
    `ready: BAT OS ${version.version}, image ${image.location} (${image.countObjects()} objects), chat front ends: ${shard === undefined ? frontEnds.map((f) => f.name).join(', ') || 'none' : `Discord shard ${shard.id} of ${shard.count}`}`,
  );
  // The console starts last, so its prompt is not buried under the start-up log.
  const wantConsole =
    shard === undefined &&
    (core.console === 'on' || (core.console === 'auto' && frontEnds.length === 0));
  const consoleFrontEnd = wantConsole
    ? startConsole(bot, {
        input: process.stdin,
        output: process.stdout,
        interactive: process.stdin.isTTY === true,
        sender: { id: userInfo().username, name: userInfo().username, isAdmin: core.consoleAdmin },
        historyFile: join(core.dataDir, 'console_history'),
        logStream: process.stderr,
      })
    : undefined;
  if (consoleFrontEnd) frontEnds.push(consoleFrontEnd);
  setPhase('ready');
  process.send?.('ready');
  // Results come after a restart, and for dry runs while the bot keeps running: look now and
  // every few seconds.
  const results = upgradeLayout(core.upgradeDir).results;
  const upgradeKey = core.upgradeKey;
  // The manager of Discord shards reports for them; its Discord front end posts over REST.
  if (upgradeKey !== undefined && shard === undefined) {
    await reportUpgradeResults(results, upgradeKey, frontEnds, log);
    resultPoll = setInterval(() => {
      reporting = reporting.then(() => reportUpgradeResults(results, upgradeKey, frontEnds, log));
    }, 5_000).unref();
  }

  if (consoleFrontEnd) {
    // The console ends at end of piped input, or when the operator quits: then BAT OS stops.
    const { failed } = await consoleFrontEnd.finished;
    await shutdown(process.stdin.isTTY ? 'console closed' : 'end of input');
    return failed > 0 && process.stdin.isTTY !== true ? 1 : 0;
  } else {
    // Chat front ends only: stay up until a signal or pm2's shutdown message.
    const keepAlive = setInterval(() => {}, 1 << 30);
    await stopped;
    clearInterval(keepAlive);
    return 0;
  }
}

/** What `main` read before the checks: the settings, the command, the version. */
export interface StartRequest {
  readonly values: SettingValues;
  readonly env: Env;
  /** Whether BATOS_IMAGE was set (else the default image is used, and said so). */
  readonly imageSet: boolean;
  /** The settings file beside the environment, checked for who may read it. */
  readonly envFile: string;
  /** `--check`: run the start's checks, print them, and stop. */
  readonly check: boolean;
  readonly appDir: string;
  readonly version: { version: string; revision: string };
  readonly log: Logger;
}

/**
 * Runs the very checks a start runs; with `check`, prints them and resolves with the exit
 * code; otherwise opens the image and serves until stopped.
 */
export async function start({
  values,
  env,
  imageSet,
  envFile,
  check,
  appDir,
  version,
  log,
}: StartRequest): Promise<number> {
  const settings = settingsFrom(values, env);
  // A shard's manager checked the health port and the logins; here they would count twice.
  const isShard = settings.shard !== undefined;
  const findings = await preflight({
    imageLocation: settings.core.imageLocation,
    imageSet,
    mind: settings.mind,
    embeddingModel: settings.embedder?.model,
    loraDir: settings.core.loraDir,
    envFile,
    fileCheck: values.BATOS_FILE_CHECK,
    health:
      values.BATOS_HEALTH_PORT === undefined || isShard
        ? undefined
        : { host: values.BATOS_HEALTH_HOST, port: values.BATOS_HEALTH_PORT },
    discord: isShard ? undefined : settings.discord,
    slack: settings.slack,
    browser: settings.browser,
  });
  const problems = findings.filter((f) => f.status === 'problem');
  const warnings = findings.filter((f) => f.status === 'warning');
  if (check) {
    for (const finding of findings) process.stdout.write(`${finding.status}: ${finding.line}\n`);
    const warned = warnings.length === 0 ? '' : ` (${warnings.length} warning(s): see above)`;
    process.stdout.write(
      problems.length === 0
        ? `All checks passed${warned}: BAT OS can start.\n`
        : `${problems.length} to fix before BAT OS can start.\n`,
    );
    return problems.length === 0 ? 0 : exitFor(problems);
  }
  if (problems.length > 0) {
    refuseStart(
      problems.map((p) => p.line),
      values.BATOS_LOG_FORMAT,
    );
    return exitFor(problems);
  }
  // Each warning is said once; with no usable model none is loaded.
  const noModel = warnings.some((f) => f.variable === 'BATOS_MODEL');
  for (const warning of warnings)
    log.warn(warning.variable === 'BATOS_MODEL' ? `no model: ${warning.line}` : warning.line);
  if (process.versions.node.startsWith('20.'))
    log.warn(
      `Node ${process.versions.node} is past its end of life (April 2026): BAT OS runs on it, but Node 24 gets security fixes and starts BAT OS about 3× faster (README, "Which Node").`,
    );
  const { embedder, problem: embedderProblem } = await loadEmbedder(settings.embedder);
  if (embedderProblem !== undefined) {
    refuseStart([embedderProblem], values.BATOS_LOG_FORMAT);
    return EXIT.config;
  }
  let phase: Phase = 'starting';
  let endpoint: HealthEndpoint | undefined;
  // The manager of Discord shards answers for them all; a shard has no endpoint of its own.
  if (values.BATOS_HEALTH_PORT !== undefined && settings.shard === undefined) {
    try {
      endpoint = await startHealthEndpoint(
        { host: values.BATOS_HEALTH_HOST, port: values.BATOS_HEALTH_PORT },
        () => phase,
      );
    } catch (error) {
      // Taken between the check and now.
      refuseStart(
        [
          `BATOS_HEALTH_PORT=${values.BATOS_HEALTH_PORT}: cannot listen on ${values.BATOS_HEALTH_HOST} (${(error as Error).message}); choose a free port, or unset it.`,
        ],
        values.BATOS_LOG_FORMAT,
      );
      await embedder?.close();
      return EXIT.config;
    }
    log.info(`health endpoint: http://${values.BATOS_HEALTH_HOST}:${endpoint.port}/readyz`);
  }
  // A health file left by an earlier process would say "ready" for this one. (A shard's
  // manager owns it.)
  if (!isShard) rmSync(settings.core.healthFile, { force: true });
  let image: Image;
  try {
    image = await Image.open(settings.core.imageLocation, {
      cacheBytes: settings.core.cacheMegabytes << 20,
    });
  } catch (error) {
    if (!(error instanceof ImageError)) throw error;
    const problem = imageOpenProblem(error);
    refuseStart([problem.line], values.BATOS_LOG_FORMAT);
    await endpoint?.close();
    await embedder?.close();
    return exitFor([problem]);
  }
  const code = await serve(settings, image, log, {
    appDir,
    version,
    noModel,
    embedder,
    setPhase: (next) => (phase = next),
  });
  await endpoint?.close();
  return code;
}
