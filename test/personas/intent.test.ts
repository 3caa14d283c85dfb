import { describe, expect, it } from 'vitest';
import { imageNameView, readMessage } from '../../src/core/bot/message-kind.ts';
import { DEFAULT_PARSER_LIMITS } from '../../src/core/uvm/parser.ts';
import { threadKey } from '../../src/personas/index.ts';
import { readIntent, type Intent } from '../../src/personas/intent.ts';
import { openPersonaCore, type PersonaCore } from '../support/personas.ts';

/** The intent, reduced to what a test compares. */
async function intent(core: PersonaCore, text: string) {
  const found: Intent = await core.uvm.readCommitted((tx) =>
    readIntent(
      tx,
      text,
      readMessage(text, DEFAULT_PARSER_LIMITS, imageNameView(tx, 'console:operator')),
    ),
  );
  switch (found.kind) {
    case 'send':
      return {
        kind: 'send',
        persona: found.persona.name,
        selector: found.selector,
        args: found.args.length,
      };
    case 'audit':
      return { kind: 'audit', persona: found.persona.name, collect: found.collect };
    case 'turn':
      return { kind: 'turn', persona: found.persona.name, text: found.text };
    default:
      return { kind: found.kind };
  }
}

describe('what a message means to the personas', () => {
  it.each([
    ['alfred slotNames', { kind: 'send', persona: 'ALFRED', selector: 'slotNames', args: 0 }],
    [
      'ALFRED: setSlot voice "Be brief."',
      { kind: 'send', persona: 'ALFRED', selector: 'setSlot', args: 2 },
    ],
    ['@brick getSlot role', { kind: 'send', persona: 'BRICK', selector: 'getSlot', args: 1 }],
    ['ALFRED, audit persistence', { kind: 'audit', persona: 'ALFRED', collect: false }],
    ['alfred auditPersistence', { kind: 'audit', persona: 'ALFRED', collect: false }],
    ['alfred auditPersistence collect', { kind: 'audit', persona: 'ALFRED', collect: true }],
    [
      'Alfred, please run an audit and collect',
      { kind: 'audit', persona: 'ALFRED', collect: true },
    ],
    [
      'Alfred, what did the audit say?',
      { kind: 'turn', persona: 'ALFRED', text: 'what did the audit say?' },
    ],
    ['Robin, audit my feelings', { kind: 'turn', persona: 'ROBIN', text: 'audit my feelings' }],
    [
      'Robin, name your favourite colour',
      { kind: 'turn', persona: 'ROBIN', text: 'name your favourite colour' },
    ],
    [
      'BRICK, how would you split this service?',
      { kind: 'turn', persona: 'BRICK', text: 'how would you split this service?' },
    ],
    ['Robin?', { kind: 'turn', persona: 'ROBIN', text: 'Robin?' }],
    ["what's the weather of the soul today?", { kind: 'unaddressed' }],
    ['tell me a story', { kind: 'unaddressed' }],
    ['Brick is stubborn, is he not?', { kind: 'unaddressed' }],
    ['good morning', { kind: 'unaddressed' }],
    ['hi', { kind: 'unaddressed' }],
    ['display_yourself', { kind: 'none' }],
    ['genesis setSlot color "blue', { kind: 'none' }],
    ['genesis, what are you?', { kind: 'none' }],
    ['#3 what are you?', { kind: 'none' }],
    ['undo', { kind: 'none' }],
    ['history robin', { kind: 'none' }],
  ])('%j', async (text, expected) => {
    const core = await openPersonaCore();
    expect(await intent(core, text)).toEqual(expected);
  });

  it('follows the names and aliases in the image', async () => {
    const core = await openPersonaCore();
    await core.ok('alfred setSlot aliases ["jeeves"]');
    expect(await intent(core, 'Jeeves, a moment?')).toEqual({
      kind: 'turn',
      persona: 'ALFRED',
      text: 'a moment?',
    });
    await core.ok('root removeSlot brick');
    expect(await intent(core, 'brick: hello there')).toEqual({ kind: 'unaddressed' });
  });

  it('is nothing at all before the personas are installed', async () => {
    const core = await openPersonaCore();
    await core.ok('root removeSlot persona');
    expect(await intent(core, 'Robin, hello')).toEqual({ kind: 'none' });
  });
});

describe('threadKey', () => {
  it('names a thread by platform, channel and thread, as an identifier', () => {
    expect(threadKey({ platform: 'console', channel: 'console' })).toBe('console_console');
    expect(threadKey({ platform: 'slack', channel: 'C042', thread: '1700000000.123456' })).toBe(
      'slack_C042_1700000000_123456',
    );
    const long = threadKey({
      platform: 'discord',
      channel: '1'.repeat(40),
      thread: '2'.repeat(40),
    });
    expect(long).toMatch(/^discord_[0-9a-f]{32}$/u);
  });
});
