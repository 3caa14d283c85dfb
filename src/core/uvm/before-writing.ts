/**
 * Whether the model should write a method for a selector nobody understands, or the sender
 * is better answered at once. Two cases are answered, and nothing is written:
 *
 * - **A near miss.** The receiver understands a selector one edit away (two for selectors
 *   of seven letters or more; case counts as an edit, a swap of neighbours as one):
 *   `genesis slotNmes` → "did you mean `slotNames`?". Only selectors of objects the sender
 *   may read are offered.
 * - **A missing slot.** A lone selector (no arguments) shaped like a property — one word,
 *   or words joined by `_` or camel case, whose first word is not a verb: `color`, `size`,
 *   `fullName` — reads a slot that is not there: the reply says so and how to set it.
 *   `display_yourself`, `greet`, `frobnicate` (verbs) and any selector with arguments
 *   (`widget frobnicate 3`) still have the model write a method.
 *
 * A sender who wants a method anyway writes the selector with `()`: `genesis color()`.
 * Nested sends from methods never write methods, so the rule is about people's messages.
 */
import type { Authority } from '../access/authority.ts';
import { accessOf } from '../model/object-access.ts';
import { mayRead } from '../access/rights.ts';
import { SendError } from '../errors.ts';
import type { Transaction } from '../image/index.ts';
import { PARENT_SLOT, parentOids, type Oid } from '../model/value.ts';
import { editDistance } from '../text/edit-distance.ts';
import { nameOf } from '../model/name-table.ts';
import { visibleSlotNames } from './primitives.ts';

/** Words that start a method's selector: what an object is asked to do. */
const VERBS = new Set(
  `add answer apply ask build calculate call change check clean clear close compare compute
  convert copy count create decide delete describe display do double draw echo explain fetch
  fill find fix format get give go greet grow guess halve help hide increment invert join keep
  list load log look make merge move multiply name open order paint parse pick play print push
  put read remember remove rename render repeat reply reset resize reverse roll run save say
  scale search send set show shuffle sort speak split square start stop store sum swap take
  tell test toggle translate trim turn undo update use validate verify wave write`.split(/\s+/u),
);

/**
 * Verbs by their ending: `frobnicate`, `simplify`, `normalize`, `summarise` — long words only,
 * as short ones so ending are often things (`size`, `date`, `state`).
 */
const VERB_ENDING = /^.{4,}(?:ate|ify|ize|ise)$/u;

/** The selector's first word, lower case: `fullName` → `full`, `display_yourself` → `display`. */
function firstWord(selector: string): string {
  return (selector.split(/_|(?=\p{Lu})/u).find((w) => w !== '') ?? selector).toLowerCase();
}

/** Whether a lone `selector` reads as a property (`color`) rather than a request (`greet`). */
export function looksLikeProperty(selector: string): boolean {
  const first = firstWord(selector);
  return !VERBS.has(first) && !VERB_ENDING.test(first) && !/\d/u.test(first);
}

/** Every selector `receiver` understands that `authority` may see: its own and its parents'. */
function understoodSelectors(tx: Transaction, authority: Authority, receiver: Oid): Set<string> {
  const seen = new Set<Oid>();
  const pending = [receiver];
  const selectors = new Set<string>();
  while (pending.length > 0) {
    const oid = pending.pop()!;
    if (seen.has(oid)) continue;
    seen.add(oid);
    const slots = tx.slots(oid);
    if (slots === undefined || !mayRead(authority, accessOf(slots))) continue;
    for (const name of visibleSlotNames(slots)) selectors.add(name);
    const parents = slots.get(PARENT_SLOT);
    if (parents?.kind === 'value') pending.push(...parentOids(parents.value));
  }
  return selectors;
}

/** The understood selectors nearest `selector`, nearest first (at most three). */
export function nearSelectors(selector: string, understood: Iterable<string>): string[] {
  if (selector.length < 3) return [];
  const allowed = selector.length >= 7 ? 2 : 1;
  return [...understood]
    .map((name) => ({ name, distance: editDistance(selector, name) }))
    .filter(({ name, distance }) => distance <= allowed && name.length >= 3)
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .slice(0, 3)
    .map(({ name }) => name);
}

/**
 * The answer to give instead of writing `selector` for `receiver` (see the module comment),
 * or undefined when the model should write it.
 */
export function answerInsteadOfWriting(
  tx: Transaction,
  authority: Authority,
  receiver: Oid,
  selector: string,
  argumentCount: number,
): SendError | undefined {
  const name = nameOf(tx, receiver);
  const object = name ?? `#${receiver}`;
  const anyway = `To have the model write a method \`${selector}\` anyway, send \`${object} ${selector}()\`.`;
  const near = nearSelectors(selector, understoodSelectors(tx, authority, receiver));
  if (near.length > 0) {
    const options = near.map((s) => `\`${s}\``).join(' or ');
    return new SendError(
      'not-understood',
      `${object} does not understand ${selector}: did you mean ${options}? Nothing was written. ${anyway}`,
    );
  }
  if (argumentCount === 0 && looksLikeProperty(selector))
    return new SendError(
      'not-understood',
      `${object} has no slot \`${selector}\`, and nothing was written. Set it with \`${object} setSlot ${selector} <value>\` (\`${object} slotNames\` lists what it has). ${anyway}`,
    );
  return undefined;
}
