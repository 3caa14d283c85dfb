import { describe, expect, it } from 'vitest';
import { buildRouterPrompt, PERSONA_CODEX, routeByRules } from '../../src/personas/index.ts';

describe('routeByRules', () => {
  it.each([
    ['Please audit the persistence of the image', 'ALFRED', '"audit", "persistence"'],
    ['Is the integrity of the database fine?', 'ALFRED', '"integrity"'],
    ['How efficient is this send pipeline?', 'ALFRED', '"efficient"'],
    ['How should I split this module?', 'BRICK', '"split"'],
    ['There is a bug in the algorithm', 'BRICK', '"bug", "algorithm"'],
    ['Review the architecture and design', 'BRICK', '"design", "architecture"'],
    ['Can you search the image for greet?', 'BABS', '"search"'],
    ['What did we say about the tea?', 'BABS', '"what did we say"'],
    ['When did I last log in?', 'BABS', '"when did"'],
    ['When is the next backup due', 'BABS', '"when is"'],
    ['Give me the source for that fact', 'BABS', '"source", "fact"'],
    ['I feel a bit lost today', 'ROBIN', '"feel"'],
    ['Thank you, that made me happy', 'ROBIN', '"thank you", "happy"'],
    ["I'm worried and sad", 'ROBIN', '"worried", "sad"'],
    ['Does a machine have a soul?', 'ROBIN', '"soul"'],
  ])('routes %j', (text, persona, words) => {
    expect(routeByRules(text)).toEqual({ persona, reason: `mentions ${words}` });
  });

  it.each([
    ['no keyword', 'Tell me a story about the sea'],
    ['two personas', "I'm worried about this bug"],
    ['three personas', 'Find the bug and audit it'],
    ['a keyword inside a longer word', 'The decoder is soulful'],
    ['an empty text', ''],
  ])('leaves %s to the model', (_label, text) => {
    expect(routeByRules(text)).toBeUndefined();
  });
});

describe('buildRouterPrompt', () => {
  const prompt = buildRouterPrompt('  Where did we leave the keys?  ', PERSONA_CODEX);

  it('describes every persona and asks for one name', () => {
    for (const p of PERSONA_CODEX) expect(prompt.system).toContain(`- ${p.name}: ${p.role}`);
    expect(prompt.system).toContain('Answer with exactly one name: ROBIN, BRICK, BABS, ALFRED.');
    expect(prompt.system).toContain('When none fits clearly, choose ROBIN.');
  });

  it('carries the message in the user part, trimmed', () => {
    expect(prompt.user).toBe(
      'Message:\n"""\nWhere did we leave the keys?\n"""\nWhich persona should answer?',
    );
  });

  it('refuses an empty list of personas', () => {
    expect(() => buildRouterPrompt('hi', [])).toThrow(/no personas/u);
  });
});
