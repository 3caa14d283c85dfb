/**
 * The settings table in words: `npm start -- --help`, `.env.example` and the README's
 * configuration table. `npm run settings:docs` writes the files; a test keeps them in step.
 */
import { GROUPS, SETTINGS, type Setting, type SettingName } from './settings.ts';

interface Row {
  readonly name: SettingName;
  readonly setting: Setting<unknown>;
}

/** The settings of each group, in the table's order. */
function grouped(): [title: string, rows: Row[]][] {
  const rows = Object.entries(SETTINGS).map(([name, setting]) => ({ name, setting }) as Row);
  return Object.entries(GROUPS).map(([group, title]) => [
    title,
    rows.filter((row) => row.setting.group === group),
  ]);
}

/** The default as text: the fixed value, or how it is worked out; empty when there is none. */
function defaultText(setting: Setting<unknown>): string {
  if (setting.defaultText !== undefined) return setting.defaultText;
  return setting.default === undefined ? '' : String(setting.default);
}

/** What `npm start -- --help` prints. */
export function helpText(): string {
  const lines = [
    'Usage: npm start [-- --check | --help | --version]',
    '',
    '  --check    run the checks a start runs (the settings, the image, the model, the',
    '             adapters, who may read .env and the image, the health port, each chat',
    '             platform login), then exit: 0 when BAT OS can start, 78 when a setting',
    '             or a file must be fixed, 69 when a platform did not answer',
    '  --help     this text',
    '  --version  the version (package.json) and git revision',
    '',
    'Settings come from the environment, and from .env in the project folder',
    '(see .env.example). Each is listed with its default.',
  ];
  for (const [title, rows] of grouped()) {
    lines.push('', `${title}:`);
    for (const { name, setting } of rows) {
      const fallback = defaultText(setting);
      lines.push(
        `  ${name}${setting.secret ? ' (secret)' : ''}${fallback === '' ? '' : ` = ${fallback}`}`,
        `      ${setting.help} Value: ${setting.type.describe}.`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The checked-in `.env.example`: every setting, commented out at its default. */
export function envExample(): string {
  const lines = [
    '# BAT OS settings. Copy to .env and uncomment what you change; the environment wins over',
    '# .env. Written by `npm run settings:docs` from src/config/settings.ts: edit that, not this.',
  ];
  for (const [title, rows] of grouped()) {
    lines.push('', `# --- ${title} ---`);
    for (const { name, setting } of rows) {
      lines.push(
        '',
        `# ${setting.help}${setting.secret ? ' Secret.' : ''}`,
        `# Value: ${setting.type.describe}.${setting.defaultText === undefined ? '' : ` Default: ${setting.defaultText}.`}`,
        `# ${name}=${setting.default === undefined ? '' : String(setting.default)}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

const cell = (text: string): string => text.replaceAll('|', '\\|');

/** The README's configuration table, as Markdown (before Prettier lays it out). */
export function readmeTable(): string {
  const lines = ['| variable | default | value | meaning |', '| --- | --- | --- | --- |'];
  for (const [title, rows] of grouped()) {
    lines.push(`| **${title}** | | | |`);
    for (const { name, setting } of rows) {
      const fallback = defaultText(setting);
      const shown = fallback === '' ? '—' : setting.defaultText ? fallback : `\`${fallback}\``;
      const secret = setting.secret ? ' (secret)' : '';
      lines.push(
        `| \`${name}\`${secret} | ${cell(shown)} | ${cell(setting.type.describe)} | ${cell(setting.help)} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The markers around the generated table in README.md. */
export const README_MARKERS = {
  start: '<!-- settings table: written by npm run settings:docs -->',
  end: '<!-- end of settings table -->',
} as const;
