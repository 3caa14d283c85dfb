/**
 * Choosing the persona for free text addressed to none: the keyword rules for obvious
 * cases, else the model's grammar-constrained choice on the base model, else the default.
 * The result carries a note saying how it was chosen, which the reply shows.
 */
import type { MindService } from '../core/mind/index.ts';
import type { PersonaRecord } from './records.ts';
import { buildRouterPrompt, routeByRules } from './router.ts';

/** A chosen persona and how it was chosen (`routed to ROBIN: mentions "soul"`). */
export interface Routed {
  readonly persona: PersonaRecord;
  readonly note: string;
}

/**
 * Routes `text` among `personas` (at least one). `defaultName` names the fallback (the
 * first persona when no persona has that name); the model sees it listed first, since the
 * router prompt tells it to fall back to the first.
 */
export async function routeText(
  text: string,
  personas: readonly PersonaRecord[],
  defaultName: string,
  mind: Pick<MindService, 'choose'> | undefined,
): Promise<Routed> {
  const byName = (name: string) =>
    personas.find((p) => p.name.toLowerCase() === name.toLowerCase());
  const fallback = byName(defaultName) ?? personas[0]!;
  const rule = routeByRules(text);
  const ruled = rule && byName(rule.persona);
  if (rule && ruled) return { persona: ruled, note: `routed to ${ruled.name}: ${rule.reason}` };
  if (mind === undefined)
    return { persona: fallback, note: `routed to ${fallback.name} (default)` };
  const ordered = [fallback, ...personas.filter((p) => p !== fallback)];
  try {
    const names = [...new Set(ordered.map((p) => p.name))];
    const chosen = await mind.choose(names, buildRouterPrompt(text, ordered));
    return { persona: byName(chosen) ?? fallback, note: `routed to ${chosen} by the model` };
  } catch (error) {
    return {
      persona: fallback,
      note: `routed to ${fallback.name} (default; the model could not choose: ${(error as Error).message})`,
    };
  }
}
