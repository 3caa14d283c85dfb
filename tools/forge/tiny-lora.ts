/**
 * Persona adapters for the tiny model: a rank-1 LoRA on `output.weight` that re-wires the
 * chat prompt's last token from the base answer to the persona's signature chain. The
 * signature chains themselves are already wired in the base model; only the entry changes.
 */
import type { PersonaName } from '../../src/personas/names.ts';
import { f32, str, u32 } from './gguf-writer.ts';
import type { GgufTensor, GgufValue } from './gguf-writer.ts';
import { WIRE } from './tiny-model.ts';
import type { TinyDesign } from './tiny-model.ts';

/** Added to the new successor's logit and taken from the old one (times √128 after the norm). */
const REWIRE = 2 * WIRE;

export interface AdapterOptions {
  /** Write `adapter.lora.alpha` as a u32 instead of FLOAT32 (a file llama.cpp aborts on). */
  readonly integerAlpha?: boolean;
  /** Claim another architecture than the base model's. */
  readonly architecture?: string;
}

export function tinyAdapterMetadata(
  persona: PersonaName,
  options: AdapterOptions = {},
): Array<[string, GgufValue]> {
  return [
    ['general.architecture', str(options.architecture ?? 'llama')],
    ['general.type', str('adapter')],
    ['general.name', str(`batos-tiny-${persona.toLowerCase()}`)],
    ['adapter.type', str('lora')],
    // alpha = rank, so the effective scale is the scale the context asks for.
    ['adapter.lora.alpha', options.integerAlpha ? u32(1) : f32(1)],
  ];
}

export function tinyAdapterTensors(design: TinyDesign, persona: PersonaName): GgufTensor[] {
  const vocabSize = design.vocabulary.tokens.length;
  const a = new Float32Array(design.nEmbd);
  a[design.dimension.get(design.promptEnd)!] = 1;
  const b = new Float32Array(vocabSize);
  b[design.personaChains[persona][0]!] = REWIRE;
  b[design.sourceChain[0]!] = -REWIRE;
  return [
    { name: 'output.weight.lora_a', dims: [design.nEmbd, 1], data: a },
    { name: 'output.weight.lora_b', dims: [1, vocabSize], data: b },
  ];
}
