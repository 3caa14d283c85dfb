import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shardFromEnv } from '../../src/adapters/discord/shard-identity.ts';
import { withinTimeout } from '../../src/adapters/chat/login-check.ts';
import { readSettings, SettingsError } from '../../src/config/read.ts';
import { checkMethodRules, MethodCheckError } from '../../src/core/analysis/index.ts';
import {
  CodedError,
  ImageError,
  InternalError,
  OperatorError,
  SendError,
} from '../../src/core/errors.ts';
import { MindError } from '../../src/core/mind/errors.ts';
import { checkMethodSource } from '../../src/core/sandbox/check.ts';
import { MethodSourceError, SandboxError } from '../../src/core/sandbox/index.ts';
import { adapterFile } from '../../src/personas/adapter-file.ts';
import { buildRouterPrompt } from '../../src/personas/router.ts';
import { readStewardConfig } from '../support/configs.ts';
import { tempDir } from '../support/temp.ts';

/** What `act` threw (it must throw). */
async function thrown(act: () => unknown): Promise<unknown> {
  try {
    await act();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

const SRC = join(import.meta.dirname, '..', '..', 'src');

/** Every .ts and .mjs file under `dir`. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|mjs)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

// Each family class, raised where BAT OS raises it where that is cheap to reach.
const table: ReadonlyArray<
  readonly [string, abstract new (...args: never[]) => CodedError<string>, () => unknown, string]
> = [
  ['SendError', SendError, () => Promise.reject(new SendError('parse', 'x')), 'parse'],
  ['ImageError', ImageError, () => Promise.reject(new ImageError('locked', 'x')), 'locked'],
  [
    'SandboxError',
    SandboxError,
    () => Promise.reject(new SandboxError('spread', 7, 'timeout', 'x')),
    'timeout',
  ],
  ['MethodSourceError', MethodSourceError, () => checkMethodSource('(self) => 1', 1000), 'shape'],
  ['MethodCheckError', MethodCheckError, () => checkMethodRules('not a method'), 'rejected'],
  ['SettingsError', SettingsError, () => readSettings({ BATOS_LOG_LEVEL: 'loud' }), 'invalid'],
  [
    'MindError',
    MindError,
    () =>
      adapterFile('lora', {
        oid: 1,
        name: 'ROBIN',
        aliases: [],
        role: '',
        voice: '',
        adapter: '../robin.gguf',
        scale: 1,
      }),
    'invalid-adapter',
  ],
  ['OperatorError', OperatorError, () => withinTimeout(new Promise(() => undefined), 1), 'timeout'],
  ['InternalError', InternalError, () => buildRouterPrompt('hi', []), 'invariant'],
];

describe('the error family', () => {
  it.each(table)('%s is a CodedError with its name and code', async (name, type, act, code) => {
    const error = await thrown(act);
    expect(error).toBeInstanceOf(type);
    expect(error).toBeInstanceOf(CodedError);
    expect(error).toMatchObject({ name, code });
    expect((error as Error).message).not.toBe('');
  });

  it('a sandbox failure reads its code as its reason too', async () => {
    const error = (await thrown(() =>
      checkMethodSource(42 as unknown as string, 1000),
    )) as MethodSourceError;
    expect(error.code).toBe('not-a-string');
    const failure = new SandboxError('spread', 7, 'memory', 'out of memory');
    expect(failure.reason).toBe(failure.code);
  });

  it('the steward names a missing upgrade key with the settings code missing', async () => {
    const error = await thrown(() => readStewardConfig({}, tempDir()));
    expect(error).toBeInstanceOf(SettingsError);
    expect(error).toMatchObject({ code: 'missing', problems: [expect.stringMatching(/KEY/)] });
    expect((error as Error).message).toMatch(/^BATOS_UPGRADE_KEY is not set: .* Make one with/);
  });

  it('a shard started with contradicting variables is an operator error', async () => {
    const env = { SHARDING_MANAGER: 'true', SHARDS: '4', SHARD_COUNT: '2' };
    expect(await thrown(() => shardFromEnv(env))).toMatchObject({
      name: 'OperatorError',
      code: 'bad-environment',
    });
  });

  it('every error class declared in src is in the family', () => {
    const family = new Set(['CodedError', ...table.map(([name]) => name)]);
    // The one exception: it never leaves the sandbox worker, which sends the host its reason.
    const workerOnly = new Set(['GuestFailure']);
    const declared: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const text = readFileSync(file, 'utf8');
      for (const [, name, base] of text.matchAll(/class (\w+)(?:<[^>]*>)? extends (\w+)/g)) {
        // CodedError is the root: it alone extends Error.
        if (!/(Error|Failure)$/.test(name!) || workerOnly.has(name!) || name === 'CodedError')
          continue;
        declared.push(`${relative(SRC, file)}: ${name} extends ${base}`);
        expect(family, `${name} in ${relative(SRC, file)}`).toContain(name);
        expect(family, `${name}'s base`).toContain(base);
      }
    }
    expect(declared.length).toBeGreaterThanOrEqual(family.size - 1);
  });
});
