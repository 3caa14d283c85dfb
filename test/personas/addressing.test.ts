import { describe, expect, it } from 'vitest';
import { parseAddressing, PERSONA_CODEX } from '../../src/personas/index.ts';

const parse = (text: string) => parseAddressing(text, PERSONA_CODEX);

describe('parseAddressing', () => {
  it.each([
    ['Robin, how are you?', 'ROBIN', 'how are you?'],
    ['BRICK: split this module', 'BRICK', 'split this module'],
    ['@babs what did we decide?', 'BABS', 'what did we decide?'],
    ['@Babs, what did we decide?', 'BABS', 'what did we decide?'],
    ['alfred audit the image', 'ALFRED', 'audit the image'],
    ['  Alfred;  report  ', 'ALFRED', 'report'],
    ['Robin! I did it', 'ROBIN', 'I did it'],
    ['Robin... never mind', 'ROBIN', 'never mind'],
    ['Robin - a question', 'ROBIN', 'a question'],
    ['Robin — a question', 'ROBIN', 'a question'],
    ['rObIn, case does not matter', 'ROBIN', 'case does not matter'],
    ['Barbara, find the date', 'BABS', 'find the date'],
    ['hey Robin, are you there?', 'ROBIN', 'are you there?'],
    ['Hello, Alfred: status', 'ALFRED', 'status'],
    ['@Brick is this right?', 'BRICK', 'is this right?'],
    ['Robin can you help me', 'ROBIN', 'can you help me'],
    ["Brick don't you agree", 'BRICK', "don't you agree"],
  ])('finds %j', (text, persona, rest) => {
    expect(parse(text)).toEqual({ persona, rest });
  });

  it.each(['Robin', 'robin?', 'ALFRED.', '@brick', 'hey babs', 'Robin!!'])(
    'takes the bare name %j with no rest',
    (text) => {
      expect(parse(text)?.rest).toBe('');
    },
  );

  it.each([
    ['a longer word', 'robinhood is a thief'],
    ['a name inside a word', 'Bricklayers unite'],
    ['a possessive', "Robin's idea was good"],
    ['a curly possessive', 'Alfred’s tea is cold'],
    ['a statement about a persona', 'Brick is stubborn'],
    ['a statement in the past', 'robin said that yesterday'],
    ['a statement with a modal', 'Brick can fix anything'],
    ['a greeting without punctuation after the name', 'hi robin birds are early'],
    ['a hyphenated word', 'Robin-like behaviour'],
    ['a name later in the text', 'I asked Robin about it'],
    ['no name at all', 'what is the time?'],
    ['an empty message', '   '],
  ])('ignores %s', (_label, text) => {
    expect(parse(text)).toBeUndefined();
  });

  it('prefers the longest name among overlapping aliases', () => {
    const personas = [
      { name: 'AL', aliases: [] },
      { name: 'ALFRED', aliases: [] },
    ];
    expect(parseAddressing('Alfred, hello', personas)).toEqual({
      persona: 'ALFRED',
      rest: 'hello',
    });
    expect(parseAddressing('Al, hello', personas)).toEqual({ persona: 'AL', rest: 'hello' });
  });

  it('treats regular-expression characters in names literally', () => {
    const personas = [{ name: 'R2.D2', aliases: ['r2+'] }];
    expect(parseAddressing('r2+: beep', personas)).toEqual({ persona: 'R2.D2', rest: 'beep' });
    expect(parseAddressing('R2xD2: beep', personas)).toBeUndefined();
  });
});
