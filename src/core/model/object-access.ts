/**
 * An object's owner and permission flags, kept in slots of its own that no message can name
 * (names ending in `*` other than `parent*` are not slot names) and that lookup never
 * inherits: `owner*` (a principal), `access*` (flags) and, on conversation threads,
 * `readers*` (the participants). Only `chown` and `chmod` change them.
 *
 * Flags, as in LambdaMOO: `r` anyone may read it and send to it; `w` anyone may change its
 * slots and methods; `f` (fertile) anyone may clone it. The owner and admins always may.
 */
import type { Slot, SlotMap } from './value.ts';
import { SYSTEM, type Principal } from './principal.ts';

export const OWNER_SLOT = 'owner*';
export const ACCESS_SLOT = 'access*';
export const READERS_SLOT = 'readers*';

/** Slots that hold access metadata rather than state: hidden from slot listings. */
export function isAccessSlot(name: string): boolean {
  return name === OWNER_SLOT || name === ACCESS_SLOT || name === READERS_SLOT;
}

/** Flags an object has when nobody set any: readable and fertile, written by its owner. */
export const DEFAULT_FLAGS = 'rf';
/** A conversation thread's flags: private to its readers (participants) and admins. */
export const PRIVATE_FLAGS = '';

export interface ObjectAccess {
  readonly owner: Principal;
  readonly readable: boolean;
  readonly writable: boolean;
  readonly fertile: boolean;
  /** Who may read it besides the owner and admins, when it is not readable by all. */
  readonly readers: readonly Principal[];
}

/** The access an object's slots describe; the system owns an object that names no owner. */
export function accessOf(slots: SlotMap | undefined): ObjectAccess {
  const owner = stringValue(slots?.get(OWNER_SLOT)) ?? SYSTEM;
  const flags = stringValue(slots?.get(ACCESS_SLOT)) ?? DEFAULT_FLAGS;
  const readers = slots?.get(READERS_SLOT);
  return {
    owner,
    readable: flags.includes('r'),
    writable: flags.includes('w'),
    fertile: flags.includes('f'),
    readers:
      readers?.kind === 'value' && Array.isArray(readers.value)
        ? readers.value.filter((r): r is string => typeof r === 'string')
        : [],
  };
}

/** The flags of an access, in canonical order (`rwf`, `rf`, `` …). */
export function flagsOf(access: Pick<ObjectAccess, 'readable' | 'writable' | 'fertile'>): string {
  return `${access.readable ? 'r' : ''}${access.writable ? 'w' : ''}${access.fertile ? 'f' : ''}`;
}

/** Words `chmod` accepts besides flags: `private` (``), `shared` (`rf`), `public` (`rwf`). */
const MODE_WORDS: Readonly<Record<string, string>> = { private: '', shared: 'rf', public: 'rwf' };

/**
 * Applies a `chmod` mode to flags: a word (`private`, `shared`, `public`), exact flags
 * (`rf`, `""`), or changes (`+w`, `-r`, `-rf+w`). Returns undefined for anything else.
 */
export function applyMode(current: string, mode: string): string | undefined {
  const word = MODE_WORDS[mode.toLowerCase()];
  if (word !== undefined) return word;
  if (/^[rwf]*$/.test(mode)) return canonical(new Set(mode));
  if (!/^(?:[+-][rwf]+)+$/.test(mode)) return undefined;
  const flags = new Set(current);
  for (const [, sign, letters] of mode.matchAll(/([+-])([rwf]+)/g))
    for (const letter of letters!) {
      if (sign === '+') flags.add(letter);
      else flags.delete(letter);
    }
  return canonical(flags);
}

function canonical(flags: Set<string>): string {
  return ['r', 'w', 'f'].filter((f) => flags.has(f)).join('');
}

/** Says in words who may do what with an object, for `describe` and refusals. */
export function describeAccess(access: ObjectAccess): string {
  const others = [
    access.readable ? 'read' : '',
    access.writable ? 'change' : '',
    access.fertile ? 'clone' : '',
  ].filter(Boolean);
  const readers = access.readers.length > 0 ? `; readers ${access.readers.join(', ')}` : '';
  return `owner ${access.owner} · flags "${flagsOf(access)}" (${others.length ? `anyone may ${others.join(', ')}` : 'private to its owner and admins'}${readers})`;
}

function stringValue(slot: Slot | undefined): string | undefined {
  return slot?.kind === 'value' && typeof slot.value === 'string' ? slot.value : undefined;
}
