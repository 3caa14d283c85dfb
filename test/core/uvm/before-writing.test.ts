/**
 * When a method is written at all: a near miss gets "did you mean", a missing slot says so
 * and how to set it, and only what reads as a request has the model write — unless the
 * sender asks for a method with `selector()`. Through the real Bot, with the forged model.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mind } from '../../../src/core/mind/index.ts';
import { QuickJsMethodRunner } from '../../../src/core/sandbox/index.ts';
import { looksLikeProperty, nearSelectors } from '../../../src/core/uvm/before-writing.ts';
import { MindMethodWriter } from '../../../src/core/uvm/mind-writer.ts';
import { DISPLAY_YOURSELF_SOURCE } from '../../../src/forge/index.ts';
import { openTestCore } from '../../support/core.ts';
import { forged, tinyConfig } from '../../support/forged.ts';
import { replyToPlainText } from '../../support/reply-text.ts';

let mind: Mind;
const checker = new QuickJsMethodRunner();
beforeAll(async () => {
  mind = await Mind.load(tinyConfig((await forged()).model));
});
afterAll(async () => {
  await mind?.close();
  await checker.close();
});

/** What a message should get: an answer without writing (pattern), or a method written. */
type Expected = { answer: RegExp } | { writes: string };

const TABLE: ReadonlyArray<[string, Expected]> = [
  // Near misses of what genesis understands: one edit, or two for long selectors.
  [
    'genesis slotNmes',
    {
      answer:
        /^genesis does not understand slotNmes: did you mean `slotNames`\? Nothing was written\./u,
    },
  ],
  ['genesis descibe', { answer: /did you mean `describe`\?/u }],
  ['genesis SlotNames', { answer: /did you mean `slotNames`\?/u }],
  ['genesis clonne', { answer: /did you mean `clone`\?/u }],
  ['genesis sizes', { answer: /did you mean `size`\?/u }], // a slot genesis has (set below)
  // Missing slots: a lone property-shaped selector.
  [
    'genesis color',
    {
      answer:
        /^genesis has no slot `color`, and nothing was written\. Set it with `genesis setSlot color <value>`/u,
    },
  ],
  ['widget weight', { answer: /^widget has no slot `weight`/u }],
  ['widget fullName', { answer: /^widget has no slot `fullName`/u }],
  // Requests: verbs, arguments, or a method asked for with ().
  ['display_yourself', { writes: 'display_yourself' }],
  ['widget frobnicate 3', { writes: 'frobnicate' }],
  ['widget greet', { writes: 'greet' }],
  ['genesis color()', { writes: 'color' }],
  ['widget slotNmes()', { writes: 'slotNmes' }],
];

describe('whether a method is written', () => {
  it('answers near misses and missing slots at once, and writes only requests', async () => {
    const core = await openTestCore({ uvm: { writer: new MindMethodWriter(mind, checker) } });
    await core.ok('genesis setSlot size 3');
    await core.ok(`${await core.ok('genesis clone')} name widget`);
    for (const [text, expected] of TABLE) {
      const before = await core.ok('history all');
      const reply = await core.say(text);
      if ('answer' in expected) {
        expect(reply.status, text).toBe('error');
        expect(replyToPlainText(reply), text).toMatch(expected.answer);
        expect(await core.ok('history all'), `${text} changed nothing`).toBe(before);
      } else {
        expect(reply.status, `${text}: ${replyToPlainText(reply)}`).toBe('ok');
        const receiver = text.startsWith('widget') ? 'widget' : 'genesis';
        expect(await core.ok(`${receiver} methodSource ${expected.writes}`), text).toBe(
          DISPLAY_YOURSELF_SOURCE,
        );
      }
    }
  });

  it('offers only selectors of objects the sender may read', async () => {
    const core = await openTestCore({ uvm: { writer: new MindMethodWriter(mind, checker) } });
    const ada = { sender: { id: 'ada', name: 'ada', isAdmin: false } };
    const bob = { sender: { id: 'bob', name: 'bob', isAdmin: false } };
    await core.ok(`${await core.ok('genesis clone', ada)} name vault`, ada);
    await core.ok('vault setSlot secretPlan 1', ada);
    await core.ok(`${await core.ok('genesis clone', bob)} name mine`, bob);
    await core.ok('mine setSlot parent* [@vault]', bob); // vault may be cloned and delegated to
    expect(replyToPlainText(await core.say('mine secretPlam', bob))).toMatch(/`secretPlan`/u);
    await core.ok('vault chmod private', ada);
    const reply = await core.say('mine secretPlam', bob);
    expect(replyToPlainText(reply)).not.toContain('secretPlan');
  });
});

describe('the rule', () => {
  it.each([
    ['color', true],
    ['size', true],
    ['date', true],
    ['state', true],
    ['fullName', true],
    ['total_price', true],
    ['display_yourself', false],
    ['greet', false],
    ['frobnicate', false],
    ['simplify', false],
    ['showAll', false],
  ])('%s reads as a property: %s', (selector, property) => {
    expect(looksLikeProperty(selector)).toBe(property);
  });

  it('offers the nearest understood selectors, none for short ones', () => {
    expect(nearSelectors('slotNmes', ['slotNames', 'clone', 'describe'])).toEqual(['slotNames']);
    expect(nearSelectors('ab', ['abc'])).toEqual([]);
    expect(nearSelectors('zzzzz', ['slotNames'])).toEqual([]);
  });
});
