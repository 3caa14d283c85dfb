/** The prompt digest that method provenance records. */
import { createHash } from 'node:crypto';
import type { Prompt } from './service.ts';

/** SHA-256 (hex) of the system and user prompt. */
export function promptHash(prompt: Prompt): string {
  return createHash('sha256').update(prompt.system).update('\0').update(prompt.user).digest('hex');
}
