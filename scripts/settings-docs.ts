/**
 * `npm run settings:docs`: writes `.env.example` and the README's configuration table from
 * the settings table (src/config/settings.ts). A test fails when they are out of step.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import { envExample, README_MARKERS, readmeTable } from '../src/config/docs.ts';
import { OperatorError } from '../src/core/errors.ts';
import { parseCommandLine } from './cli.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const README = path.join(ROOT, 'README.md');
export const ENV_EXAMPLE = path.join(ROOT, '.env.example');

/** `readme` with the text between the markers replaced by the table, laid out by Prettier. */
export async function readmeWithTable(readme: string): Promise<string> {
  const start = readme.indexOf(README_MARKERS.start);
  const end = readme.indexOf(README_MARKERS.end);
  if (start < 0 || end < start)
    throw new OperatorError(
      'bad-file',
      `README.md lacks the markers ${README_MARKERS.start} … ${README_MARKERS.end}; put them back where the settings table goes`,
    );
  const options = (await prettier.resolveConfig(README)) ?? {};
  const table = await prettier.format(readmeTable(), { ...options, parser: 'markdown' });
  return `${readme.slice(0, start + README_MARKERS.start.length)}\n\n${table}\n${readme.slice(end)}`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  parseCommandLine({
    usage: 'npm run settings:docs',
    help: `Writes .env.example and the configuration table in README.md from the settings table
(src/config/settings.ts): edit that, then run this. A test fails while they differ.`,
    options: {},
  });
  writeFileSync(ENV_EXAMPLE, envExample());
  writeFileSync(README, await readmeWithTable(readFileSync(README, 'utf8')));
  process.stdout.write('wrote .env.example and the configuration table in README.md\n');
}
