/**
 * `npm run models:pull [-- URI]`: downloads the configured model (BATOS_MODEL, default
 * Llama 3.1 8B Instruct Q4_K_M) into BATOS_MODELS_DIR with a progress bar. An interrupted
 * download resumes where it stopped when run again.
 */
import { MindError, parseMindConfig, pullModel } from '../src/core/mind/index.ts';
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

try {
  const config = parseMindConfig(process.env);
  const model = uri ?? config.model;
  const path = await pullModel(model, config.modelsDir, { showProgress: true });
  process.stdout.write(`Model ready: ${path}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof MindError ? error.message : String(error)}\n`);
  process.exit(1);
}
