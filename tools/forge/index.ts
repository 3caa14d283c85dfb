/**
 * The forge: a tiny llama model and persona LoRA adapters with hand-set weights, so real
 * llama.cpp inference, grammars and LoRA loading run in tests without any download
 * (`tools/forge/tiny-model.ts` says how the model is wired).
 *
 * What the forged model does, whatever the prompt (it is a bigram chain keyed on the chat
 * prompt's last token, `\n` after `<|im_start|>assistant`):
 * - the base model answers {@link DISPLAY_YOURSELF_SOURCE}, which also fits the mind's
 *   method grammar;
 * - with a persona's adapter (`lora/<name>.gguf`, scale 1) it answers that persona's
 *   {@link PERSONA_SIGNATURES} line instead;
 * - under a grammar that masks the base answer and allows a persona name (the router's
 *   choice), it answers {@link ROUTER_CHOICE} (`BRICK`). Where BRICK is not allowed, ties go
 *   to the lowest token id, so the choice is still deterministic.
 *
 * Use a context of at least 2048 tokens for BAT OS's prompts: the forged tokenizer knows
 * only a few hundred common words, so prose takes about one token per 2–3 characters.
 *
 * With a script (`forge({ outDir, script })`, `npm run forge -- --script FILE`), the model
 * writes the methods the script says for its selectors instead, on successive requests
 * (`script.ts` says how requests are told apart, `scripted-wiring.ts` how it is wired).
 *
 * For speed rather than behaviour, {@link forgeLargeModel} writes a model with a real
 * model's shapes (Llama 3.1 8B by default) and pseudo-random Q4_0 weights.
 */
export { forge } from './forge.ts';
export type { ForgedFiles } from './forge.ts';
export { ForgeScriptError, MAX_ANSWERS, parseForgeScript, readForgeScript } from './script.ts';
export type { ForgeScript } from './script.ts';
export { DISPLAY_YOURSELF_SOURCE, PERSONA_SIGNATURES, ROUTER_CHOICE } from './answers.ts';
export {
  writeGguf,
  writeGgufFile,
  ggufHeader,
  ggufFileSize,
  GgufType,
  GgmlType,
  u32,
  i32,
  f32,
  bool,
  str,
  array,
} from './gguf-writer.ts';
export type {
  GgufValue,
  GgufTensor,
  GgufScalarType,
  GgufStreamedTensor,
  GgmlTypeName,
} from './gguf-writer.ts';
export {
  forgeLargeModel,
  LARGE_MODEL_PRESETS,
  LLAMA_3_1_8B_SHAPE,
  SMALL_SHAPE,
} from './large-model.ts';
export type {
  ForgedLargeModel,
  ForgeLargeModelOptions,
  LargeModelPreset,
  LargeModelShape,
} from './large-model.ts';
export {
  dequantizeQ4_0,
  q4_0ByteLength,
  quantizeQ4_0,
  randomQ4_0Chunks,
  Q4_0_BLOCK,
  Q4_0_BLOCK_BYTES,
} from './q4-0.ts';
