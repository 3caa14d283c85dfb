/**
 * A real core with the personas wired in as the composition root wires them (primitives,
 * installed objects, the conversation hook), and the forged model for the ones that speak.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import type { Send } from '../../src/core/protocol.ts';
import { replyToPlainText } from './reply-text.ts';
import type { BotOptions, Conversation } from '../../src/core/bot/bot.ts';
import type { UvmOptions } from '../../src/core/uvm/uvm.ts';
import { Mind, type MindConfig } from '../../src/core/mind/index.ts';
import { QuickJsMethodRunner } from '../../src/core/sandbox/index.ts';
import type { PrimitiveTable } from '../../src/core/uvm/primitives.ts';
import { forged, tinyConfig } from './forged.ts';
import {
  installPersonas,
  PERSONA_HELP,
  PERSONA_NAMES,
  PersonaConversation,
  personaPrimitives,
  personaSlotRule,
  PERSONA_PROTOTYPE_NAME,
  type ConversationOptions,
} from '../../src/personas/index.ts';
import { openTestCore, type TestCore } from './core.ts';
import { tempDir } from './temp.ts';

/**
 * The mind's configuration for the forged model, with a persona-sized context and a
 * sequence for each of four threads at once.
 */
export function tinyMindConfig(model: string, overrides: Partial<MindConfig> = {}): MindConfig {
  return tinyConfig(model, { contextSize: 2048, sequences: 4, maxReplyTokens: 96, ...overrides });
}

/** Loads a mind on the forged model, closed after the test file. */
export async function loadTinyMind(overrides: Partial<MindConfig> = {}): Promise<Mind> {
  const files = await forged();
  return Mind.load(tinyMindConfig(files.model, overrides));
}

/** A fresh LoRA folder holding a copy of each forged persona adapter. */
export async function loraFolder(): Promise<string> {
  const files = await forged();
  const dir = join(tempDir('batos-lora-'), 'lora');
  await mkdir(dir);
  await Promise.all(
    PERSONA_NAMES.map((name) =>
      copyFile(files.adapters[name], join(dir, `${name.toLowerCase()}.gguf`)),
    ),
  );
  return dir;
}

export interface PersonaCore extends TestCore {
  readonly loraDir: string;
  readonly conversation: PersonaConversation;
  readonly checkMethod: (source: string) => void;
}

/**
 * A test core with the persona primitives, the persona objects and the conversation. The
 * primitives and the hook need the image and the UVM that `openTestCore` creates, so they
 * are bound to them once it has.
 */
export async function openPersonaCore(
  options: {
    imagePath?: string;
    loraDir?: string;
    conversation?: Partial<Omit<ConversationOptions, 'uvm' | 'loraDir' | 'checkMethod'>>;
    /** UVM options beyond the personas' (a method writer, quotas). */
    uvm?: Partial<Omit<UvmOptions, 'image' | 'runner' | 'primitives' | 'slotRules'>>;
    bot?: Partial<Omit<BotOptions, 'uvm' | 'conversation'>>;
  } = {},
): Promise<PersonaCore> {
  const loraDir = options.loraDir ?? join(tempDir('batos-nolora-'), 'lora');
  const checker = new QuickJsMethodRunner();
  afterEach(() => checker.close());
  const checkMethod = (source: string) => checker.check(source);
  const late: { primitives?: PrimitiveTable; conversation?: PersonaConversation } = {};
  const hook: Conversation = {
    read: (...args) => late.conversation!.read(...args),
    personaNamed: (...args) => late.conversation!.personaNamed(...args),
  };
  const core = await openTestCore({
    ...(options.imagePath ? { imagePath: options.imagePath } : {}),
    uvm: {
      primitives: {
        auditPersistence: (call) => late.primitives!.auditPersistence!(call),
        describePersona: (call) => late.primitives!.describePersona!(call),
        lastAudit: (call) => late.primitives!.lastAudit!(call),
      },
      slotRules: [personaSlotRule(PERSONA_PROTOTYPE_NAME)],
      ...options.uvm,
    },
    bot: { conversation: hook, personaHelp: PERSONA_HELP, ...options.bot },
  });
  late.primitives = personaPrimitives({ image: core.image, loraDir });
  await installPersonas(core.uvm, { who: 'system:test', platform: 'console' });
  const conversation = new PersonaConversation({
    uvm: core.uvm,
    loraDir,
    checkMethod,
    ...options.conversation,
  });
  late.conversation = conversation;
  return { ...core, loraDir, conversation, checkMethod };
}

/**
 * Counts the image reads `core`'s bot makes from now on: `readsFor(text, as)` says the
 * message and returns how many reads it took, failing the test unless the reply is ok.
 */
export function countReads(core: TestCore): (text: string, as?: Partial<Send>) => Promise<number> {
  let reads = 0;
  const read = core.uvm.readCommitted.bind(core.uvm);
  core.uvm.readCommitted = (work) => {
    reads += 1;
    return read(work);
  };
  return async (text, as) => {
    reads = 0;
    const reply = await core.say(text, as);
    expect(reply.status, replyToPlainText(reply)).toBe('ok');
    return reads;
  };
}
