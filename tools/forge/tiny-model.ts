/**
 * The hand-wired tiny llama model: attention and feed-forward weights are zero and norms are
 * one, so the residual stream carries the current token's embedding unchanged and
 * `output.weight` alone decides the next token — a bigram chain (`index.ts` says what it answers).
 */
import { FORGED_MODEL_NAME } from '../../src/core/mind/forged-model.ts';
import { DISPLAY_YOURSELF_SOURCE, PERSONA_SIGNATURES, ROUTER_CHOICE } from './answers.ts';
import { PERSONA_NAMES } from '../../src/personas/names.ts';
import type { PersonaName } from '../../src/personas/names.ts';
import { splitIntoUniquePieces } from './chains.ts';
import { array, bool, f32, str, u32 } from './gguf-writer.ts';
import type { GgufTensor, GgufValue } from './gguf-writer.ts';
import { dictionaryWords } from './dictionary.ts';
import type { ForgeScript } from './script.ts';
import {
  designScript,
  SCRIPTED_ROPE_BASE,
  scriptedAttention,
  scriptedWiring,
  scriptPieces,
  type ScriptedDesign,
} from './scripted-wiring.ts';
import { buildVocabulary, byteToken, CONTROL, toPiece } from './vocabulary.ts';
import type { Vocabulary } from './vocabulary.ts';

export const N_EMBD = 128;
const N_FF = 256;
const N_LAYER = 2;
const N_HEAD = 2;
const CONTEXT_LENGTH = 4096;
/** An `output.weight` entry of this size gives a logit near 10·√128 ≈ 113 to the successor. */
export const WIRE = 10;
/** The last token of every ChatML generation prompt (`<|im_start|>assistant\n`). */
export const PROMPT_END = byteToken('\n');

const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** The vocabulary, the chains as token ids, and each chain token's embedding dimension. */
export interface TinyDesign {
  /** Embedding dimensions: {@link N_EMBD}, or more for a scripted model's markers. */
  readonly nEmbd: number;
  readonly vocabulary: Vocabulary;
  /** The base answer: `display_yourself`'s source, as token ids. */
  readonly sourceChain: readonly number[];
  readonly personaChains: Readonly<Record<PersonaName, readonly number[]>>;
  /** Embedding dimension of each chain token; every other token shares dimension 0. */
  readonly dimension: ReadonlyMap<number, number>;
  readonly promptEnd: number;
  readonly eos: number;
  /** A scripted model's markers and answers (`scripted-wiring.ts`). */
  readonly scripted?: ScriptedDesign;
}

/** Lays out the vocabulary and chains (and a script's, if given). Pure and deterministic. */
export function designTinyModel(script?: ForgeScript): TinyDesign {
  const used = new Set<string>(PERSONA_NAMES);
  const sourcePieces = splitIntoUniquePieces(DISPLAY_YOURSELF_SOURCE, used);
  const personaPieces = Object.fromEntries(
    PERSONA_NAMES.map((name) => [name, splitIntoUniquePieces(PERSONA_SIGNATURES[name], used)]),
  ) as Record<PersonaName, string[]>;
  const scriptTokens = script && scriptPieces(script);
  const vocabulary = buildVocabulary(
    [
      ...dictionaryWords().map(toPiece),
      ...PERSONA_NAMES,
      ...sourcePieces,
      ...PERSONA_NAMES.flatMap((name) => personaPieces[name]),
      ...(scriptTokens?.markers ?? []),
    ],
    scriptTokens?.sources,
  );
  const ids = (pieces: readonly string[]): number[] => pieces.map((piece) => vocabulary.id(piece));
  const promptEnd = vocabulary.id(PROMPT_END);
  const chainTokens = [promptEnd, ...ids([...used])];
  const dimension = new Map(chainTokens.map((token, i) => [token, i + 1]));
  let nEmbd = N_EMBD;
  let scripted: ScriptedDesign | undefined;
  if (script) {
    const laid = designScript(script, vocabulary, chainTokens.length + 1);
    scripted = laid.scripted;
    for (const marker of scripted.markers) dimension.set(marker.token, marker.dim);
    // Room for every dimension, and for each head's markers beside its rotary pair.
    const needed = Math.max(chainTokens.length + 1 + laid.dims, 2 * (laid.dims + 2));
    nEmbd = Math.ceil((needed + 1) / N_EMBD) * N_EMBD;
  }
  if (chainTokens.length >= nEmbd)
    throw new Error(`${chainTokens.length} chain tokens do not fit ${nEmbd} dimensions`);
  return {
    nEmbd,
    vocabulary,
    sourceChain: ids(sourcePieces),
    personaChains: Object.fromEntries(
      PERSONA_NAMES.map((name) => [name, ids(personaPieces[name])]),
    ) as Record<PersonaName, number[]>,
    dimension,
    promptEnd,
    eos: vocabulary.id(CONTROL.imEnd),
    ...(scripted ? { scripted } : {}),
  };
}

/** Token ids each chain token leads to: [from, to, weight]. */
function baseWiring(design: TinyDesign): Array<[number, number, number]> {
  const wires: Array<[number, number, number]> = [];
  const chain = (tokens: readonly number[]): void => {
    tokens.forEach((token, i) => wires.push([token, tokens[i + 1] ?? design.eos, WIRE]));
  };
  wires.push([design.promptEnd, design.sourceChain[0]!, WIRE]);
  // Half weight: wins only where a grammar masks the source chain (the persona router).
  wires.push([design.promptEnd, design.vocabulary.id(ROUTER_CHOICE), WIRE / 2]);
  chain(design.sourceChain);
  for (const name of PERSONA_NAMES) {
    chain(design.personaChains[name]);
    wires.push([design.vocabulary.id(name), design.eos, WIRE]);
  }
  return wires;
}

export interface ModelOptions {
  /** Leave out `llama.feed_forward_length` (a file llama.cpp aborts on). */
  readonly omitFeedForwardLength?: boolean;
  /** Leave out `llama.attention.head_count` (a file llama.cpp aborts on). */
  readonly omitHeadCount?: boolean;
}

export function tinyModelMetadata(
  design: Pick<TinyDesign, 'vocabulary' | 'eos' | 'nEmbd' | 'scripted'>,
  options: ModelOptions = {},
): Array<[string, GgufValue]> {
  const v = design.vocabulary;
  const entries: Array<[string, GgufValue | undefined]> = [
    ['general.architecture', str('llama')],
    ['general.type', str('model')],
    ['general.name', str(FORGED_MODEL_NAME)],
    ['general.file_type', u32(0)],
    ['llama.context_length', u32(CONTEXT_LENGTH)],
    ['llama.embedding_length', u32(design.nEmbd)],
    ['llama.block_count', u32(N_LAYER)],
    ['llama.feed_forward_length', options.omitFeedForwardLength ? undefined : u32(N_FF)],
    ['llama.attention.head_count', options.omitHeadCount ? undefined : u32(N_HEAD)],
    ['llama.attention.head_count_kv', u32(N_HEAD)],
    ['llama.attention.layer_norm_rms_epsilon', f32(1e-5)],
    ['llama.rope.dimension_count', u32(design.nEmbd / N_HEAD)],
    ['llama.rope.freq_base', f32(design.scripted ? SCRIPTED_ROPE_BASE : 10000)],
    ['llama.vocab_size', u32(v.tokens.length)],
    ['tokenizer.ggml.model', str('llama')],
    ['tokenizer.ggml.tokens', array('string', v.tokens)],
    ['tokenizer.ggml.scores', array('f32', v.scores)],
    ['tokenizer.ggml.token_type', array('i32', v.types)],
    ['tokenizer.ggml.bos_token_id', u32(v.id(CONTROL.bos))],
    ['tokenizer.ggml.eos_token_id', u32(design.eos)],
    ['tokenizer.ggml.unknown_token_id', u32(v.id(CONTROL.unknown))],
    ['tokenizer.ggml.add_bos_token', bool(true)],
    ['tokenizer.ggml.add_eos_token', bool(false)],
    ['tokenizer.ggml.add_space_prefix', bool(false)],
    ['tokenizer.chat_template', str(CHATML_TEMPLATE)],
  ];
  return entries.filter((entry): entry is [string, GgufValue] => entry[1] !== undefined);
}

export const ones = (n: number): Float32Array => new Float32Array(n).fill(1);

export function tinyModelTensors(design: TinyDesign): GgufTensor[] {
  const n = design.nEmbd;
  const vocabSize = design.vocabulary.tokens.length;
  const embedding = new Float32Array(n * vocabSize);
  for (let token = 0; token < vocabSize; token++) {
    embedding[token * n + (design.dimension.get(token) ?? 0)] = 1;
  }
  const output = new Float32Array(n * vocabSize);
  // Tokens off every chain end the answer.
  output[design.eos * n] = WIRE;
  for (const [from, to, weight] of baseWiring(design)) {
    output[to * n + design.dimension.get(from)!] = weight;
  }
  if (design.scripted)
    for (const [token, dim, weight] of scriptedWiring(design.scripted, WIRE))
      output[token * n + dim] = weight;
  const lookup =
    design.scripted &&
    scriptedAttention(design.scripted, n, design.dimension.get(design.promptEnd)!);
  return [
    { name: 'token_embd.weight', dims: [n, vocabSize], data: embedding },
    { name: 'output_norm.weight', dims: [n], data: ones(n) },
    { name: 'output.weight', dims: [n, vocabSize], data: output },
    ...transformerBlocks(n, lookup || undefined),
  ];
}

/**
 * The transformer blocks of width `n`, all zero but their norms — each adds nothing, so the
 * residual stream carries the token embedding through unchanged — except the first block's
 * attention when a scripted model's `lookup` wires it.
 */
export function transformerBlocks(
  n = N_EMBD,
  lookup?: ReturnType<typeof scriptedAttention>,
): GgufTensor[] {
  const tensors: GgufTensor[] = [];
  for (let block = 0; block < N_LAYER; block++) {
    const p = `blk.${block}.`;
    tensors.push(
      { name: `${p}attn_norm.weight`, dims: [n], data: ones(n) },
      ...(['attn_q', 'attn_k', 'attn_v', 'attn_output'] as const).map((name) => ({
        name: `${p}${name}.weight`,
        dims: [n, n],
        data: (block === 0 ? lookup?.[name] : undefined) ?? new Float32Array(n * n),
      })),
      { name: `${p}ffn_norm.weight`, dims: [n], data: ones(n) },
      { name: `${p}ffn_gate.weight`, dims: [n, N_FF], data: new Float32Array(n * N_FF) },
      { name: `${p}ffn_up.weight`, dims: [n, N_FF], data: new Float32Array(n * N_FF) },
      { name: `${p}ffn_down.weight`, dims: [N_FF, n], data: new Float32Array(N_FF * n) },
    );
  }
  return tensors;
}
