import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envExample, helpText } from '../../src/config/docs.ts';
import { parseSettings, readSettings, SettingsError } from '../../src/config/read.ts';
import { GROUPS, SETTINGS, type SettingName } from '../../src/config/settings.ts';
import { ENV_EXAMPLE, README, readmeWithTable, ROOT } from '../../scripts/settings-docs.ts';

const NAMES = Object.keys(SETTINGS) as SettingName[];

/** A value each kind of setting refuses (text settings take anything). */
function badValue(name: SettingName): string | undefined {
  const describe = SETTINGS[name].type.describe;
  if (describe.startsWith('a secret')) return 'has a space';
  // A path (BATOS_IMAGE: "a file path or a postgres:// URL") takes any text.
  if (describe.includes('path')) return undefined;
  if (/whole number|port|true or false|one of|URL|id/.test(describe)) return 'not-valid!';
  return undefined;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|mts|js|mjs)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

describe('the settings table', () => {
  it('holds every setting the code names, and only the composition roots read process.env', () => {
    const files = [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'scripts'))];
    const named = new Set<string>();
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/['"`]((?:BATOS|DISCORD|SLACK)_[A-Z0-9_]+)['"`]/g))
        named.add(m[1]!);
      for (const m of text.matchAll(/\benv\.((?:BATOS|DISCORD|SLACK)_[A-Z0-9_]+)/g))
        named.add(m[1]!);
      if (/(?<![`'])process\.env\b/.test(text))
        expect([
          'src/main.ts',
          'src/steward/main.ts',
          'scripts/models-pull.ts',
          'scripts/eval.ts',
          'scripts/serve.ts',
          'scripts/llama-server.ts',
          // The user's cache folder (XDG_CACHE_HOME) is the system's convention, not a setting.
          'scripts/llama-server-cache.ts',
        ]).toContain(relative(ROOT, file));
    }
    expect([...named].filter((name) => !(name in SETTINGS))).toEqual([]);
  });

  it('gives every setting a group, help and a default its own type accepts', () => {
    for (const name of NAMES) {
      const setting = SETTINGS[name] as (typeof SETTINGS)[SettingName] & { default?: unknown };
      expect(Object.keys(GROUPS), name).toContain(setting.group);
      expect(setting.help, name).toMatch(/^[A-Z].*\.$/);
      if (setting.default !== undefined) {
        const parsed = setting.type.parse(String(setting.default));
        expect(parsed, name).toEqual({ ok: true, value: setting.default });
      }
    }
  });

  it('reads an empty environment as the defaults', () => {
    const values = readSettings({});
    expect(values.BATOS_IMAGE).toBe('data/live_image.db');
    expect(values.BATOS_SENDS_PER_MINUTE).toBe(30);
    expect(values.BATOS_CONSOLE_ADMIN).toBe(true);
    expect(values.BATOS_UPGRADE_KEY).toBeUndefined();
    expect(values.BATOS_HEALTH_PORT).toBeUndefined();
  });

  it('names every bad value at once, one line per variable, never showing a secret', () => {
    const env = Object.fromEntries(
      NAMES.flatMap((name) => {
        const value = badValue(name);
        return value === undefined ? [] : [[name, value]];
      }),
    );
    expect(Object.keys(env).length).toBeGreaterThan(30);
    const { problems } = parseSettings(env);
    expect(problems).toHaveLength(Object.keys(env).length);
    for (const [i, name] of Object.keys(env).entries()) {
      const secret = (SETTINGS[name as SettingName] as { secret?: boolean }).secret === true;
      expect(problems[i]).toMatch(new RegExp(`^${name}${secret ? ' ' : '="'}`));
      expect(problems[i]).toMatch(/\.$/);
      if (secret) expect(problems[i]).not.toContain('has a space');
    }
    expect(() => readSettings(env)).toThrow(SettingsError);
  });

  it('reads only the settings asked for, so the steward is not stopped by a bad Discord id', () => {
    const env = { DISCORD_ADMIN_CHANNEL: '#ops', BATOS_READY_TIMEOUT_MS: '5000' };
    expect(readSettings(env, ['BATOS_READY_TIMEOUT_MS']).BATOS_READY_TIMEOUT_MS).toBe(5000);
    expect(() => readSettings(env)).toThrow(/DISCORD_ADMIN_CHANNEL="#ops" must be one Discord/);
  });

  it('checks settings against each other', () => {
    expect(
      parseSettings({ BATOS_CONTEXT_SIZE: '512', BATOS_MAX_METHOD_TOKENS: '600' }).problems,
    ).toEqual(['BATOS_MAX_METHOD_TOKENS="600" must be at most BATOS_CONTEXT_SIZE (512).']);
    expect(parseSettings({ SLACK_BOT_TOKEN: 'xoxb-1' }).problems).toEqual([
      expect.stringMatching(/^SLACK_SIGNING_SECRET is required for the HTTP Events API/),
    ]);
    expect(
      parseSettings({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }).problems,
    ).toEqual([]);
  });

  it('refuses Discord shards over a SQLite image, saying why and what to do instead', () => {
    const discord = { DISCORD_TOKEN: 'secret-token', BATOS_DISCORD_SHARDS: '2' };
    expect(parseSettings({ ...discord, BATOS_IMAGE: 'data/live_image.db' }).problems).toEqual([
      'BATOS_DISCORD_SHARDS="2" needs the image on PostgreSQL: each shard is a BAT OS process, and one process alone holds a SQLite image; set BATOS_IMAGE to a postgres:// URL (see docs/scale.md), or unset BATOS_DISCORD_SHARDS.',
    ]);
    expect(parseSettings({ BATOS_DISCORD_SHARDS: 'auto' }).problems).toEqual([
      'BATOS_DISCORD_SHARDS="auto" needs DISCORD_TOKEN: shards are Discord gateway connections.',
    ]);
    for (const image of ['postgres://bot@db/batos', 'postgresql://bot@db:5432/batos']) {
      const { values, problems } = parseSettings({ ...discord, BATOS_IMAGE: image });
      expect(problems, image).toEqual([]);
      expect(values.BATOS_DISCORD_SHARDS).toBe(2);
    }
    const auto = parseSettings({
      ...discord,
      BATOS_DISCORD_SHARDS: 'AUTO',
      BATOS_IMAGE: 'postgres://db/b',
    });
    expect(auto.values.BATOS_DISCORD_SHARDS).toBe('auto');
    expect(parseSettings({ ...discord, BATOS_DISCORD_SHARDS: '0' }).problems).toEqual([
      'BATOS_DISCORD_SHARDS="0" must be auto, or a whole number from 1 to 16384.',
    ]);
    expect(parseSettings({}).values.BATOS_DISCORD_SHARDS).toBeUndefined();
  });
});

describe('what is written from the table', () => {
  it('.env.example is in step with the table (npm run settings:docs writes it)', () => {
    expect(readFileSync(ENV_EXAMPLE, 'utf8')).toBe(envExample());
    for (const name of NAMES) expect(envExample()).toMatch(new RegExp(`^# ${name}=`, 'm'));
  });

  it("the README's configuration table is in step with the table (npm run settings:docs writes it)", async () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toBe(await readmeWithTable(readme));
    for (const name of NAMES) expect(readme).toContain(`| \`${name}\``);
  });

  it('--help lists every setting under its group, secrets marked', () => {
    const help = helpText();
    for (const title of Object.values(GROUPS)) expect(help).toContain(`\n${title}:\n`);
    for (const name of NAMES) expect(help).toMatch(new RegExp(`^ {2}${name}\\b`, 'm'));
    expect(help).toMatch(/^ {2}SLACK_BOT_TOKEN \(secret\)$/m);
  });
});
