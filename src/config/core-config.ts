/** Settings of the core itself: where the image lives, who the console is, the limits. */
import { join } from 'node:path';
import type { RateLimit } from '../core/bot/rate-limit.ts';
import { dataFolder, defaultHealthFile } from '../core/upgrade/index.ts';
import { DEFAULT_PARSER_LIMITS, type ParserLimits } from '../core/uvm/parser.ts';
import type { Quotas } from '../core/access/quotas.ts';
import type { HistoryRetention } from '../core/uvm/retention.ts';
import type { PersonaName } from '../personas/names.ts';
import type { SettingValues } from './settings.ts';

export interface CoreConfig {
  /** The image: a SQLite file or a PostgreSQL URL (BATOS_IMAGE). */
  readonly imageLocation: string;
  /** BAT OS's own files: beside a SQLite image, else data/. */
  readonly dataDir: string;
  /** Where `backup` writes (BATOS_BACKUP_DIR). */
  readonly backupDir: string;
  /** Whether to run the console: `auto` runs it when no chat front end is configured. */
  readonly console: 'auto' | 'on' | 'off';
  /** Whether the console user is an admin in the admin channel (BATOS_CONSOLE_ADMIN). */
  readonly consoleAdmin: boolean;
  /** Per-user limit on sends from chat platforms. */
  readonly sendLimit: RateLimit;
  /** Per-user limit on methods written by the model. */
  readonly generationLimit: RateLimit;
  readonly parserLimits: ParserLimits;
  /** Where the bot writes its health file for the steward (BATOS_HEALTH_FILE). */
  readonly healthFile: string;
  /** The folder shared with the steward (BATOS_UPGRADE_DIR). */
  readonly upgradeDir: string;
  /** The key that signs upgrade requests (BATOS_UPGRADE_KEY); upgrades are off without it. */
  readonly upgradeKey: string | undefined;
  /** The personas' LoRA adapters (BATOS_LORA_DIR). */
  readonly loraDir: string;
  /** Who answers free text the router cannot place (BATOS_DEFAULT_PERSONA). */
  readonly defaultPersona: PersonaName;
  /** How much of a thread a persona remembers (BATOS_HISTORY_TURNS, BATOS_HISTORY_CHARS). */
  readonly historyTurns: number;
  readonly historyChars: number;
  /** What each person's memory keeps and a turn recalls (BATOS_MEMORY_*, BATOS_RECALL_*). */
  readonly memory: {
    readonly keep: number;
    readonly recallTokens: number;
    readonly notice: boolean;
    /** Cosine similarity, 0 to 1 (BATOS_RECALL_MIN_SIMILARITY is in hundredths). */
    readonly minSimilarity: number;
  };
  /** Minutes between ALFRED's audits; 0 turns the heartbeat off (BATOS_AUDIT_INTERVAL_MINUTES). */
  readonly auditIntervalMinutes: number;
  /** Bounds on what one send or one person may add (BATOS_MAX_*). */
  readonly quotas: Quotas;
  /** How much history is kept (BATOS_HISTORY_MAX_BYTES, BATOS_HISTORY_KEEP_DAYS). */
  readonly historyRetention: HistoryRetention;
  /** Who may define methods by hand (BATOS_PROGRAMMERS); everyone when unset. */
  readonly programmers: ReadonlySet<string> | undefined;
  /** Megabytes of objects kept in memory (BATOS_CACHE_MB). */
  readonly cacheMegabytes: number;
  /** Sends one person may have running at once (BATOS_SENDS_PER_PERSON). */
  readonly sendsPerPerson: number;
  /** Methods the model may write for one send (BATOS_METHOD_ATTEMPTS). */
  readonly methodAttempts: number;
  /** Failures after which the heartbeat repairs a method; 0: never (BATOS_REPAIR_AFTER_FAILURES). */
  readonly repairAfterFailures: number;
  /** Sandbox worker threads (BATOS_SANDBOX_WORKERS); the machine decides when unset. */
  readonly sandboxWorkers: number | undefined;
}

/** The core's settings, from the values read out of the table. */
export function coreConfig(values: SettingValues): CoreConfig {
  const imageLocation = values.BATOS_IMAGE;
  const dataDir = dataFolder(imageLocation);
  return {
    imageLocation,
    dataDir,
    backupDir: values.BATOS_BACKUP_DIR ?? join(dataDir, 'backups'),
    console: values.BATOS_CONSOLE,
    consoleAdmin: values.BATOS_CONSOLE_ADMIN,
    sendLimit: { perMinute: values.BATOS_SENDS_PER_MINUTE, burst: values.BATOS_SEND_BURST },
    generationLimit: {
      perMinute: values.BATOS_GENERATIONS_PER_MINUTE,
      burst: values.BATOS_GENERATION_BURST,
    },
    parserLimits: {
      ...DEFAULT_PARSER_LIMITS,
      maxMessageLength: values.BATOS_MAX_MESSAGE_LENGTH,
      maxArgumentBytes: values.BATOS_MAX_VALUE_BYTES,
    },
    healthFile: values.BATOS_HEALTH_FILE ?? defaultHealthFile(imageLocation),
    upgradeDir: values.BATOS_UPGRADE_DIR,
    upgradeKey: values.BATOS_UPGRADE_KEY,
    loraDir: values.BATOS_LORA_DIR,
    defaultPersona: values.BATOS_DEFAULT_PERSONA.toUpperCase() as PersonaName,
    historyTurns: values.BATOS_HISTORY_TURNS,
    historyChars: values.BATOS_HISTORY_CHARS,
    memory: {
      keep: values.BATOS_MEMORY_KEEP,
      recallTokens: values.BATOS_RECALL_TOKENS,
      notice: values.BATOS_MEMORY_NOTICE,
      minSimilarity: values.BATOS_RECALL_MIN_SIMILARITY / 100,
    },
    auditIntervalMinutes: values.BATOS_AUDIT_INTERVAL_MINUTES,
    quotas: {
      maxValueBytes: values.BATOS_MAX_VALUE_BYTES,
      maxObjectBytes: values.BATOS_MAX_OBJECT_BYTES,
      maxObjectSlots: values.BATOS_MAX_OBJECT_SLOTS,
      maxSendBytes: values.BATOS_MAX_SEND_BYTES,
      maxSendObjects: values.BATOS_MAX_SEND_OBJECTS,
      maxObjectsPerUser: values.BATOS_MAX_OBJECTS_PER_USER,
      maxNamesPerUser: values.BATOS_MAX_NAMES_PER_USER,
      maxThreadsPerUser: values.BATOS_MAX_THREADS_PER_USER,
      maxHistoryBytesPerDay: values.BATOS_MAX_HISTORY_BYTES_PER_DAY,
      maxDepth: values.BATOS_MAX_DEPTH,
    },
    historyRetention: {
      maxBytes: values.BATOS_HISTORY_MAX_BYTES,
      keepDays: values.BATOS_HISTORY_KEEP_DAYS,
    },
    programmers: values.BATOS_PROGRAMMERS,
    cacheMegabytes: values.BATOS_CACHE_MB,
    sendsPerPerson: values.BATOS_SENDS_PER_PERSON,
    methodAttempts: values.BATOS_METHOD_ATTEMPTS,
    repairAfterFailures: values.BATOS_REPAIR_AFTER_FAILURES,
    sandboxWorkers: values.BATOS_SANDBOX_WORKERS,
  };
}
