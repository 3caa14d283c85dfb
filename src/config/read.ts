/**
 * Reading the settings table out of an environment map: every bad value is found in one
 * pass, and each becomes one line naming the variable (secrets never repeated).
 */
import { CodedError } from '../core/errors.ts';
import { RELATIONS, SETTINGS, type SettingName, type SettingValues } from './settings.ts';

/** The environment as a composition root passes it in. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * - `invalid`: a value is malformed, out of range or contradicts another setting;
 * - `missing`: a setting a program cannot run without is unset.
 */
export type SettingsErrorCode = 'invalid' | 'missing';

/**
 * Every bad setting at once; `problems` has one line per variable. The message lists them
 * under a headline unless the caller gives its own.
 */
export class SettingsError extends CodedError<SettingsErrorCode> {
  override readonly name = 'SettingsError';
  constructor(
    code: SettingsErrorCode,
    readonly problems: readonly string[],
    message = `BAT OS cannot start; fix these settings:\n  ${problems.join('\n  ')}`,
  ) {
    super(code, message);
  }
}

const ALL_NAMES = Object.keys(SETTINGS) as SettingName[];

/** The raw value of `name`, or `undefined` when unset or blank. */
function rawValue(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

/** One line about `name`: its value (unless secret) and what is wrong. */
export function problemLine(name: SettingName, raw: string | undefined, problem: string): string {
  // Credentials inside a URL are secret whatever the setting: they are never repeated.
  const shown =
    raw === undefined || (SETTINGS[name] as { secret?: boolean }).secret === true
      ? name
      : `${name}=${JSON.stringify(raw.replace(/\/\/[^/@\s]*@/g, '//…@'))}`;
  return `${shown} ${problem}.`;
}

/**
 * Parses every setting in `env`: the values (a bad one reads as its default) and one problem
 * line per bad variable among `names` (all settings unless given).
 */
export function parseSettings(
  env: Env,
  names: readonly SettingName[] = ALL_NAMES,
): { values: SettingValues; problems: string[] } {
  const values: Record<string, unknown> = {};
  const problems = new Map<SettingName, string>();
  for (const name of ALL_NAMES) {
    const setting = SETTINGS[name] as {
      default?: unknown;
      type: (typeof SETTINGS)[SettingName]['type'];
    };
    const raw = rawValue(env, name);
    values[name] = setting.default;
    if (raw === undefined) continue;
    const parsed = setting.type.parse(raw);
    if (parsed.ok) values[name] = parsed.value;
    else problems.set(name, problemLine(name, raw, parsed.problem));
  }
  const read = values as SettingValues;
  for (const { name, check } of RELATIONS) {
    if (problems.has(name)) continue;
    const problem = check(read);
    if (problem !== undefined) problems.set(name, problemLine(name, rawValue(env, name), problem));
  }
  return { values: read, problems: names.flatMap((name) => problems.get(name) ?? []) };
}

/**
 * Parses every setting in `env`. Throws a {@link SettingsError} listing every bad value
 * among `names` (all settings unless given).
 */
export function readSettings(env: Env, names: readonly SettingName[] = ALL_NAMES): SettingValues {
  const { values, problems } = parseSettings(env, names);
  if (problems.length > 0) throw new SettingsError('invalid', problems);
  return values;
}
