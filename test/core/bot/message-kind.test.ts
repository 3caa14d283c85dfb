import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  imageNameView,
  isProgramShaped,
  messageKind,
  type MessageKind,
} from '../../../src/core/bot/message-kind.ts';
import type { Mind } from '../../../src/core/mind/index.ts';
import { QuickJsMethodRunner } from '../../../src/core/sandbox/index.ts';
import { MindMethodWriter } from '../../../src/core/uvm/mind-writer.ts';
import { PERSONA_NAMES } from '../../../src/personas/names.ts';
import { replyToPlainText } from '../../support/reply-text.ts';
import { loadTinyMind, loraFolder, openPersonaCore } from '../../support/personas.ts';

/** Real openers and sends, each with what it must be. */
const TABLE: ReadonlyArray<readonly [string, MessageKind]> = [
  // Greetings, thanks and small talk: conversation.
  ['hi', 'conversation'],
  ['hello', 'conversation'],
  ['hey', 'conversation'],
  ['hello there', 'conversation'],
  ['hi!', 'conversation'],
  ['Hello, BAT OS!', 'conversation'],
  ['good morning', 'conversation'],
  ['Good morning!', 'conversation'],
  ['gm', 'conversation'],
  ['sup', 'conversation'],
  ['thanks!', 'conversation'],
  ['thanks', 'conversation'],
  ['thank you', 'conversation'],
  ['ok', 'conversation'],
  ['OK', 'conversation'],
  ['okay', 'conversation'],
  ['yes', 'conversation'],
  ['no', 'conversation'],
  ['cool', 'conversation'],
  ['lol', 'conversation'],
  ['bye', 'conversation'],
  ['?', 'conversation'],
  [':)', 'conversation'],
  ['👋', 'conversation'],
  // Sentences and questions: conversation.
  ['hey there, how are you?', 'conversation'],
  ['what can you do?', 'conversation'],
  ['who are you?', 'conversation'],
  ['how do I make an object?', 'conversation'],
  ['tell me a story', 'conversation'],
  ['I need a hand with my code', 'conversation'],
  ['can you explain the image?', 'conversation'],
  ['is anyone there?', 'conversation'],
  ['please describe genesis', 'conversation'],
  ['why does undo fail?', 'conversation'],
  ['Genesis is a good name', 'conversation'],
  ['Traits of a leader?', 'conversation'],
  ['nosuchthing color', 'conversation'],
  ['"quoted" words', 'conversation'],
  // Sends that name their object, even when broken or unknown.
  ['genesis slotNames', 'send'],
  ['genesis setSlot color "blue"', 'send'],
  ['genesis color', 'send'],
  ['genesis frobnicate', 'send'],
  ['genesis, what are you?', 'send'],
  ['genesis setSlot x "oops', 'send'],
  ['@genesis describe', 'send'],
  ['#3 slotNames', 'send'],
  ['#999 color', 'send'],
  ['@nosuchthing color', 'send'],
  ['traits slotNames', 'send'],
  ['root slotNames', 'send'],
  ['pLLM describe', 'send'],
  ['conversations slotNames', 'send'],
  ['myWidget setSlot size 3', 'send'],
  ['widget setSlot size 3', 'send'],
  // Lone selectors: understood by genesis, or shaped like a program's.
  ['display_yourself', 'send'],
  ['auditPersistence', 'send'],
  ['frobnicate:', 'send'],
  ['clone', 'send'],
  ['slotNames', 'send'],
  ['describe', 'send'],
  ['greet_user', 'send'],
  ['@genesis', 'send'],
  // Commands.
  ['help', 'command'],
  ['help me understand slots?', 'command'],
  ['history', 'command'],
  ['history genesis', 'command'],
  ['undo', 'command'],
  ['undo 12', 'command'],
  ['collect', 'command'],
  ['HELP', 'command'],
  ['History genesis', 'command'],
  // Typos of commands, alone or with the command's arguments; not words near one.
  ['hepl', 'typo'],
  ['help?', 'typo'],
  ['histroy genesis', 'typo'],
  ['udno 12', 'typo'],
  ['hell', 'conversation'],
  ['hell yes', 'conversation'],
  ['help me understand slots', 'command'],
  ['correct', 'conversation'],
  ['implementors greet', 'command'],
  ['senders greet', 'command'],
  ['implementers greet', 'conversation'],
  ['implementor greet', 'typo'],
  ['sendres greet', 'typo'],
  ['tenders', 'conversation'],
  ['sender greet', 'conversation'],
];

/** Addressed to a persona: the personas read these before the rule (see intent.ts). */
const ADDRESSED: ReadonlyArray<readonly [string, MessageKind]> = [
  ['Robin, hi', 'conversation'],
  ['ALFRED, how is the house?', 'conversation'],
  ['brick: what now?', 'conversation'],
  ['@babs find me the docs', 'conversation'],
  ['alfred slotNames', 'send'],
  ['robin describe', 'send'],
];

describe('the rule', () => {
  it('has a table of at least 50 openers and sends', () => {
    expect(TABLE.length + ADDRESSED.length).toBeGreaterThanOrEqual(50);
  });

  it.each(TABLE)('%j is a %s', async (text, kind) => {
    const core = await openPersonaCore();
    expect(
      await core.uvm.readCommitted((tx) =>
        messageKind(text, imageNameView(tx, 'console:operator')),
      ),
    ).toBe(kind);
  });

  it('follows the names in the image', async () => {
    const core = await openPersonaCore();
    const kind = (text: string) =>
      core.uvm.readCommitted((tx) => messageKind(text, imageNameView(tx, 'console:operator')));
    expect(await kind('widget color')).toBe('conversation');
    expect(await kind('greet')).toBe('conversation');
    const clone = (await core.ok('genesis clone')).split(' ')[0]!;
    await core.ok(`${clone} name widget`);
    await core.ok(`genesis defineMethod greet "function (self) { return 'hi' }"`);
    expect(await kind('widget color')).toBe('send');
    expect(await kind('greet')).toBe('send');
  });

  it('knows a program name from a word', () => {
    for (const word of ['display_yourself', 'auditPersistence', 'x2Y', '__init__'])
      expect(isProgramShaped(word), word).toBe(true);
    for (const word of ['hi', 'Hello', 'OK', 'thanks!', 'frobnicate:', 'Genesis', '_'])
      expect(isProgramShaped(word), word).toBe(false);
  });
});

describe('through the bot, without a model', () => {
  it('gives conversation to a persona and everything else to the image, writing nothing', async () => {
    const core = await openPersonaCore({
      conversation: { noModelReason: 'To get one, run "npm run models:pull".' },
    });
    for (const [text, kind] of [...TABLE, ...ADDRESSED]) {
      const reply = await core.say(text);
      const said = replyToPlainText(reply);
      if (kind === 'conversation') {
        expect(reply.persona, text).toBeDefined();
        expect(said, text).toMatch(/cannot speak without a model/);
      } else if (kind === 'typo') {
        expect(reply.persona, text).toBeUndefined();
        expect(said, text).toMatch(/is not a command: did you mean `\w+`\? Nothing was changed/);
      } else {
        expect(reply.persona, `${text} → ${said}`).toBeUndefined();
        expect(said, text).not.toMatch(/cannot speak/);
      }
    }
    expect(await core.ok('genesis slotNames')).toBe('["parent*","color"]');
  });

  it('says where conversation has no persona to go, and changes nothing', async () => {
    const core = await openPersonaCore();
    await core.ok('root removeSlot persona');
    for (const name of PERSONA_NAMES) await core.ok(`root removeSlot ${name.toLowerCase()}`);
    const before = await core.ok('history');
    const reply = await core.say('hi');
    expect(reply.status).toBe('error');
    expect(replyToPlainText(reply)).toMatch(
      /reads as conversation, and no persona is here to answer it.*`genesis <selector>`/,
    );
    expect(await core.ok('history')).toBe(before);
  });
});

describe('through the bot, with the forged model', () => {
  let mind: Mind;
  const checker = new QuickJsMethodRunner();
  beforeAll(async () => {
    mind = await loadTinyMind();
  });
  afterAll(async () => {
    await mind?.close();
    await checker.close();
  });

  it('answers greetings as a persona and never writes them as methods', async () => {
    const core = await openPersonaCore({
      loraDir: await loraFolder(),
      uvm: { writer: new MindMethodWriter(mind, checker) },
      conversation: { mind },
    });
    for (const text of ['hi', 'thanks!', 'ok', 'hello there']) {
      const reply = await core.say(text);
      expect(reply.status, replyToPlainText(reply)).toBe('ok');
      expect(reply.persona, text).toBeDefined();
      expect(replyToPlainText(reply)).not.toMatch(/no object named/);
    }
    for (const selector of ['hi', 'ok', 'hello'])
      expect(await core.ok(`genesis respondsTo ${selector}`)).toBe('false');

    // Asking an object by name to do something new still writes a method.
    expect(await core.ok('display_yourself')).toMatch(/^Object #3 "genesis"/);
    expect(await core.ok('genesis respondsTo display_yourself')).toBe('true');
  });
});
