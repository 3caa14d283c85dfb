/**
 * The script of a scripted forged model (`npm run forge -- --script FILE`): for each selector,
 * the method sources the model answers on successive requests to write it, broken ones
 * included, so the whole method loop (checks, retries, repair) runs on a real llama.cpp model.
 *
 * A request is told apart by what its prompt holds (a model is stateless): the selector it
 * asks for (`the method "double"`, as the covenant prompt's last line says) and how many earlier methods failed
 * (the prompt's last `Attempt N was this method:`). Entry k (from 0) answers a prompt that shows
 * k failed methods: entry 0 the first request, entry 1 the retry after one failure, and a
 * repair (whose prompt shows the broken kept method as attempt 1) the entry after the one kept.
 * The last entry answers every later request. A selector not in the script gets the base
 * model's answer, `display_yourself`.
 */
import { readFile } from 'node:fs/promises';

/** Each selector's answers, in the order they are given. */
export interface ForgeScript {
  readonly methods: Readonly<Record<string, readonly string[]>>;
}

/** Answers one selector may have: `Attempt 1` to `Attempt 9` are told apart. */
export const MAX_ANSWERS = 10;

/** What a script's selector may be: the covenant prompt quotes it whole. */
const SELECTOR = /^[A-Za-z_$][\w$]*$/u;

/** A script that is not what {@link parseForgeScript} accepts; the message says what to fix. */
export class ForgeScriptError extends Error {
  override readonly name = 'ForgeScriptError';
}

/**
 * Checks a parsed JSON value as a script: `{ "methods": { "<selector>": ["<source>", …] } }`,
 * each source a `function (self, …) { … }` expression (example lines may follow it), no source
 * given twice.
 */
export function parseForgeScript(value: unknown, where = 'the script'): ForgeScript {
  const fail = (why: string): never => {
    throw new ForgeScriptError(`${where}: ${why}`);
  };
  const methods = (value as { methods?: unknown } | null)?.methods;
  if (typeof methods !== 'object' || methods === null || Array.isArray(methods))
    fail('expected {"methods": {"<selector>": ["<source>", ...]}}');
  const entries = Object.entries(methods as Record<string, unknown>);
  if (entries.length === 0) fail('"methods" names no selector');
  const seen = new Map<string, string>();
  for (const [selector, answers] of entries) {
    if (!SELECTOR.test(selector))
      fail(`"${selector}" is not a selector (letters, digits, _ and $, not first a digit)`);
    if (!Array.isArray(answers) || answers.length === 0 || answers.length > MAX_ANSWERS)
      fail(`"${selector}" needs a list of 1 to ${MAX_ANSWERS} sources`);
    (answers as unknown[]).forEach((source, i) => {
      const at = `"${selector}" answer ${i + 1}`;
      if (typeof source !== 'string' || !/^function\s*\(/u.test(source))
        fail(`${at} must be a source starting "function (", as the model writes it`);
      const before = seen.get(source as string);
      if (before !== undefined)
        fail(`${at} is the same source as ${before}; make each differ (a space will do)`);
      seen.set(source as string, at);
    });
  }
  return { methods: methods as Record<string, string[]> };
}

/** Reads and checks the script in `path`. */
export async function readForgeScript(path: string): Promise<ForgeScript> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ForgeScriptError(`cannot read the script ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ForgeScriptError(`${path} is not JSON: ${(error as Error).message}`);
  }
  return parseForgeScript(value, path);
}
