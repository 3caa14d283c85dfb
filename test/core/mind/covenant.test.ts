import { describe, expect, it } from 'vitest';
import { buildMethodPrompt } from '../../../src/core/mind/index.ts';
import { METHOD_CONTRACT } from '../../../src/core/sandbox/method-contract.ts';

describe('buildMethodPrompt', () => {
  const prompt = buildMethodPrompt({
    oid: 3,
    name: 'genesis',
    slotNames: ['parent*', 'about'],
    parents: [
      { oid: 1, name: 'traits' },
      { oid: 9, name: null },
    ],
    selector: 'greet:',
    args: ['Ada', { $ref: 4 }],
    words: 'genesis greet: "Ada"',
  });

  it('states the covenant and quotes the method contract verbatim', () => {
    expect(prompt.system).toContain('exactly ONE method');
    expect(prompt.system).toContain('No other globals');
    expect(prompt.system).toContain('Return a JSON value');
    expect(prompt.system).toContain(METHOD_CONTRACT);
  });

  it('invites examples after the method, in the form they are read back', () => {
    expect(prompt.system).toContain('`// example: [21] => 42`');
  });

  it('describes the receiver, its parents, the selector, the arguments and the words', () => {
    expect(prompt.user).toBe(
      [
        'Object #3 "genesis" does not understand "greet:".',
        'Its slots: parent*, about.',
        'Its parents: #1 "traits", #9.',
        'Arguments (JSON): ["Ada",{"$ref":4}].',
        'The sender\'s words: "genesis greet: \\"Ada\\"".',
        'Write the method "greet:".',
      ].join('\n'),
    );
  });

  it('says so when there are no slots, parents or words', () => {
    const bare = buildMethodPrompt({
      oid: 7,
      name: null,
      slotNames: [],
      parents: [],
      selector: 'x',
      args: [],
    });
    expect(bare.user).toContain('Object #7 does not understand "x".');
    expect(bare.user).toContain('Its slots: none.');
    expect(bare.user).toContain('Its parents: none.');
    expect(bare.user).not.toContain('words');
  });

  it('quotes the examples it is given, each cut at 800 characters', () => {
    const long = `function (self) { return '${'x'.repeat(1_000)}' }`;
    const withExamples = buildMethodPrompt({
      oid: 7,
      name: null,
      slotNames: [],
      parents: [],
      selector: 'greet',
      args: [],
      examples: [
        { label: '#3 genesis hello', source: "function (self) { return 'hi' }" },
        { label: '#4 box long', source: long },
      ],
    });
    expect(withExamples.user).toContain(
      "may be near what is asked (examples of its style, not answers):\n#3 genesis hello:\nfunction (self) { return 'hi' }\n#4 box long:\n",
    );
    expect(withExamples.user).toContain(`${long.slice(0, 800)}…\nWrite the method "greet".`);
  });
});
