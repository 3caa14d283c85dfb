/**
 * Entry point of the steward, the separate pm2 app that upgrades the bot. The only place in
 * the steward that reads the environment.
 */
import { existsSync } from 'node:fs';
import { createLogger } from '../core/log.ts';
import { upgradeLayout } from '../core/upgrade/index.ts';
import { connectPm2 } from './app-control.ts';
import { readSettings } from '../config/read.ts';
import { STEWARD_SETTINGS, stewardConfig } from '../config/steward-config.ts';
import type { StewardConfig } from '../config/steward-config.ts';
import { Steward } from './steward.ts';

// One timestamp per line, ours: pm2 adds none (ecosystem.config.js).
const logger = createLogger({ source: 'steward', write: (line) => process.stdout.write(line) });
const log = (line: string): void => logger.info(line);

// Same convention as the bot: a .env in the working folder (the project root under pm2).
if (existsSync('.env')) process.loadEnvFile('.env');

const configOrExit = (): StewardConfig => {
  try {
    return stewardConfig(readSettings(process.env, STEWARD_SETTINGS), {
      env: process.env,
      cwd: process.cwd(),
    });
  } catch (error) {
    logger.error((error as Error).message);
    // 78 (EX_CONFIG): pm2 does not restart on it (stop_exit_codes), so a missing key is one
    // clear message, not a crash loop.
    process.exit(78);
  }
};
const config = configOrExit();
const control = await connectPm2();
const steward = new Steward(
  { config, layout: upgradeLayout(config.upgradeDir), control, log },
  (error) => {
    log(
      `upgrade broke off, restarting to resume: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  },
);

const shutdown = (): void => {
  steward.stop();
  control.close();
  // An upgrade in progress resumes from the state file when the steward is started again.
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

await steward.start();
