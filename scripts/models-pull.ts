/**
 * `npm run models:pull [-- URI]`: downloads the configured model (BATOS_MODEL, default
 * Llama 3.1 8B Instruct Q4_K_M) into BATOS_MODELS_DIR with a progress bar. An interrupted
 * download resumes where it stopped when run again.
 */
import { existsSync } from 'node:fs';
import { readSettings, SettingsError } from '../src/config/read.ts';
import { MindError, pullModel } from '../src/core/mind/index.ts';

const USAGE = 'usage: npm run models:pull [-- hf:user/repo:quant | https://…/model.gguf]';
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(
    `${USAGE}\nDownloads BATOS_MODEL (or the URI given) into BATOS_MODELS_DIR.\n`,
  );
  process.exit(0);
}
if (args.length > 1 || args.some((arg) => arg.startsWith('-'))) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
if (existsSync('.env')) process.loadEnvFile('.env');
try {
  const settings = readSettings(process.env, ['BATOS_MODEL', 'BATOS_MODELS_DIR']);
  const model = args[0] ?? settings.BATOS_MODEL;
  const path = await pullModel(model, settings.BATOS_MODELS_DIR, { showProgress: true });
  process.stdout.write(`Model ready: ${path}\n`);
} catch (error) {
  const known = error instanceof MindError || error instanceof SettingsError;
  process.stderr.write(`${known ? error.message : String(error)}\n`);
  process.exit(1);
}
