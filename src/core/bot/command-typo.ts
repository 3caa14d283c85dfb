/**
 * Telling a mistyped command (`hepl`, `histroy genesis`, `udno 12`) from conversation, so
 * its sender hears "did you mean `help`?" instead of a persona's answer.
 *
 * A word is a typo of a command when it is one edit away, or two for the seven-letter ones
 * (a transposition counts as one; `hello` is two from `help`, so it is not), is not a common
 * word that near (`hell`, `unto`, `correct`), and is alone or followed by what reads as that
 * command's arguments (`histroy genesis`, `udno 12`; not `hell yes`).
 */
import { editDistance } from '../text/edit-distance.ts';
import { COMMANDS, isIdentifier, type CommandName } from '../uvm/parser.ts';

/** Common words within a command's edits, which are conversation, not typos. */
const WORDS = new Set(
  `heap held hell helm hemp kelp whelp yelp unto historic collet connect correct sender sends
  enders fenders genders lenders menders renders tenders vendors spenders sunders cinders
  binders finders winders wanders implements implementers brows browsed find kind mind wind bend band bond bird bins
  blind unkind unwind rely replay`.split(/\s+/u),
);

/** What the rule needs of the image: whether a word names an object. */
export interface TypoView {
  namesObject(name: string): boolean;
}

/** Whether `words` read as the arguments of `command`. */
function takesArguments(command: CommandName, words: readonly string[], image: TypoView): boolean {
  if (words.length === 0) return true;
  if (command === 'versions') return words.length === 2;
  if (command === 'revert') return words.length === 3 && /^\d{1,6}$/u.test(words[2]!);
  if (command === 'implementors' || command === 'senders')
    return words.length === 1 && isIdentifier(words[0]!);
  if (words.length > 1) return false;
  const word = words[0]!;
  switch (command) {
    case 'help':
      return false;
    case 'history':
      return (
        /^(?:all|(?:tx)?\d{1,15}|#\d{1,15})$/iu.test(word) ||
        image.namesObject(word.replace(/^@/u, ''))
      );
    case 'undo':
      return /^(?:tx)?\d{1,15}$/iu.test(word);
    case 'collect':
      return /^\d{1,5}$/u.test(word);
    case 'backup':
      return /^[\w.-]{1,100}$/u.test(word);
    case 'upgrade':
      return word === '--dry-run';
    case 'browse':
      return word.toLowerCase() === 'logout';
    case 'bind':
    case 'unbind':
    case 'reply':
      return false;
  }
}

/**
 * The command the message's words (already split) most likely meant, if the first is a typo
 * of one (see the module comment); undefined for anything else, commands included.
 */
export function commandTypo(words: readonly string[], image: TypoView): CommandName | undefined {
  const [first, ...rest] = words;
  const word = (first ?? '').toLowerCase();
  // `help?` and `help!` are a command with a mark after it; other punctuation is talk.
  const bare = word.replace(/[?!.]+$/u, '');
  if (bare.length < 3 || !/^[a-z]+$/u.test(bare) || WORDS.has(bare)) return undefined;
  for (const command of COMMANDS) {
    const distance = editDistance(bare, command);
    const allowed = command.length >= 7 ? 2 : 1;
    if (
      distance <= allowed &&
      (distance > 0 || bare !== word) &&
      takesArguments(command, rest, image)
    )
      return command;
  }
  return undefined;
}
