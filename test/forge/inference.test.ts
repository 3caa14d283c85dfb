import { getLlama, LlamaChatSession, LlamaLogLevel } from 'node-llama-cpp';
import type { Llama, LlamaModel } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DISPLAY_YOURSELF_SOURCE,
  forge,
  PERSONA_SIGNATURES,
  ROUTER_CHOICE,
} from '../../tools/forge/index.ts';
import type { ForgedFiles } from '../../tools/forge/index.ts';

let files: ForgedFiles;
let llama: Llama;
let model: LlamaModel;
beforeAll(async () => {
  files = await forge({ outDir: join(tmpdir(), 'batos-forge-tests') });
  llama = await getLlama({
    gpu: false,
    build: 'never',
    maxThreads: 1,
    logLevel: LlamaLogLevel.error,
  });
  model = await llama.loadModel({ modelPath: files.model });
});
afterAll(async () => {
  await model?.dispose();
  await llama?.dispose();
});

async function ask(adapter: string | undefined, grammarText?: string): Promise<string> {
  const context = await model.createContext({
    contextSize: 512,
    ...(adapter ? { lora: { adapters: [{ filePath: adapter }] } } : {}),
  });
  try {
    const session = new LlamaChatSession({
      contextSequence: context.getSequence(),
      systemPrompt: 'Be brief.',
    });
    const grammar = grammarText ? await llama.createGrammar({ grammar: grammarText }) : undefined;
    return await session.prompt('Hello there.', {
      temperature: 0,
      maxTokens: 100,
      ...(grammar ? { grammar } : {}),
    });
  } finally {
    await context.dispose();
  }
}

describe('the forged model in plain node-llama-cpp', () => {
  it('answers any chat prompt with display_yourself', async () => {
    expect(await ask(undefined)).toBe(DISPLAY_YOURSELF_SOURCE);
  });

  it('answers with a persona signature through its adapter', async () => {
    expect(await ask(files.adapters.ALFRED)).toBe(PERSONA_SIGNATURES.ALFRED);
  });

  it('picks the documented persona under a choice grammar', async () => {
    expect(await ask(undefined, 'root ::= "ROBIN" | "BRICK" | "BABS" | "ALFRED"')).toBe(
      ROUTER_CHOICE,
    );
  });
});
