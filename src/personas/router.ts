/**
 * Choosing a persona for free text that addresses none.
 *
 * First a fast rule-based pass that decides only obvious cases (the keywords of exactly one
 * persona appear); otherwise the mind chooses among the names under a grammar, with the
 * prompt built here.
 */
import { InternalError } from '../core/errors.ts';
import type { PersonaName } from './codex.ts';

/** A rule-based routing decision and why it was made. */
export interface RouteDecision {
  readonly persona: PersonaName;
  /** e.g. `mentions "audit", "integrity"`. */
  readonly reason: string;
}

/** Each persona's keywords, as whole-word patterns on lower-cased text. */
const KEYWORDS: ReadonlyArray<readonly [PersonaName, readonly RegExp[]]> = [
  [
    'ALFRED',
    [
      /\baudit(?:s|ed|ing)?\b/u,
      /\bpersisten(?:ce|t)\b/u,
      /\bintegrity\b/u,
      /\befficien(?:cy|t|tly)\b/u,
      /\bprotocols?\b/u,
      /\bgarbage[- ]collect(?:ion|ed|or)?\b/u,
      /\bhousekeeping\b/u,
    ],
  ],
  [
    'BRICK',
    [
      /\bcode\b/u,
      /\bcoding\b/u,
      /\bdesign(?:s|ed|ing)?\b/u,
      /\bsplit(?:s|ting)?\b/u,
      /\barchitecture\b/u,
      /\bbugs?\b/u,
      /\balgorithms?\b/u,
      /\brefactor(?:s|ed|ing)?\b/u,
      /\bdebug(?:s|ged|ging)?\b/u,
      /\bimplement(?:s|ed|ing|ation)?\b/u,
      /\bdeconstruct\w*\b/u,
    ],
  ],
  [
    'BABS',
    [
      /\bfind\b/u,
      /\bsearch(?:es|ed|ing)?\b/u,
      /\blook(?:ing)? up\b/u,
      /\bwhat did (?:we|i|you|they|he|she) (?:say|said|decide|agree)\b/u,
      /(?:\bwhen (?:did|was|were|is|will)|^when)\b/u,
      /\bsources?\b/u,
      /\bfacts?\b/u,
      /\bremind me\b/u,
      /\bwho said\b/u,
      /\bcit(?:e|ation)s?\b/u,
    ],
  ],
  [
    'ROBIN',
    [
      /\bfeel(?:s|ing|ings)?\b/u,
      /\bfelt\b/u,
      /\bsoul\b/u,
      /\bworr(?:y|ied|ies|ying)\b/u,
      /\bthank(?:s| you)?\b/u,
      /\bhappy\b/u,
      /\bsad\b/u,
      /\blonely\b/u,
      /\banxious\b/u,
      /\bscared\b/u,
      /\bafraid\b/u,
      /\bgrateful\b/u,
    ],
  ],
];

/**
 * Routes text by keywords when the case is obvious: the keywords of exactly one persona
 * appear. Returns undefined when none or several do, so the model decides.
 */
export function routeByRules(text: string): RouteDecision | undefined {
  const lower = text.toLowerCase();
  const hits = KEYWORDS.map(([persona, patterns]) => ({
    persona,
    words: patterns.flatMap((p) => p.exec(lower)?.[0] ?? []),
  })).filter((h) => h.words.length > 0);
  const [only, ...others] = hits;
  if (!only || others.length > 0) return undefined;
  return {
    persona: only.persona,
    reason: `mentions ${only.words.map((w) => `"${w}"`).join(', ')}`,
  };
}

/** What the router prompt needs to know of a persona. */
export interface Routable {
  readonly name: string;
  readonly role: string;
}

/**
 * The prompt for the mind's grammar-constrained choice among persona names: the system
 * part describes the personas, the user part carries the message. The first persona is the
 * default when none fits clearly.
 */
export function buildRouterPrompt(
  text: string,
  personas: readonly Routable[],
): { system: string; user: string } {
  const fallback = personas[0];
  if (!fallback) throw new InternalError('buildRouterPrompt: no personas to choose from');
  const list = personas.map((p) => `- ${p.name}: ${p.role}`).join('\n');
  const names = personas.map((p) => p.name).join(', ');
  const system =
    'You route each message in a chat to the one persona best suited to answer it.\n' +
    `The personas:\n${list}\n` +
    `Answer with exactly one name: ${names}. When none fits clearly, choose ${fallback.name}.`;
  return { system, user: `Message:\n"""\n${text.trim()}\n"""\nWhich persona should answer?` };
}
