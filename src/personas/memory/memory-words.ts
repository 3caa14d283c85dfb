/**
 * The words that ask about memory, the same whether a persona is named (`ROBIN, remember
 * that …`) or not: `remember that …`, `what do you remember about me?`, `forget 2`,
 * `forget tea`, `forget everything`. A deterministic rule: the model never decides what is
 * kept or forgotten.
 */

/** What a message asks of the person's memory. */
export type MemoryRequest =
  | { readonly kind: 'remember'; readonly text: string }
  | { readonly kind: 'list' }
  | { readonly kind: 'forget'; readonly which: 'everything' | number | string };

const REMEMBER = /^(?:please\s+)?remember\s+that\s+(.+)$/isu;
const LIST =
  /^(?:what\s+do\s+you\s+remember(?:\s+about\s+me)?|what\s+do\s+you\s+know\s+about\s+me|what\s+have\s+you\s+remembered(?:\s+about\s+me)?|(?:list\s+)?my\s+memories)\s*[?.!]*$/iu;
const FORGET_ALL = /^forget\s+(?:everything|all)(?:\s+about\s+me)?\s*[.!]*$/iu;
const FORGET_NUMBER = /^forget\s+#?(\d{1,6})\s*[.!]*$/iu;
const FORGET_TEXT = /^forget\s+(?:that\s+|about\s+)?(.+?)\s*[.!]*$/isu;

/** The memory request `text` makes, if any (`text` without the persona's name). */
export function memoryRequest(text: string): MemoryRequest | undefined {
  const trimmed = text.trim();
  const remember = REMEMBER.exec(trimmed);
  if (remember) return { kind: 'remember', text: remember[1]!.trim().replace(/[.!]+$/u, '') };
  if (LIST.test(trimmed)) return { kind: 'list' };
  if (FORGET_ALL.test(trimmed)) return { kind: 'forget', which: 'everything' };
  const number = FORGET_NUMBER.exec(trimmed);
  if (number) return { kind: 'forget', which: Number(number[1]) };
  const words = FORGET_TEXT.exec(trimmed);
  if (words) return { kind: 'forget', which: words[1]! };
  return undefined;
}
