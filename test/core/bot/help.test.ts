import { describe, expect, it } from 'vitest';
import { helpText } from '../../../src/core/bot/help.ts';
import { imageNameView, messageKind } from '../../../src/core/bot/message-kind.ts';
import { PERSONA_CODEX, PERSONA_HELP, PERSONA_NAMES } from '../../../src/personas/index.ts';
import { openPersonaCore } from '../../support/personas.ts';

const HELP_TEXT = helpText(PERSONA_HELP);

describe('help', () => {
  it('fits one screen', () => {
    const lines = HELP_TEXT.split('\n');
    expect(lines.length).toBeLessThanOrEqual(40);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(90);
  });

  it('names the personas, free text, sends, commands and who may use them', () => {
    for (const { name, topics } of PERSONA_CODEX)
      expect(HELP_TEXT).toContain(`${name} (${topics})`);
    expect(HELP_TEXT).toMatch(/Plain words are conversation; a persona answers/);
    expect(HELP_TEXT).toMatch(/<object> <selector> \[arguments\]/);
    for (const command of ['help', 'history', 'undo', 'collect', 'backup', 'upgrade'])
      expect(HELP_TEXT).toMatch(new RegExp(`^ {2}${command}\\b`, 'm'));
    expect(HELP_TEXT).toMatch(/undo \[tx\] +everyone, their own sends; admins, anyone's/);
    expect(HELP_TEXT).toMatch(/collect \[days\] +admins:/);
    expect(HELP_TEXT).toMatch(/backup \[file\] +admins:/);
  });

  it('says no persona is here when none are wired, and names none', () => {
    const bare = helpText();
    expect(bare).toMatch(/no persona is here to answer/);
    for (const name of PERSONA_NAMES) expect(bare).not.toContain(name);
    // The personas' lines stand where the one "no persona" line stands.
    expect(bare.split('\n').length).toBe(
      HELP_TEXT.split('\n').length - PERSONA_HELP.split('\n').length + 1,
    );
  });

  it('gives examples that the bot reads as help says', async () => {
    const core = await openPersonaCore();
    const examples = {
      conversation: [
        'hi',
        'what can you do?',
        'how do I make an object?',
        'what do you remember about me?',
        'forget 2',
      ],
      send: [
        'genesis slotNames',
        'widget setSlot size 3',
        '#9 name widget',
        'root slotNames',
        'clone',
        'display_yourself',
        'auditPersistence',
        'frobnicate:',
        'genesis frobnicate',
        'genesis, what are you?',
      ],
    } as const;
    for (const [kind, texts] of Object.entries(examples))
      for (const text of texts) {
        expect(HELP_TEXT).toContain(text);
        expect(
          await core.uvm.readCommitted((tx) =>
            messageKind(text, imageNameView(tx, 'console:operator')),
          ),
          text,
        ).toBe(kind);
      }
  });
});
