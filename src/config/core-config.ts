/** Settings of the core itself: where the image lives, who the console is, the limits. */
import { dirname, join } from 'node:path';
import type { RateLimit } from '../core/bot/rate-limit.ts';
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
    healthFile: env.string('BATOS_HEALTH_FILE', join(dirname(imagePath), 'health.json')),
  };
}
