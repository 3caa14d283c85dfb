/**
 * The checks before load, as an operator meets them: `npm start` and `npm start -- --check`
 * against the local Discord and Slack servers. Every bad setting is one line naming the
 * variable, comes before any model loads, exits non-zero and writes nothing.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../src/start-refusal.ts';
import { FakeDiscord } from './support/fake-discord.ts';
import { FakeSlack } from './support/fake-slack.ts';
import { forged } from './support/forged.ts';
import { freshPostgresDatabase } from './support/images.ts';
import { finished, REPO_ROOT, runBatos, type RunResult } from './support/run-batos.ts';
import { tempDir } from './support/temp.ts';

let discord: FakeDiscord;
let slack: FakeSlack;
beforeAll(async () => {
  [discord, slack] = await Promise.all([FakeDiscord.start(), FakeSlack.start()]);
  discord.rejectedTokens.add('abc');
  slack.rejectedTokens.add('xoxb-revoked');
  slack.rejectedTokens.add('xapp-revoked');
});
afterAll(async () => {
  await Promise.all([discord.close(), slack.close()]);
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The lines of `stderr` that name `variable`. */
const linesNaming = (text: string, variable: string): string[] =>
  text.split('\n').filter((line) => new RegExp(`\\b${variable}\\b`).test(line));

/** What must hold for every refused start: named once, before the model, nothing written. */
function expectRefused(run: RunResult, variable: string, image: string, code: number): void {
  expect(run.code, run.stderr).toBe(code);
  expect(linesNaming(run.stderr, variable), run.stderr).toHaveLength(1);
  expect(run.stderr).not.toMatch(/loading the model|no model:|ready:/);
  expect(run.stdout).toBe('');
  expect(existsSync(image)).toBe(false);
}

describe('npm start refuses bad settings before anything loads', () => {
  it('names every bad value at once, one line each, secrets unshown', async () => {
    const dir = tempDir();
    const image = join(dir, 'image.db');
    const run = await runBatos('genesis slotNames\n', {
      BATOS_IMAGE: image,
      BATOS_SENDS_PER_MINUTE: 'lots',
      BATOS_GPU: 'quantum',
      BATOS_CONSOLE: 'sometimes',
      BATOS_MAX_REPLY_TOKENS: '9000',
      BATOS_UPGRADE_KEY: 'short-key',
      DISCORD_TOKEN: 'abc def',
      DISCORD_ALLOWED_USERS: '123,alice',
      SLACK_BOT_TOKEN: 'xoxp-user-token',
      SLACK_PORT: '70000',
    });
    const named = [
      ['BATOS_SENDS_PER_MINUTE', /^ {2}BATOS_SENDS_PER_MINUTE="lots" must be a whole number/],
      ['BATOS_GPU', /^ {2}BATOS_GPU="quantum" must be one of: auto, false, cuda/],
      ['BATOS_CONSOLE', /^ {2}BATOS_CONSOLE="sometimes" must be one of: auto, on, off\.$/],
      ['BATOS_MAX_REPLY_TOKENS', /must be at most BATOS_CONTEXT_SIZE \(4096\)/],
      ['BATOS_UPGRADE_KEY', /^ {2}BATOS_UPGRADE_KEY must be at least 16 characters; make one/],
      ['DISCORD_TOKEN', /^ {2}DISCORD_TOKEN contains whitespace/],
      ['DISCORD_ALLOWED_USERS', /has "alice": it must be a comma-separated list of Discord ids/],
      ['SLACK_BOT_TOKEN', /^ {2}SLACK_BOT_TOKEN does not start with xoxb-/],
      ['SLACK_PORT', /^ {2}SLACK_PORT="70000" must be a port/],
    ] as const;
    for (const [variable, line] of named) {
      expect(
        linesNaming(run.stderr, variable).filter((l) => line.test(l)),
        run.stderr,
      ).toHaveLength(1);
    }
    expectRefused(run, 'BATOS_GPU', image, EXIT.config);
    for (const secret of ['short-key', 'abc def', 'xoxp-user-token'])
      expect(run.stderr).not.toContain(secret);
  });

  it('does not create a missing image folder', async () => {
    const dir = tempDir();
    const image = join(dir, 'nonexistent', 'dir', 'x.db');
    const run = await runBatos('', { BATOS_IMAGE: image });
    expectRefused(run, 'BATOS_IMAGE', image, EXIT.config);
    expect(run.stderr).toMatch(
      /the folder .*nonexistent\/dir does not exist; create it \(mkdir -p/,
    );
    expect(existsSync(join(dir, 'nonexistent'))).toBe(false);
  });

  it('says plainly when the image path runs under an ordinary file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'plain'), 'not a folder');
    const image = join(dir, 'plain', 'x.db');
    const run = await runBatos('', { BATOS_IMAGE: image, BATOS_SENDS_PER_MINUTE: '0' });
    // Reported together with the bad setting, each on its own line.
    expect(run.stderr).toMatch(/^ {2}BATOS_SENDS_PER_MINUTE="0" must be/m);
    expectRefused(run, 'BATOS_IMAGE', image, EXIT.config);
    expect(run.stderr).toMatch(/plain is an ordinary file, not a folder/);
    expect(run.stderr).not.toMatch(/EEXIST|ENOTDIR/);
  });

  it('says plainly when the image folder may not be written (EACCES)', async () => {
    const dir = tempDir();
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    const image = join(locked, 'x.db');
    // Root may write anywhere: without CAP_DAC_OVERRIDE (setpriv, util-linux) it may not,
    // like any user, and it can still run a Node that lives under /root.
    const node = [process.execPath, '--import', 'tsx', 'src/main.ts'];
    const [command, ...args] =
      process.getuid?.() === 0
        ? ['setpriv', '--bounding-set=-dac_override,-dac_read_search', ...node]
        : node;
    const child = spawn(command!, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, BATOS_IMAGE: image },
    });
    child.stdin.end();
    const run = await finished(child, 'BAT OS');
    expectRefused(run, 'BATOS_IMAGE', image, EXIT.config);
    expect(run.stderr).toMatch(/permission denied .*; run BAT OS as a user who may write there/);
    expect(readdirSync(locked)).toEqual([]);
  });

  it.each([
    {
      who: 'a DISCORD_TOKEN that Discord rejects',
      env: () => ({ DISCORD_TOKEN: 'abc', DISCORD_API_URL: discord.apiUrl }),
      variable: 'DISCORD_TOKEN',
      line: /DISCORD_TOKEN was rejected by Discord; paste the bot token/,
    },
    {
      who: 'a Slack bot token that Slack rejects',
      env: () => ({
        SLACK_BOT_TOKEN: 'xoxb-revoked',
        SLACK_SIGNING_SECRET: 'secret',
        SLACK_API_URL: slack.apiUrl,
      }),
      variable: 'SLACK_BOT_TOKEN',
      line: /SLACK_BOT_TOKEN was rejected by Slack \(invalid_auth\)/,
    },
    {
      // One line, not a warning repeated while Socket Mode never connects.
      who: 'a Slack app token that Slack rejects',
      env: () => ({
        SLACK_BOT_TOKEN: 'xoxb-good',
        SLACK_APP_TOKEN: 'xapp-revoked',
        SLACK_API_URL: slack.apiUrl,
      }),
      variable: 'SLACK_APP_TOKEN',
      line: /SLACK_APP_TOKEN was rejected by Slack \(invalid_auth\)/,
    },
  ])('$who fails fast, naming $variable', async ({ env, variable, line }) => {
    const dir = tempDir();
    const image = join(dir, 'image.db');
    const run = await runBatos('', { BATOS_IMAGE: image, ...env() });
    expectRefused(run, variable, image, EXIT.config);
    expect(run.stderr).toMatch(line);
    expect(run.stderr).not.toMatch(/revoked|\babc\b/);
  });

  it('a platform that does not answer is named too, with the exit code for "try later"', async () => {
    const dir = tempDir();
    const image = join(dir, 'image.db');
    const run = await runBatos('', {
      BATOS_IMAGE: image,
      SLACK_BOT_TOKEN: 'xoxb-good',
      SLACK_SIGNING_SECRET: 'a-signing-secret',
      SLACK_API_URL: `http://127.0.0.1:${await closedPort()}/api/`,
    });
    expectRefused(run, 'SLACK_BOT_TOKEN', image, EXIT.unavailable);
    expect(run.stderr).toMatch(
      /SLACK_BOT_TOKEN could not be checked: Slack .* did not answer .*ECONNREFUSED/,
    );
  });
});

describe('a PostgreSQL image', () => {
  it('--check connects to it and names it without the password', async () => {
    const url = new URL(await freshPostgresDatabase());
    url.password = 'pw-not-shown';
    const run = await runBatos('', { BATOS_IMAGE: url.toString() }, 60_000, ['--check']);
    expect(run.stdout).toMatch(/^ok: image: postgres:\/\/.*:\*\*\*@.* \(PostgreSQL answers\)$/m);
    expect(run.stdout + run.stderr).not.toContain('pw-not-shown');
  });

  it('a start against a server that does not answer is refused with "try later"', async () => {
    const dir = tempDir();
    const run = await runBatos('', {
      BATOS_IMAGE: `postgres://batos:pw-not-shown@127.0.0.1:${await closedPort()}/batos`,
    });
    expectRefused(run, 'BATOS_IMAGE', join(dir, 'never'), EXIT.unavailable);
    expect(run.stderr).toMatch(
      /BATOS_IMAGE: The image database postgres:\/\/batos:\*\*\*@.* cannot be reached/,
    );
    expect(run.stderr).not.toContain('pw-not-shown');
  });
});

describe('npm start -- --check', () => {
  it('passes with good tokens on both platforms and a usable model, and writes nothing', async () => {
    const files = await forged();
    const dir = tempDir();
    const image = join(dir, 'image.db');
    const env = {
      BATOS_IMAGE: image,
      BATOS_MODEL: files.model,
      DISCORD_TOKEN: 'good-token',
      DISCORD_API_URL: discord.apiUrl,
      SLACK_BOT_TOKEN: 'xoxb-good',
      SLACK_APP_TOKEN: 'xapp-good',
      SLACK_API_URL: slack.apiUrl,
    };
    const connectionsBefore = slack.callsOf('apps.connections.open').length;
    const run = await runBatos('', env, 60_000, ['--check']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^ok: image: /m);
    expect(run.stdout).toMatch(/^ok: model: .*\.gguf$/m);
    expect(run.stdout).toMatch(/^ok: Discord: logged in as /m);
    expect(run.stdout).toMatch(/^ok: Slack: bot token accepted, Socket Mode app token accepted$/m);
    expect(run.stdout).toMatch(/^All checks passed: BAT OS can start\.$/m);
    expect(slack.callsOf('apps.connections.open').length).toBe(connectionsBefore + 1);
    expect(existsSync(image)).toBe(false);
  });

  it('names each rejected token, warns of the missing model, and exits non-zero', async () => {
    const dir = tempDir();
    const run = await runBatos(
      '',
      {
        BATOS_IMAGE: join(dir, 'image.db'),
        BATOS_MODEL: join(dir, 'missing.gguf'),
        DISCORD_TOKEN: 'abc',
        DISCORD_API_URL: discord.apiUrl,
        SLACK_BOT_TOKEN: 'xoxb-revoked',
        SLACK_SIGNING_SECRET: 'secret',
        SLACK_API_URL: slack.apiUrl,
      },
      60_000,
      ['--check'],
    );
    expect(run.code, run.stdout + run.stderr).toBe(EXIT.config);
    expect(run.stdout).toMatch(/^ok: image: /m);
    // A start serves without a model, so --check only warns about it.
    expect(run.stdout).toMatch(/^warning: BATOS_MODEL=.*missing\.gguf.*npm run models:pull/m);
    expect(run.stdout).toMatch(/^problem: DISCORD_TOKEN was rejected by Discord/m);
    expect(run.stdout).toMatch(/^problem: SLACK_BOT_TOKEN was rejected by Slack/m);
    expect(run.stdout).toMatch(/^2 to fix before BAT OS can start\.$/m);
  });
});

describe('npm start -- --help, --version and unknown arguments', () => {
  it('--help lists every setting, grouped; --version names the revision; others get a usage line', async () => {
    const help = await runBatos('', {}, 60_000, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm start/);
    expect(help.stdout).toMatch(/^Discord:\n {2}DISCORD_TOKEN \(secret\)\n/m);
    expect(help.stdout).toMatch(/^ {2}BATOS_SENDS_PER_MINUTE = 30\n/m);

    const version = await runBatos('', {}, 60_000, ['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^BAT OS \d+\.\d+\.\d+ \(([0-9a-f]{40}|unknown)\)\n$/);

    const wrong = await runBatos('', {}, 60_000, ['--frobnicate']);
    expect(wrong.code).toBe(EXIT.usage);
    expect(wrong.stderr).toMatch(/Unknown option '--frobnicate'\nusage: npm start/);
  }, 180_000);
});
