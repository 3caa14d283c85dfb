/** Settings of the core itself: where the image lives, who the console is, the limits. */
import { dirname, join } from 'node:path';
import type { RateLimit } from '../core/bot/rate-limit.ts';
import { DEFAULT_UPGRADE_DIR, defaultHealthFile, MIN_KEY_LENGTH } from '../core/upgrade/index.ts';
import { DEFAULT_PARSER_LIMITS, type ParserLimits } from '../core/uvm/parser.ts';
import type { EnvReader } from './env.ts';

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
  };
}
