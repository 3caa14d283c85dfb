import { describe, expect, it } from 'vitest';
import { SendError } from '../../../src/core/errors.ts';
import { DEFAULT_PARSER_LIMITS, isIdentifier, parseLine } from '../../../src/core/uvm/parser.ts';

function parseError(line: string, limits = DEFAULT_PARSER_LIMITS): SendError {
  try {
    parseLine(line, limits);
  } catch (error) {
    return error as SendError;
  }
  throw new Error(`"${line}" parsed`);
}

describe('parseLine', () => {
  it('parses object, selector and JSON or bare-word arguments', () => {
    expect(parseLine('genesis setSlot color "blue"')).toEqual({
      kind: 'send',
      target: { kind: 'name', name: 'genesis' },
      selector: 'setSlot',
      args: [
        { kind: 'value', value: 'color' },
        { kind: 'value', value: 'blue' },
      ],
    });
    const parsed = parseLine('#7 put 42 -1.5 true null [1, "a b"] {"k": [2]} word');
    expect(parsed).toMatchObject({ target: { kind: 'oid', oid: 7 }, selector: 'put' });
    expect(
      parsed.kind === 'send' && parsed.args.map((a) => (a.kind === 'value' ? a.value : a)),
    ).toEqual([42, -1.5, true, null, [1, 'a b'], { k: [2] }, 'word']);
  });

  it('sends a lone selector to genesis', () => {
    expect(parseLine('  display_yourself ')).toEqual({
      kind: 'send',
      target: { kind: 'name', name: 'genesis' },
      selector: 'display_yourself',
      args: [],
    });
  });

  it('reads @name and #oid as references, in target and argument position', () => {
    expect(parseLine('@widget setSlot parent* @genesis')).toMatchObject({
      target: { kind: 'name', name: 'widget' },
      args: [
        { kind: 'value', value: 'parent*' },
        { kind: 'name', name: 'genesis' },
      ],
    });
    expect(parseLine('genesis setSlot friend #12')).toMatchObject({
      args: [
        { kind: 'value', value: 'friend' },
        { kind: 'oid', oid: 12 },
      ],
    });
  });

  it('reads references inside JSON as placeholders for the image to resolve', () => {
    expect(parseLine('genesis setSlot parent* [@genesis, #7]')).toMatchObject({
      args: [
        { kind: 'value', value: 'parent*' },
        {
          kind: 'template',
          value: [{ $ref: { kind: 'name', name: 'genesis' } }, { $ref: { kind: 'oid', oid: 7 } }],
        },
      ],
    });
    const parsed = parseLine('genesis setSlot team {"lead": @ada, "note": "@not #a ref"}');
    expect(parsed.kind === 'send' && parsed.args[1]).toEqual({
      kind: 'template',
      value: { lead: { $ref: { kind: 'name', name: 'ada' } }, note: '@not #a ref' },
    });
  });

  it('recognises commands before sends', () => {
    expect(parseLine('undo')).toEqual({ kind: 'command', command: 'undo', words: [] });
    expect(parseLine('undo 12')).toEqual({ kind: 'command', command: 'undo', words: ['12'] });
    expect(parseLine('history genesis')).toEqual({
      kind: 'command',
      command: 'history',
      words: ['genesis'],
    });
  });

  it('recognises commands in any case', () => {
    expect(parseLine('HELP')).toEqual({ kind: 'command', command: 'help', words: [] });
    expect(parseLine('History genesis')).toEqual({
      kind: 'command',
      command: 'history',
      words: ['genesis'],
    });
    expect(parseLine('uNDo 3')).toEqual({ kind: 'command', command: 'undo', words: ['3'] });
  });

  it('takes letters with accents in names, selectors and slot names, in NFC only', () => {
    for (const word of ['café', 'naïve', 'señal', 'Straße_2', 'Ångström', '_x', 'a1'])
      expect(isIdentifier(word), word).toBe(true);
    // Look-alikes of ASCII letters, a decomposed é, an invisible mark, a digit first.
    for (const word of [
      'gеnesis',
      'ɡenesis',
      'привет',
      '日本',
      'cafe\u0301',
      'genesis\u034f',
      '1x',
      'a b',
      'x'.repeat(65),
    ])
      expect(isIdentifier(word), word).toBe(false);
    expect(parseLine('café setSlot crème 1')).toMatchObject({
      target: { kind: 'name', name: 'café' },
      selector: 'setSlot',
      args: [
        { kind: 'value', value: 'crème' },
        { kind: 'value', value: 1 },
      ],
    });
    // A decomposed é typed as a word is read as the one character.
    expect(parseLine('genesis setSlot cafe\u0301 1')).toMatchObject({
      args: [{ kind: 'value', value: 'café' }, {}],
    });
    expect(parseLine('genesis setSlot menu [@café]')).toMatchObject({
      args: [{}, { kind: 'template', value: [{ $ref: { kind: 'name', name: 'café' } }] }],
    });
  });

  it('keeps strings with spaces and escaped quotes whole', () => {
    const parsed = parseLine('genesis say "he said \\"hi\\" {not json}"');
    expect(parsed.kind === 'send' && parsed.args[0]).toEqual({
      kind: 'value',
      value: 'he said "hi" {not json}',
    });
  });

  it('refuses bad input with a clear error', () => {
    expect(parseError('').message).toMatch(/empty/);
    expect(parseError('genesis setSlot x "unclosed').message).toMatch(/not closed/);
    expect(parseError('genesis setSlot x [1, 2').message).toMatch(/not closed/);
    expect(parseError('genesis 9lives').message).toMatch(/not a selector/);
    expect(parseError('"genesis" color').message).toMatch(/not an object/);
    expect(parseError('genesis setSlot x {"a": }').message).toMatch(/not valid JSON/);
    expect(parseError('genesis setSlot x {"$ref": 1}').message).toMatch(/reserved/);
    expect(parseError('what?').code).toBe('parse');
  });

  it('enforces limits on message length, argument size and count', () => {
    expect(parseError('x'.repeat(5000)).code).toBe('limit');
    // An argument may be as large as a slot's value (BATOS_MAX_VALUE_BYTES), in bytes.
    expect(parseLine(`genesis setSlot x "${'a'.repeat(3000)}"`)).toMatchObject({
      args: [{}, { kind: 'value', value: 'a'.repeat(3000) }],
    });
    const small = { ...DEFAULT_PARSER_LIMITS, maxArgumentBytes: 1000 };
    const tooBig = parseError(`genesis setSlot x "${'é'.repeat(600)}"`, small);
    expect(tooBig.code).toBe('limit');
    expect(tooBig.message).toBe(
      "Argument 2 is 1.2 KiB; an argument, like a slot's value, may be at most 1000 bytes (BATOS_MAX_VALUE_BYTES).",
    );
    expect(parseError(`genesis f ${'1 '.repeat(20)}`).message).toMatch(/20 arguments/);
    expect(parseError(`genesis ${'s'.repeat(65)}`).code).toBe('parse');
  });
});
