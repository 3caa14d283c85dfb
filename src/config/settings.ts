/**
 * Every setting BAT OS reads, once: its kind of value, default, whether it is secret, its
 * group and what it is for. Parsing, `--help`, `.env.example` and the README's configuration
 * table all come from this table; adding a setting is adding one entry.
 *
 * Each default is written once: here, or, where the module that uses it needs it without the
 * table too (its own fallback, tests, tools), as that module's named constant (`DEFAULT_…`)
 * that the entry refers to. A choice among a list the code keeps (log levels, persona names)
 * refers to that list.
 */
import { DEFAULT_LINK_MINUTES, DEFAULT_SESSION_HOURS } from '../adapters/browser/config.ts';
import { PERSON_PRINCIPAL } from '../core/access/principal.ts';
import { DEFAULT_QUOTAS } from '../core/access/quotas.ts';
import {
  DEFAULT_MODEL,
  DEFAULT_SEQUENCES,
  DEFAULT_SERVER_TIMEOUT_MS,
} from '../core/mind/config.ts';
import {
  DEFAULT_REQUEST_EXPIRY_MS,
  DEFAULT_UPGRADE_DIR,
  MIN_KEY_LENGTH,
} from '../core/upgrade/index.ts';
import { DEFAULT_PARSER_LIMITS } from '../core/uvm/parser.ts';
import { DEFAULT_HISTORY_RETENTION } from '../core/uvm/retention.ts';
import { SENDS_AT_ONCE } from '../core/uvm/send-gate.ts';
import { DEFAULT_REPAIR_AFTER_FAILURES } from '../core/uvm/method-repair.ts';
import { DEFAULT_METHOD_ATTEMPTS } from '../core/uvm/method-writer.ts';
import { fairShare } from '../core/fairness/index.ts';
import { DEFAULT_CACHE_BYTES } from '../core/image/object-cache.ts';
import { isPostgresLocation } from '../core/image/postgres/location.ts';
import { LOG_FORMATS, LOG_LEVELS } from '../core/log.ts';
import { DEFAULT_HISTORY_LIMITS } from '../personas/history.ts';
import {
  DEFAULT_MEMORY_KEEP,
  DEFAULT_RECALL_MIN_SIMILARITY,
  DEFAULT_RECALL_TOKENS,
} from '../personas/memory/limits.ts';
import { DEFAULT_PERSONA, PERSONA_NAMES, type PersonaName } from '../personas/names.ts';
import {
  autoOrInteger,
  boolean,
  choice,
  id,
  idList,
  integer,
  port,
  serverList,
  text,
  token,
  url,
  type ValueType,
} from './value-types.ts';

/** The groups `--help` and the docs list settings under, in this order. */
export const GROUPS = {
  image: 'Image and files',
  console: 'Console',
  limits: 'Limits for chat users',
  access: 'Who may do what, and quotas',
  model: 'Model',
  personas: 'Personas',
  operations: 'Logs and health',
  browser: 'Image browser',
  upgrades: 'Upgrades and the steward',
  discord: 'Discord',
  slack: 'Slack',
} as const;

/** One setting. Without `default`, an unset setting reads as `undefined`. */
export interface Setting<T> {
  readonly group: keyof typeof GROUPS;
  readonly type: ValueType<T>;
  readonly default?: T;
  /** The default in words, when it is worked out at start (from another setting, the machine). */
  readonly defaultText?: string;
  /** Never shown: not in a problem, a log or `--help`'s current values. */
  readonly secret?: boolean;
  /** What it is for, one sentence. */
  readonly help: string;
}

/** The command that makes an upgrade key, quoted in every message about a missing one. */
export const MAKE_UPGRADE_KEY = `node -p "require('node:crypto').randomBytes(32).toString('hex')"`;

const SNOWFLAKE = /^\d{1,20}$/;

/** More shards than a bot on Discord's largest tier uses; beyond it a count is a typo. */
const MAX_DISCORD_SHARDS = 16_384;

const DISCORD_IDS = 'Discord ids (numbers; Developer Mode on, then right-click → Copy ID)';
const SLACK_ID = /^[A-Z0-9]{2,}$/;
const SLACK_USER_IDS = 'Slack user ids (U…; profile → ⋮ → Copy member ID)';
const SLACK_CHANNEL_IDS = 'Slack channel ids (C… or G…; channel details → bottom of About)';

export const SETTINGS = {
  // Image and files
  BATOS_IMAGE: {
    group: 'image',
    type: text('a file path or a postgres:// URL'),
    default: 'data/live_image.db',
    help: 'The image: a SQLite file for one process (its folder must exist; data/ is made when this is unset), or a PostgreSQL URL (postgres://user:password@host/db) that many BAT OS processes share (docs/scale.md).',
  },
  BATOS_BACKUP_DIR: {
    group: 'image',
    type: text('a folder path'),
    defaultText: 'backups/ beside the image',
    help: 'Where `backup` writes.',
  },
  BATOS_HISTORY_MAX_BYTES: {
    group: 'image',
    type: integer(1 << 20, 2 ** 50),
    default: DEFAULT_HISTORY_RETENTION.maxBytes,
    help: 'Bytes the history may hold (each change before and after); past them the oldest transactions are forgotten, down to 90 %, with their undo.',
  },
  BATOS_HISTORY_KEEP_DAYS: {
    group: 'image',
    type: integer(0, 36_500),
    default: DEFAULT_HISTORY_RETENTION.keepDays,
    help: 'Days of history kept: older transactions are forgotten, with their undo; 0 keeps them however old.',
  },
  BATOS_HEALTH_FILE: {
    group: 'image',
    type: text('a file path'),
    defaultText: 'health.json beside the image',
    help: 'Written when the bot is ready, removed when it stops; the steward reads it.',
  },
  BATOS_FILE_CHECK: {
    group: 'image',
    type: choice(['refuse', 'warn']),
    default: 'refuse',
    help: 'When .env or the image file may be read by other users: refuse to start (naming the chmod that fixes it), or warn and start.',
  },
  // Console
  BATOS_CONSOLE: {
    group: 'console',
    type: choice(['auto', 'on', 'off']),
    default: 'auto',
    help: 'The console front end: auto runs it when no chat front end is configured.',
  },
  BATOS_CONSOLE_ADMIN: {
    group: 'console',
    type: boolean(),
    default: true,
    help: 'Whether the console user is an admin in the admin channel.',
  },
  // Limits
  BATOS_SENDS_PER_MINUTE: {
    group: 'limits',
    type: integer(1, 100_000),
    default: 30,
    help: 'Sends per chat user per minute.',
  },
  BATOS_SEND_BURST: {
    group: 'limits',
    type: integer(1, 100_000),
    default: 10,
    help: 'Sends a chat user may make at once before the per-minute rate applies.',
  },
  BATOS_GENERATIONS_PER_MINUTE: {
    group: 'limits',
    type: integer(1, 10_000),
    default: 4,
    help: 'Methods the model writes per chat user per minute.',
  },
  BATOS_GENERATION_BURST: {
    group: 'limits',
    type: integer(1, 10_000),
    default: 3,
    help: 'Methods a chat user may have written at once.',
  },
  BATOS_METHOD_ATTEMPTS: {
    group: 'limits',
    type: integer(1, 10),
    default: DEFAULT_METHOD_ATTEMPTS,
    help: 'Methods the model may write for one send: a method that fails its checks or its first run goes back to the model with the error, until one passes or this many failed. Only one that passes is kept.',
  },
  BATOS_REPAIR_AFTER_FAILURES: {
    group: 'limits',
    type: integer(0, 1_000),
    default: DEFAULT_REPAIR_AFTER_FAILURES,
    help: 'Failures of a kept method after which ALFRED’s heartbeat has the model repair it; a repair that answers its recorded calls is kept as a new version, and the owner told. 0: never.',
  },
  BATOS_SENDS_PER_PERSON: {
    group: 'limits',
    type: integer(1, SENDS_AT_ONCE),
    default: fairShare(SENDS_AT_ONCE),
    help: `Sends one person may have running at once, of the ${SENDS_AT_ONCE} that run side by side; more wait their turn. The default leaves a slot free while two people hold theirs.`,
  },
  BATOS_SANDBOX_WORKERS: {
    group: 'limits',
    type: integer(1, 64),
    defaultText: "the machine's cores, at least 3 and at most 8",
    help: "Worker threads that run methods side by side; one person's methods hold at most (workers − 1) / 2 of them (at least 1), so one person's stuck methods never hold up everyone.",
  },
  BATOS_MAX_MESSAGE_LENGTH: {
    group: 'limits',
    type: integer(16, 100_000),
    default: DEFAULT_PARSER_LIMITS.maxMessageLength,
    help: 'The longest message, in characters.',
  },
  // Who may do what, and quotas
  BATOS_PROGRAMMERS: {
    group: 'access',
    type: idList(PERSON_PRINCIPAL, 'platform:user id pairs (discord:123, slack:U024BE7LH)'),
    defaultText: 'everyone',
    help: 'Who may define methods by hand; everyone when unset.',
  },
  BATOS_MAX_VALUE_BYTES: {
    group: 'access',
    type: integer(256, 64 << 20),
    default: DEFAULT_QUOTAS.maxValueBytes,
    help: 'The largest value one slot may hold, and the largest argument of a message, in bytes of its JSON.',
  },
  BATOS_MAX_OBJECT_BYTES: {
    group: 'access',
    type: integer(1024, 256 << 20),
    default: DEFAULT_QUOTAS.maxObjectBytes,
    help: 'The largest object, all its slots together, in bytes.',
  },
  BATOS_MAX_OBJECT_SLOTS: {
    group: 'access',
    type: integer(8, 1_000_000),
    default: DEFAULT_QUOTAS.maxObjectSlots,
    help: 'The most slots one object may have.',
  },
  BATOS_MAX_SEND_BYTES: {
    group: 'access',
    type: integer(1024, 1 << 30),
    default: DEFAULT_QUOTAS.maxSendBytes,
    help: 'The most bytes one send may write, every write counted.',
  },
  BATOS_MAX_SEND_OBJECTS: {
    group: 'access',
    type: integer(1, 1_000_000),
    default: DEFAULT_QUOTAS.maxSendObjects,
    help: 'The most objects one send may create.',
  },
  BATOS_MAX_OBJECTS_PER_USER: {
    group: 'access',
    type: integer(0, 100_000_000),
    default: DEFAULT_QUOTAS.maxObjectsPerUser,
    help: 'The most objects one person may own (admins and the system are not counted).',
  },
  BATOS_MAX_NAMES_PER_USER: {
    group: 'access',
    type: integer(0, 1_000_000),
    default: DEFAULT_QUOTAS.maxNamesPerUser,
    help: 'The most root names one person may hold, so nobody fills the shared name table (admins are not counted).',
  },
  BATOS_MAX_THREADS_PER_USER: {
    group: 'access',
    type: integer(1, 10_000_000),
    default: DEFAULT_QUOTAS.maxThreadsPerUser,
    help: 'The most conversation threads one person may start (admins are not counted).',
  },
  BATOS_MAX_HISTORY_BYTES_PER_DAY: {
    group: 'access',
    type: integer(1024, 2 ** 50),
    default: DEFAULT_QUOTAS.maxHistoryBytesPerDay,
    help: 'The most bytes one person’s transactions may add to history in a UTC day (admins and the system are not bounded).',
  },
  BATOS_MAX_DEPTH: {
    group: 'access',
    type: integer(2, 1_000),
    default: DEFAULT_QUOTAS.maxDepth,
    help: 'The deepest nesting of arrays and objects in a value: for storing, rendering and history.',
  },
  BATOS_CACHE_MB: {
    group: 'access',
    type: integer(16, 1_000_000),
    default: DEFAULT_CACHE_BYTES >> 20,
    help: 'Megabytes of objects (their stored form) kept in memory.',
  },
  // Model
  BATOS_MODEL: {
    group: 'model',
    type: text('a .gguf path or an hf:user/repo:quant URI'),
    default: DEFAULT_MODEL,
    help: 'The model: Llama 3.1 8B Instruct Q4_K_M unless set.',
  },
  BATOS_MODELS_DIR: {
    group: 'model',
    type: text('a folder path'),
    default: 'models',
    help: 'Where downloaded models and their checksum caches live.',
  },
  BATOS_GPU: {
    group: 'model',
    type: choice(['auto', 'false', 'cuda', 'vulkan', 'metal']),
    default: 'auto',
    help: 'The llama.cpp backend; false runs on the CPU.',
  },
  BATOS_THREADS: {
    group: 'model',
    type: integer(1, 1024),
    defaultText: "the machine's cores",
    help: "CPU threads llama.cpp may use. On a small or shared machine try fewer: llama.cpp's threads wait for one another at every step, so one that loses its core stalls the rest.",
  },
  BATOS_CONTEXT_SIZE: {
    group: 'model',
    type: integer(256, 1_048_576),
    default: 4096,
    help: 'Tokens per conversation thread (context sequence).',
  },
  BATOS_SEQUENCES: {
    group: 'model',
    type: integer(1, 64),
    default: DEFAULT_SEQUENCES,
    help: 'Conversation threads per persona context, each with its own KV cache, decoded together.',
  },
  BATOS_MEMORY_BUDGET_MB: {
    group: 'model',
    type: integer(1, 16_777_216),
    default: 4096,
    help: 'Memory all persona contexts may take together (weights not included).',
  },
  BATOS_GENERATION_TIMEOUT_MS: {
    group: 'model',
    type: integer(1, 86_400_000),
    default: 120_000,
    help: 'The longest one generation may take.',
  },
  BATOS_MAX_METHOD_TOKENS: {
    group: 'model',
    type: integer(16, 1_048_576),
    default: 512,
    help: 'Tokens for one generated method (at most BATOS_CONTEXT_SIZE).',
  },
  BATOS_MAX_REPLY_TOKENS: {
    group: 'model',
    type: integer(1, 1_048_576),
    default: 512,
    help: 'Tokens for one persona reply (at most BATOS_CONTEXT_SIZE).',
  },
  BATOS_MIND_URL: {
    group: 'model',
    type: serverList(),
    default: [] as readonly string[],
    defaultText: 'none: the model runs in this process',
    help: 'The llama-server base URLs (comma-separated) that serve the mind instead of BATOS_MODEL.',
  },
  BATOS_MIND_TIMEOUT_MS: {
    group: 'model',
    type: integer(1, 3_600_000),
    default: DEFAULT_SERVER_TIMEOUT_MS,
    help: 'How long a server may take to start answering before it is skipped for a while.',
  },
  BATOS_EMBEDDING_MODEL: {
    group: 'model',
    type: text('a .gguf path'),
    defaultText: 'none: recall ranks by full-text search alone',
    help: 'An embedding model (GGUF) that ranks recall beside full-text search: memories near a message in meaning are recalled too. It runs in this process, also with BATOS_MIND_URL; a bad file stops the start.',
  },
  // Personas
  BATOS_LORA_DIR: {
    group: 'personas',
    type: text('a folder path'),
    default: 'lora',
    help: 'The personas’ LoRA adapters.',
  },
  BATOS_DEFAULT_PERSONA: {
    group: 'personas',
    type: choice(PERSONA_NAMES.map((name) => name.toLowerCase() as Lowercase<PersonaName>)),
    default: DEFAULT_PERSONA.toLowerCase() as Lowercase<PersonaName>,
    help: 'Who answers free text nobody else fits.',
  },
  BATOS_HISTORY_TURNS: {
    group: 'personas',
    type: integer(1, 1_000),
    default: DEFAULT_HISTORY_LIMITS.maxTurns,
    help: 'Conversation turns remembered per thread.',
  },
  BATOS_HISTORY_CHARS: {
    group: 'personas',
    type: integer(200, 1_000_000),
    default: DEFAULT_HISTORY_LIMITS.maxChars,
    help: 'Characters of conversation remembered per thread.',
  },
  BATOS_MEMORY_KEEP: {
    group: 'personas',
    type: integer(1, 10_000),
    default: DEFAULT_MEMORY_KEEP,
    help: 'Memories kept per person (`remember that …`); past it the oldest are forgotten, and the person is told which (docs/memory.md).',
  },
  BATOS_MEMORY_NOTICE: {
    group: 'personas',
    type: boolean(),
    default: true,
    help: "Whether, after a persona's turn, the model may choose one sentence the person wrote about themselves (`I …`, `My …`) to keep as their memory; the reply says so. Off: only `remember that …` keeps anything.",
  },
  BATOS_RECALL_TOKENS: {
    group: 'personas',
    type: integer(0, 100_000),
    default: DEFAULT_RECALL_TOKENS,
    help: "Tokens a persona's prompt may gain per turn from recall: the person's memories and the thread's older turns that match the message (about 4 characters a token); 0 recalls nothing.",
  },
  BATOS_RECALL_MIN_SIMILARITY: {
    group: 'personas',
    type: integer(0, 100),
    default: DEFAULT_RECALL_MIN_SIMILARITY,
    help: 'How alike in meaning (cosine, in hundredths) a memory must be to a message to be recalled by BATOS_EMBEDDING_MODEL alone; 50 suits nomic-embed-text and bge-small; 0 recalls the nearest, related or not.',
  },
  BATOS_AUDIT_INTERVAL_MINUTES: {
    group: 'personas',
    type: integer(0, 10_080),
    default: 60,
    help: 'Minutes between ALFRED’s audits; 0 turns the heartbeat off.',
  },
  // Logs and health
  BATOS_LOG_LEVEL: {
    group: 'operations',
    type: choice(LOG_LEVELS),
    default: 'info',
    help: 'The least severe log lines written.',
  },
  BATOS_LOG_FORMAT: {
    group: 'operations',
    type: choice(LOG_FORMATS),
    default: 'text',
    help: 'Log lines as text, or one JSON object per line.',
  },
  BATOS_HEALTH_PORT: {
    group: 'operations',
    type: port(),
    help: 'Serve /healthz and /readyz over HTTP on this port; off when unset.',
  },
  BATOS_HEALTH_HOST: {
    group: 'operations',
    type: text('a host name or address'),
    default: '127.0.0.1',
    help: 'Where the health endpoint listens (loopback unless set).',
  },
  // The image browser
  BATOS_BROWSER_PORT: {
    group: 'browser',
    type: port(),
    help: 'Serve the image browser (a web inspector; people sign in with `browse` in a DM) on this port; off when unset.',
  },
  BATOS_BROWSER_HOST: {
    group: 'browser',
    type: text('a host name or address'),
    default: '127.0.0.1',
    help: 'Where the image browser listens (loopback unless set; put a reverse proxy with TLS in front for others, see docs/browser.md).',
  },
  BATOS_BROWSER_URL: {
    group: 'browser',
    type: url(),
    defaultText: 'http://host:port it listens on',
    help: "The address people open, as `browse` links start: the reverse proxy's https:// address when one serves the browser (the session cookie is then Secure).",
  },
  BATOS_BROWSER_LINK_MINUTES: {
    group: 'browser',
    type: integer(1, 60),
    default: DEFAULT_LINK_MINUTES,
    help: 'How long a `browse` link may wait to be opened; it signs in once.',
  },
  BATOS_BROWSER_SESSION_HOURS: {
    group: 'browser',
    type: integer(1, 720),
    default: DEFAULT_SESSION_HOURS,
    help: 'How long a browser session lasts; `browse logout` ends it sooner.',
  },
  // Upgrades and the steward
  BATOS_UPGRADE_KEY: {
    group: 'upgrades',
    type: token({
      minLength: MIN_KEY_LENGTH,
      remedy: `make one with: ${MAKE_UPGRADE_KEY}`,
    }),
    secret: true,
    help: 'Signs upgrade requests; shared by the bot and the steward. Upgrades are off without it.',
  },
  BATOS_UPGRADE_DIR: {
    group: 'upgrades',
    type: text('a folder path'),
    default: DEFAULT_UPGRADE_DIR,
    help: 'The folder the bot and the steward share.',
  },
  BATOS_APP_DIR: {
    group: 'upgrades',
    type: text('a folder path'),
    default: '.',
    help: 'Steward: the bot’s application folder, a git work tree.',
  },
  BATOS_PM2_APP: {
    group: 'upgrades',
    type: text('a pm2 app name'),
    default: 'batos',
    help: 'Steward: the bot’s pm2 app name.',
  },
  BATOS_READY_TIMEOUT_MS: {
    group: 'upgrades',
    type: integer(1, 86_400_000),
    default: 180_000,
    help: 'Steward: how long a restarted bot has to report ready.',
  },
  BATOS_STEWARD_RESCAN_MS: {
    group: 'upgrades',
    type: integer(1, 86_400_000),
    default: 5_000,
    help: 'Steward: how often it looks for requests it missed.',
  },
  BATOS_UPGRADE_REQUEST_EXPIRY_MS: {
    group: 'upgrades',
    type: integer(1_000, 86_400_000),
    default: DEFAULT_REQUEST_EXPIRY_MS,
    help: 'Steward: how long an upgrade request stays valid after it was issued; older ones are refused.',
  },
  // Discord
  DISCORD_TOKEN: {
    group: 'discord',
    type: token({
      remedy: 'paste the bot token from the Developer Portal (Bot → Reset Token) as is',
    }),
    secret: true,
    help: 'The bot token; the Discord front end runs when it is set.',
  },
  DISCORD_API_URL: {
    group: 'discord',
    type: url(),
    defaultText: 'Discord’s own',
    help: 'The REST base without /v10 (tests point it at a local server).',
  },
  DISCORD_LISTEN_CHANNELS: {
    group: 'discord',
    type: idList(SNOWFLAKE, DISCORD_IDS),
    help: 'Channels where every message is answered, not only mentions.',
  },
  DISCORD_ALLOWED_USERS: {
    group: 'discord',
    type: idList(SNOWFLAKE, DISCORD_IDS),
    help: 'Users who may talk to the bot; with DISCORD_ALLOWED_ROLES either admits, both unset: everyone.',
  },
  DISCORD_ALLOWED_ROLES: {
    group: 'discord',
    type: idList(SNOWFLAKE, DISCORD_IDS),
    help: 'Roles whose members may talk to the bot; with DISCORD_ALLOWED_USERS either admits.',
  },
  DISCORD_ALLOWED_CHANNELS: {
    group: 'discord',
    type: idList(SNOWFLAKE, DISCORD_IDS),
    help: 'Channels the bot answers in (threads count as their parent); all when unset. DMs follow the user and role lists.',
  },
  DISCORD_ADMIN_USERS: {
    group: 'discord',
    type: idList(SNOWFLAKE, DISCORD_IDS),
    help: 'Users who may run admin commands.',
  },
  DISCORD_ADMIN_CHANNEL: {
    group: 'discord',
    type: id(SNOWFLAKE, 'one Discord channel id'),
    help: 'The one channel where admins may upgrade.',
  },
  DISCORD_COMMANDS_GUILD: {
    group: 'discord',
    type: id(SNOWFLAKE, 'one Discord server (guild) id'),
    help: 'Register slash commands in this server (instant); globally when unset.',
  },
  DISCORD_REGISTER_COMMANDS: {
    group: 'discord',
    type: boolean(),
    default: true,
    help: 'Register the slash commands at start.',
  },
  BATOS_DISCORD_SHARDS: {
    group: 'discord',
    type: autoOrInteger(1, MAX_DISCORD_SHARDS),
    help: 'Discord in shard processes (ShardingManager); auto: as Discord advises. Needs the image on PostgreSQL.',
  },
  // Slack
  SLACK_BOT_TOKEN: {
    group: 'slack',
    type: token({
      prefix: 'xoxb-',
      remedy: 'copy the Bot User OAuth Token from OAuth & Permissions',
    }),
    secret: true,
    help: 'The bot token; the Slack front end runs when it is set.',
  },
  SLACK_APP_TOKEN: {
    group: 'slack',
    type: token({
      prefix: 'xapp-',
      remedy:
        'create an app-level token with connections:write under Basic Information, or unset it to use HTTP',
    }),
    secret: true,
    help: 'An app-level token: connect over Socket Mode instead of HTTP.',
  },
  SLACK_SIGNING_SECRET: {
    group: 'slack',
    type: token({ remedy: 'copy it from Basic Information → App Credentials' }),
    secret: true,
    help: 'Verifies Events API requests over HTTP (not needed with SLACK_APP_TOKEN).',
  },
  SLACK_PORT: {
    group: 'slack',
    type: port(),
    default: 3000,
    help: 'HTTP mode: where the Events API receiver listens.',
  },
  SLACK_HOST: {
    group: 'slack',
    type: text('a host name or address'),
    default: '127.0.0.1',
    help: 'HTTP mode: the address the receiver listens on (put a TLS proxy in front).',
  },
  SLACK_API_URL: {
    group: 'slack',
    type: url(),
    defaultText: 'Slack’s own',
    help: 'The Web API base, such as http://127.0.0.1:PORT/api/ (tests).',
  },
  SLACK_LISTEN_CHANNELS: {
    group: 'slack',
    type: idList(SLACK_ID, SLACK_CHANNEL_IDS),
    help: 'Channels where every message is answered, not only mentions.',
  },
  SLACK_ALLOWED_USERS: {
    group: 'slack',
    type: idList(SLACK_ID, SLACK_USER_IDS),
    help: 'Users who may talk to the bot; everyone when unset.',
  },
  SLACK_ALLOWED_CHANNELS: {
    group: 'slack',
    type: idList(SLACK_ID, SLACK_CHANNEL_IDS),
    help: 'Channels the bot answers in; all when unset. DMs follow the user list.',
  },
  SLACK_ADMIN_USERS: {
    group: 'slack',
    type: idList(SLACK_ID, SLACK_USER_IDS),
    help: 'Users who may run admin commands.',
  },
  SLACK_ADMIN_CHANNEL: {
    group: 'slack',
    type: id(SLACK_ID, 'one Slack channel id (C…)'),
    help: 'The one channel where admins may upgrade.',
  },
  SLACK_PROCESS_BEFORE_RESPONSE: {
    group: 'slack',
    type: boolean(),
    default: false,
    help: 'HTTP mode: answer Slack only after the handler ran (for FaaS hosts).',
  },
} as const satisfies Record<string, Setting<unknown>>;

/** The name of a setting. */
export type SettingName = keyof typeof SETTINGS;

type ValueOf<S> =
  S extends Setting<infer T>
    ? S extends { readonly default: unknown }
      ? T
      : T | undefined
    : never;

/** Every setting's value: parsed, or its default. */
export type SettingValues = { readonly [K in SettingName]: ValueOf<(typeof SETTINGS)[K]> };

/**
 * Checks between settings, each naming the variable it is about: the problem, or
 * `undefined` when all is well.
 */
export const RELATIONS: readonly {
  readonly name: SettingName;
  readonly check: (values: SettingValues) => string | undefined;
}[] = [
  {
    name: 'SLACK_SIGNING_SECRET',
    check: (v) =>
      v.SLACK_BOT_TOKEN !== undefined &&
      v.SLACK_APP_TOKEN === undefined &&
      v.SLACK_SIGNING_SECRET === undefined
        ? 'is required for the HTTP Events API; copy it from Basic Information → App Credentials, or set SLACK_APP_TOKEN to use Socket Mode'
        : undefined,
  },
  {
    name: 'BATOS_DISCORD_SHARDS',
    check: (v) => {
      if (v.BATOS_DISCORD_SHARDS === undefined) return undefined;
      if (v.DISCORD_TOKEN === undefined)
        return 'needs DISCORD_TOKEN: shards are Discord gateway connections';
      return isPostgresLocation(v.BATOS_IMAGE)
        ? undefined
        : 'needs the image on PostgreSQL: each shard is a BAT OS process, and one process alone holds a SQLite image; set BATOS_IMAGE to a postgres:// URL (see docs/scale.md), or unset BATOS_DISCORD_SHARDS';
    },
  },
  ...(['BATOS_MAX_METHOD_TOKENS', 'BATOS_MAX_REPLY_TOKENS'] as const).map((name) => ({
    name,
    check: (v: SettingValues) =>
      v[name] > v.BATOS_CONTEXT_SIZE
        ? `must be at most BATOS_CONTEXT_SIZE (${v.BATOS_CONTEXT_SIZE})`
        : undefined,
  })),
];
