/**
 * Which LoRA adapter file a persona speaks through. The `adapter` slot holds a file name
 * inside the LoRA folder, never a path: a slot anyone may edit from chat must not point
 * the model loader at an arbitrary file.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { sha256OfFile } from '../core/mind/file-hash.ts';
import { MindError } from '../core/mind/errors.ts';
import type { PersonaRecord } from './records.ts';

/** The adapter to apply, or why the persona speaks in its voice only. */
export type AdapterChoice =
  | { readonly kind: 'file'; readonly path: string; readonly scale: number }
  | { readonly kind: 'voice-only'; readonly why: string };

/**
 * The persona's adapter in `loraDir`. A missing file means voice only; a slot that is not a
 * plain file name is an error (thrown, with the remedy). With `served` (the adapter names
 * the inference servers hold), the name is looked up there instead of on this disk.
 */
export function adapterFile(
  loraDir: string,
  persona: PersonaRecord,
  served?: ReadonlySet<string>,
): AdapterChoice {
  const name = persona.adapter.trim();
  if (name === '') return { kind: 'voice-only', why: 'no adapter is set' };
  if (name !== basename(name) || name === '.' || name === '..')
    throw new MindError(
      'invalid-adapter',
      `${persona.name}'s adapter "${name}" is not a file name inside ${loraDir}; set it to one, e.g. setSlot adapter "${persona.name.toLowerCase()}.gguf"`,
    );
  const path = join(loraDir, name);
  if (served !== undefined && !served.has(name))
    return { kind: 'voice-only', why: `no inference server holds ${name}` };
  if (served === undefined && !existsSync(path))
    return { kind: 'voice-only', why: `${path} not found` };
  return { kind: 'file', path, scale: persona.scale };
}

/** One line for the persona's description: how it speaks. */
export function adapterLine(loraDir: string, persona: PersonaRecord): string {
  try {
    const choice = adapterFile(loraDir, persona);
    return choice.kind === 'file'
      ? `Speaks through ${choice.path} at scale ${choice.scale}.`
      : `Speaks in voice only: ${choice.why}.`;
  } catch (error) {
    return `Cannot speak: ${(error as Error).message}.`;
  }
}

/**
 * The SHA-256 (hex) of the adapter file `name` in `loraDir`, for the image browser's personas
 * page, or why there is none. Only a plain file name inside the folder is read, as for
 * speaking; the digest is cached beside the file (see `file-hash.ts`).
 */
export async function adapterChecksum(loraDir: string, name: string): Promise<string> {
  const file = name.trim();
  if (file === '') return 'none: no adapter is set';
  if (file !== basename(file) || file === '.' || file === '..')
    return `none: "${file}" is not a file name inside the LoRA folder`;
  const path = join(loraDir, file);
  if (!existsSync(path)) return `none: ${file} is not in the LoRA folder`;
  return sha256OfFile(path, loraDir);
}
