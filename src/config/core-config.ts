/** Settings of the core itself: where the image lives, who the console is, the limits. */
import { dirname, join } from 'node:path';
import type { RateLimit } from '../core/bot/rate-limit.ts';
import { DEFAULT_UPGRADE_DIR, defaultHealthFile, MIN_KEY_LENGTH } from '../core/upgrade/index.ts';
import { DEFAULT_PARSER_LIMITS, type ParserLimits } from '../core/uvm/parser.ts';
import type { EnvReader } from './env.ts';
import { DEFAULT_QUOTAS, type Quotas } from '../core/access/quotas.ts';

export interface CoreConfig {
  /** The image file (BATOS_IMAGE, default data/live_image.db). */
  readonly imagePath: string;
  /** Where `backup` writes (BATOS_BACKUP_DIR, default beside the image in backups/). */
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
  /** The folder shared with the steward (BATOS_UPGRADE_DIR, default data/upgrades). */
  readonly upgradeDir: string;
  /** The key that signs upgrade requests (BATOS_UPGRADE_KEY); upgrades are off without it. */
  readonly upgradeKey: string | undefined;
  /** The personas' LoRA adapters (BATOS_LORA_DIR, default lora). */
  readonly loraDir: string;
  /** Who answers free text the router cannot place (BATOS_DEFAULT_PERSONA, default ROBIN). */
  readonly defaultPersona: 'ROBIN' | 'BRICK' | 'BABS' | 'ALFRED';
  /** How much of a thread a persona remembers (BATOS_HISTORY_TURNS, BATOS_HISTORY_CHARS). */
  readonly historyTurns: number;
  readonly historyChars: number;
  /** Minutes between ALFRED's audits; 0 turns the heartbeat off (BATOS_AUDIT_INTERVAL_MINUTES). */
  readonly auditIntervalMinutes: number;
  /** Bounds on what one send or one person may add (BATOS_MAX_*). */
  readonly quotas: Quotas;
  /** Who may define methods by hand (BATOS_PROGRAMMERS); everyone when unset. */
  readonly programmers: ReadonlySet<string> | undefined;
  /** Megabytes of objects kept in memory (BATOS_CACHE_MB). */
  readonly cacheMegabytes: number;
}

function programmers(env: EnvReader): ReadonlySet<string> | undefined {
  const raw = env.optional('BATOS_PROGRAMMERS');
  if (raw === undefined) return undefined;
  const list = raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const bad = list.filter((p) => !/^[a-z]+:[\w.@-]{1,128}$/.test(p));
  if (bad.length > 0)
    env.problems.push(
      `BATOS_PROGRAMMERS lists ${bad.map((b) => JSON.stringify(b)).join(', ')}: give platform:user id pairs, comma-separated (discord:123456789,slack:U024BE7LH).`,
    );
  return new Set(list);
}

function quotas(env: EnvReader): Quotas {
  const q = DEFAULT_QUOTAS;
  return {
    maxValueBytes: env.integer('BATOS_MAX_VALUE_BYTES', q.maxValueBytes, {
      min: 256,
      max: 64 << 20,
    }),
    maxObjectBytes: env.integer('BATOS_MAX_OBJECT_BYTES', q.maxObjectBytes, {
      min: 1024,
      max: 256 << 20,
    }),
    maxObjectSlots: env.integer('BATOS_MAX_OBJECT_SLOTS', q.maxObjectSlots, {
      min: 8,
      max: 1_000_000,
    }),
    maxSendBytes: env.integer('BATOS_MAX_SEND_BYTES', q.maxSendBytes, { min: 1024, max: 1 << 30 }),
    maxSendObjects: env.integer('BATOS_MAX_SEND_OBJECTS', q.maxSendObjects, {
      min: 1,
      max: 1_000_000,
    }),
    maxObjectsPerUser: env.integer('BATOS_MAX_OBJECTS_PER_USER', q.maxObjectsPerUser, {
      min: 0,
      max: 100_000_000,
    }),
    maxDepth: env.integer('BATOS_MAX_DEPTH', q.maxDepth, { min: 2, max: 1_000 }),
  };
}

function upgradeKey(env: EnvReader): string | undefined {
  const key = env.optional('BATOS_UPGRADE_KEY');
  if (key !== undefined && key.length < MIN_KEY_LENGTH)
    env.problems.push(
      `BATOS_UPGRADE_KEY must be at least ${MIN_KEY_LENGTH} characters (for example: openssl rand -hex 32).`,
    );
  return key;
}

export function readCoreConfig(env: EnvReader): CoreConfig {
  const imagePath = env.string('BATOS_IMAGE', join('data', 'live_image.db'));
  return {
    imagePath,
    backupDir: env.string('BATOS_BACKUP_DIR', join(dirname(imagePath), 'backups')),
    console: env.choice('BATOS_CONSOLE', 'auto', ['auto', 'on', 'off'] as const),
    consoleAdmin: env.boolean('BATOS_CONSOLE_ADMIN', true),
    sendLimit: {
      perMinute: env.integer('BATOS_SENDS_PER_MINUTE', 30, { min: 1, max: 100_000 }),
      burst: env.integer('BATOS_SEND_BURST', 10, { min: 1, max: 100_000 }),
    },
    generationLimit: {
      perMinute: env.integer('BATOS_GENERATIONS_PER_MINUTE', 4, { min: 1, max: 10_000 }),
      burst: env.integer('BATOS_GENERATION_BURST', 3, { min: 1, max: 10_000 }),
    },
    parserLimits: {
      ...DEFAULT_PARSER_LIMITS,
      maxMessageLength: env.integer(
        'BATOS_MAX_MESSAGE_LENGTH',
        DEFAULT_PARSER_LIMITS.maxMessageLength,
        {
          min: 16,
          max: 100_000,
        },
      ),
    },
    healthFile: env.string('BATOS_HEALTH_FILE', defaultHealthFile(imagePath)),
    upgradeDir: env.string('BATOS_UPGRADE_DIR', DEFAULT_UPGRADE_DIR),
    upgradeKey: upgradeKey(env),
    loraDir: env.string('BATOS_LORA_DIR', 'lora'),
    defaultPersona: env
      .choice('BATOS_DEFAULT_PERSONA', 'robin', ['robin', 'brick', 'babs', 'alfred'] as const)
      .toUpperCase() as CoreConfig['defaultPersona'],
    historyTurns: env.integer('BATOS_HISTORY_TURNS', 20, { min: 1, max: 1_000 }),
    historyChars: env.integer('BATOS_HISTORY_CHARS', 4_000, { min: 200, max: 1_000_000 }),
    auditIntervalMinutes: env.integer('BATOS_AUDIT_INTERVAL_MINUTES', 60, { min: 0, max: 10_080 }),
    quotas: quotas(env),
    programmers: programmers(env),
    cacheMegabytes: env.integer('BATOS_CACHE_MB', 256, { min: 16, max: 1_000_000 }),
  };
}
