/**
 * A scene: one message addressed to several personas at once (`ROBIN and BRICK, …`,
 * `Robin & Babs: …`), who then answer in turn in the thread. Each name is read as
 * `addressing.ts` reads one, joined by `and` or `&`; the last must be followed by punctuation
 * (`,` `:` `;` `!` `?` `.`), so that `Robin and brick walls…` stays a message to ROBIN.
 */
import { parseAddressing, type Addressable } from './addressing.ts';

/** A message to several personas: their names (in the order written, each once) and the rest. */
export interface Scene {
  readonly personas: readonly string[];
  readonly rest: string;
}

const JOINER = /^(?:and|&)\s+/iu;

/** The scene `text` opens, if it addresses two or more personas. */
export function parseScene(text: string, personas: readonly Addressable[]): Scene | undefined {
  const first = parseAddressing(text, personas);
  if (first === undefined) return undefined;
  const names = [first.persona];
  let rest = first.rest;
  for (let joined = JOINER.exec(rest); joined !== null; joined = JOINER.exec(rest)) {
    const after = rest.slice(joined[0].length);
    const next = parseAddressing(after, personas);
    if (next === undefined) return undefined;
    const head = after.slice(0, after.length - next.rest.length);
    const last = !JOINER.test(next.rest);
    if (last && next.rest !== '' && !/[,:;!?.]\s*$/u.test(head)) return undefined;
    if (!names.includes(next.persona)) names.push(next.persona);
    rest = next.rest;
  }
  return names.length > 1 ? { personas: names, rest } : undefined;
}
