/**
 * A newcomer's first messages (issue #21), through the real Bot over a real SQLite image with
 * the personas wired in: once without a model, as a fresh clone starts, and once with the
 * forged model for the rows that are conversation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helpText } from '../../../src/core/bot/help.ts';
import { howToGetAModel, type Mind } from '../../../src/core/mind/index.ts';
import type { Reply } from '../../../src/core/protocol.ts';
import { QuickJsMethodRunner } from '../../../src/core/sandbox/index.ts';
import { MindMethodWriter } from '../../../src/core/uvm/mind-writer.ts';
import { PERSONA_SIGNATURES } from '../../../tools/forge/index.ts';
import { FORGED_MODEL_NOTE } from '../../../src/core/mind/forged-model.ts';
import {
  loadTinyMind,
  loraFolder,
  openPersonaCore,
  type PersonaCore,
} from '../../support/personas.ts';
import { operator } from '../../support/core.ts';
import { replyToPlainText } from '../../support/reply-text.ts';

/** What kind of reply a message must get. */
type Expected =
  /** A persona answers: conversation. */
  | { readonly kind: 'persona' }
  /** The image answers, and the reply matches. */
  | { readonly kind: 'ok'; readonly text: RegExp }
  /** An error that says what is wrong, and nothing changes. */
  | { readonly kind: 'error'; readonly text: RegExp }
  /** "did you mean …?", and nothing changes. */
  | { readonly kind: 'typo'; readonly meant: string }
  /** A method to write: without a model, how to get one. */
  | { readonly kind: 'needs-model' };

const persona: Expected = { kind: 'persona' };
const ok = (text: RegExp): Expected => ({ kind: 'ok', text });
const error = (text: RegExp): Expected => ({ kind: 'error', text });
const typo = (meant: string): Expected => ({ kind: 'typo', meant });
const HELP = new RegExp(`^\`\`\`\\n${helpText().slice(0, 40)}`);
const LONG = 'a'.repeat(3_000);

/** The newcomer's messages, in the order they are sent to one image. */
const TABLE: ReadonlyArray<readonly [string, Expected]> = [
  // Greetings and questions: a persona answers.
  ['hi', persona],
  ['hello', persona],
  ['hey there', persona],
  ['good morning!', persona],
  ['what can you do?', persona],
  ['who are you?', persona],
  ['how do I make an object?', persona],
  ['is anyone there?', persona],
  ['thanks!', persona],
  ['ok', persona],
  ['hell yes', persona],
  ['nosuchthing color', persona],
  ['ROBIN, hi', persona],
  ['brick: how would you split this service?', persona],
  // Help, in any case.
  ['help', ok(HELP)],
  ['HELP', ok(HELP)],
  ['Help', ok(HELP)],
  // Typos of commands: a suggestion, nothing else.
  ['hepl', typo('help')],
  ['hlep', typo('help')],
  ['help?', typo('help')],
  ['histroy', typo('history')],
  ['histroy genesis', typo('history')],
  ['udno', typo('undo')],
  ['udno 12', typo('undo')],
  ['colect', typo('collect')],
  ['upgarde', typo('upgrade')],
  // The README's own examples.
  ['genesis slotNames', ok(/^\["parent\*"\]$/)],
  ['genesis setSlot color "blue"', ok(/^blue$/)],
  ['genesis color', ok(/^blue$/)],
  ['genesis, what are you?', ok(/^#3 genesis: 2 slots — parent\*, color\nowner system/)],
  ['genesis, slotNames', ok(/^\["parent\*","color"\]$/)],
  ['genesis describe', ok(/^#3 genesis: 2 slots/)],
  ['display_yourself', { kind: 'needs-model' }],
  ['genesis frobnicate', { kind: 'needs-model' }],
  ['@nosuchthing color', error(/^There is no object named "nosuchthing"/)],
  ['genesis setSlot x "oops', error(/is not closed: check its quotes/)],
  // Sends with unicode slot names and long arguments.
  ['genesis setSlot café 1', ok(/^1$/)],
  ['genesis café', ok(/^1$/)],
  ['genesis setSlot Straße "Hauptstraße"', ok(/^Hauptstraße$/)],
  ['genesis setSlot gеnesis 1', error(/is not a slot name/)], // a Cyrillic е
  [`genesis setSlot long "${LONG}"`, ok(new RegExp(`^${LONG}$`))],
  [`genesis setSlot huge "${'a'.repeat(4_100)}"`, error(/characters long; the limit is 4000/)],
  // History, every form.
  ['history', ok(/the last \d+ by people, newest first/)],
  ['History', ok(/· "genesis setSlot café 1"/)],
  ['history all', ok(/^tx 1 · .* · system:test$/m)],
  ['history 1', ok(/^```\ntx 1 · .* · system:test\n/)],
  ['history genesis', ok(/#3 genesis color: \(absent\) → "blue"/)],
  ['history 36x', error(/"36x" is not an object, a transaction or `all`/)],
  ['undo', ok(/^Undid transaction \d+\.$/)],
];

/** The no-model guidance as the composition root gives it, for the default model. */
const NO_MODEL = howToGetAModel('hf:bartowski/Meta-Llama-3.1-8B-Instruct-GGUF:Q4_K_M', 'models');

/** Sends `text` as the console operator, keeping the status lines the bot reported. */
async function say(core: PersonaCore, text: string): Promise<{ reply: Reply; statuses: string[] }> {
  const statuses: string[] = [];
  const reply = await core.bot.handle(
    {
      platform: 'console',
      sender: operator,
      channel: 'console',
      text,
      mentions: [],
      adminChannel: true,
    },
    { status: (line) => statuses.push(line) },
  );
  return { reply, statuses };
}

/** Every transaction, BAT OS's own too: what must not change on a typo or an error. */
const everything = (core: PersonaCore) => core.ok('history all');

/** Checks the rows that are not conversation, the same with or without a model. */
async function checkImageRow(core: PersonaCore, text: string, expected: Expected): Promise<void> {
  const before = await everything(core);
  const { reply } = await say(core, text);
  const said = replyToPlainText(reply);
  expect(reply.persona, `${text} → ${said}`).toBeUndefined();
  switch (expected.kind) {
    case 'ok':
      expect(reply.status, `${text} → ${said}`).toBe('ok');
      expect(said, text).toMatch(expected.text);
      return;
    case 'error':
      expect(reply.status, `${text} → ${said}`).toBe('error');
      expect(said, text).toMatch(expected.text);
      break;
    case 'typo':
      expect(reply.status, `${text} → ${said}`).toBe('error');
      expect(said, text).toBe(
        `"${text.split(' ')[0]}" is not a command: did you mean \`${expected.meant}\`? Nothing was changed. \`help\` lists what you can say.`,
      );
      break;
    default:
      throw new Error(`${text}: not an image row`);
  }
  expect(await everything(core), `${text} changed the image`).toBe(before);
}

describe("a newcomer's first messages, without a model", () => {
  it('has a table of at least 40 messages', () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(40);
  });

  it('answers each with the kind of reply it should, and says how to get a model', async () => {
    const core = await openPersonaCore({
      uvm: { noWriterReason: `no model is loaded to write it. ${NO_MODEL}` },
      conversation: { noModelReason: NO_MODEL },
    });
    for (const [text, expected] of TABLE) {
      if (expected.kind === 'persona' || expected.kind === 'needs-model') {
        const before = await everything(core);
        const { reply, statuses } = await say(core, text);
        const said = replyToPlainText(reply);
        expect(reply.status, `${text} → ${said}`).toBe('error');
        if (expected.kind === 'persona') {
          expect(reply.persona, text).toBeDefined();
          expect(said, text).toMatch(/cannot speak without a model\./);
          expect(statuses, text).toEqual([]);
        } else expect(said, text).toMatch(/does not understand \w+, and no model is loaded/);
        // The forged model comes first: no download.
        expect(said, text).toMatch(
          /To try it without a download, run "npm run forge" .* For real answers, run "npm run models:pull"/,
        );
        expect(await everything(core), `${text} changed the image`).toBe(before);
      } else await checkImageRow(core, text, expected);
    }
  });
});

describe("a newcomer's conversation, with the forged model", () => {
  let mind: Mind;
  const checker = new QuickJsMethodRunner();
  beforeAll(async () => {
    mind = await loadTinyMind();
  });
  afterAll(async () => {
    await mind?.close();
    await checker.close();
  });

  it('has a persona answer each conversation row, saying once who picked it', async () => {
    const core = await openPersonaCore({
      loraDir: await loraFolder(),
      uvm: { writer: new MindMethodWriter(mind, checker) },
      conversation: { mind, modelNote: FORGED_MODEL_NOTE },
    });
    const signatures = Object.values(PERSONA_SIGNATURES);
    for (const [text, expected] of TABLE) {
      if (expected.kind !== 'persona') continue;
      const { reply, statuses } = await say(core, text);
      const said = replyToPlainText(reply);
      expect(reply.status, `${text} → ${said}`).toBe('ok');
      expect(reply.persona, text).toBeDefined();
      expect(signatures, `${text} → ${said}`).toContain(said.split('\n').at(-1));
      expect(said, text).toContain(`(${FORGED_MODEL_NOTE})`);
      // The routing line is in the reply once, and not also a status line.
      expect(said.match(/routed to/g)?.length ?? 0, text).toBeLessThanOrEqual(1);
      expect(
        statuses.filter((s) => /routed to/.test(s)),
        text,
      ).toEqual([]);
    }
    // Unaddressed rows say who picked the persona; addressed ones need not.
    const { reply } = await say(core, 'what can you do?');
    expect(replyToPlainText(reply)).toMatch(/^\(routed to [A-Z]+/);
    // Commands and typos read the same with a model: nothing is handed to a persona.
    for (const [text, expected] of TABLE)
      if (expected.kind === 'typo' || (expected.kind === 'ok' && text.startsWith('help')))
        await checkImageRow(core, text, expected);
  });
});
