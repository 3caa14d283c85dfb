/**
 * `npm run models:pull [-- URI]`: downloads the configured model (BATOS_MODEL, default
 * Llama 3.1 8B Instruct Q4_K_M) into BATOS_MODELS_DIR with a progress bar. An interrupted
 * download resumes where it stopped when run again.
 */
import { existsSync } from 'node:fs';
import { readSettings, SettingsError } from '../src/config/read.ts';
import { MindError, pullModel } from '../src/core/mind/index.ts';
import { parseCommandLine } from './cli.ts';

const [uri] = parseCommandLine({
  usage: 'npm run models:pull -- [URI]',
  help: `Downloads a model into BATOS_MODELS_DIR (default models/) with a progress bar, so the
first start need not. URI is a Hugging Face URI (hf:user/repo:quant) or an https:// URL;
without one, BATOS_MODEL's (default Llama 3.1 8B Instruct Q4_K_M). An interrupted
download resumes where it stopped.`,
  options: {},
  positionals: { max: 1 },
}).positionals;

if (existsSync('.env')) process.loadEnvFile('.env');
try {
  const settings = readSettings(process.env, ['BATOS_MODEL', 'BATOS_MODELS_DIR']);
  const model = uri ?? settings.BATOS_MODEL;
  const path = await pullModel(model, settings.BATOS_MODELS_DIR, { showProgress: true });
  process.stdout.write(`Model ready: ${path}\n`);
} catch (error) {
  const known = error instanceof MindError || error instanceof SettingsError;
  process.stderr.write(`${known ? error.message : String(error)}\n`);
  process.exit(1);
}
