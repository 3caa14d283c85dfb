/**
 * Entry point of the steward, the separate pm2 app that upgrades the bot. The only place in
 * the steward that reads the environment.
 */
import { existsSync } from 'node:fs';
import { upgradeLayout } from '../core/upgrade/index.ts';
import { connectPm2 } from './app-control.ts';
import { type StewardConfig, readStewardConfig } from './config.ts';
import { Steward } from './steward.ts';

// pm2 puts a timestamp on every log line (log_date_format in ecosystem.config.cjs).
const log = (line: string): void => console.log(line);

// Same convention as the bot: a .env in the working folder (the project root under pm2).
if (existsSync('.env')) process.loadEnvFile('.env');

const configOrExit = (): StewardConfig => {
  try {
    return readStewardConfig(process.env, process.cwd());
  } catch (error) {
    console.error(`steward: ${(error as Error).message}`);
    process.exit(1);
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
