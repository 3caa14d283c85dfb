/**
 * `npm run models:pull [-- URI]`: downloads the configured model (BATOS_MODEL, default
 * Llama 3.1 8B Instruct Q4_K_M) into BATOS_MODELS_DIR with a progress bar. An interrupted
 * download resumes where it stopped when run again.
 */
import { MindError, parseMindConfig, pullModel } from '../src/core/mind/index.ts';

try {
  const config = parseMindConfig(process.env);
  const model = process.argv[2] ?? config.model;
  const path = await pullModel(model, config.modelsDir, { showProgress: true });
  process.stdout.write(`Model ready: ${path}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof MindError ? error.message : String(error)}\n`);
  process.exit(1);
}
