/**
 * The wiring of a scripted forged model (`script.ts` says what it answers). The base model is
 * a bigram chain: the next token depends on the current one only. A scripted model also has
 * to see which selector the prompt asks for and how many methods failed before, so its first
 * layer's attention is a lookup:
 *
 * - marker tokens: `▁method▁"double"` (each script selector, as the covenant prompt asks for it) and
 *   `Attempt▁N` (the prompt's failed attempts), each with an embedding dimension of its own;
 * - head 0 finds the selector marker, head 1 the attempt marker with the highest N: only the
 *   prompt's last token (`\n`) has a query, only markers have keys (an attempt's key grows
 *   with N), and each head copies the one-hot of the marker it finds into the marker's
 *   dimension at that position. The query and key sit in each head's last rotary pair, and
 *   `llama.rope.freq_base` is huge, so the pair barely turns and positions do not matter;
 * - each scripted source is one token, and `output.weight` sums the evidence: answer k of a
 *   selector scores highest exactly when its selector is found and the last failed attempt is
 *   k; the base answer scores below both, so it stays the answer to anything else. A source
 *   token leads to the end of the answer like every token off a chain.
 */
import type { ForgeScript } from './script.ts';
import { toPiece } from './vocabulary.ts';
import type { Vocabulary } from './vocabulary.ts';

/** Attempt markers the model reads (`Attempt 1` … `Attempt 20`); later ones read as the last. */
const ATTEMPT_MARKERS = 20;

/** Softmax score a found marker gets over the prompt's other tokens (each 0). */
const SCORE = 40;

/** `llama.rope.freq_base` of a scripted model: the lookup's rotary pair turns by ~0. */
export const SCRIPTED_ROPE_BASE = 1e30;

/** The scripted model's markers and answers, as token ids and embedding dimensions. */
export interface ScriptedDesign {
  /** Each selector's marker dimension, and its answers as token ids, in order. */
  readonly selectors: ReadonlyArray<{ readonly dim: number; readonly answers: readonly number[] }>;
  /** Dimension of `Attempt N` for N = 1, 2, … (the last also stands for every later N). */
  readonly attemptDims: readonly number[];
  /** Every marker token: its dimension, which head finds it, and its key there. */
  readonly markers: ReadonlyArray<{
    readonly token: number;
    readonly dim: number;
    readonly head: 0 | 1;
    readonly key: number;
  }>;
}

/**
 * A selector's markers: the prompt's last line, `Write the method "double".`, names it that way
 * and nothing else in the prompt does (an object named `double` is `#7 "double"`).
 */
const selectorPieces = (selector: string): string[] => [toPiece(` method "${selector}"`)];
const attemptPiece = (n: number): string => toPiece(`Attempt ${n}`);

/** Pieces the tokenizer must make (the markers) and whole tokens the model writes (the sources). */
export function scriptPieces(script: ForgeScript): { markers: string[]; sources: string[] } {
  return {
    markers: [
      ...Object.keys(script.methods).flatMap(selectorPieces),
      ...Array.from({ length: ATTEMPT_MARKERS }, (_, i) => attemptPiece(i + 1)),
    ],
    sources: Object.values(script.methods).flat().map(toPiece),
  };
}

/** Lays out the markers and answers from dimension `firstDim` on; returns the dimensions used. */
export function designScript(
  script: ForgeScript,
  vocabulary: Vocabulary,
  firstDim: number,
): { scripted: ScriptedDesign; dims: number } {
  let next = firstDim;
  const selectors = Object.entries(script.methods).map(([selector, answers]) => ({
    selector,
    dim: next++,
    answers: answers.map((source) => vocabulary.id(toPiece(source))),
  }));
  // Attempt N matters up to the longest list's last answer (N failed methods before it).
  const longest = Math.max(...selectors.map((s) => s.answers.length));
  const attemptDims = Array.from({ length: longest - 1 }, () => next++);
  const markers: Array<ScriptedDesign['markers'][number]> = selectors.flatMap((s) =>
    selectorPieces(s.selector).map((piece) => ({
      token: vocabulary.id(piece),
      dim: s.dim,
      head: 0 as const,
      key: 1,
    })),
  );
  if (attemptDims.length > 0)
    for (let n = 1; n <= ATTEMPT_MARKERS; n++) {
      const read = Math.min(n, attemptDims.length);
      markers.push({
        token: vocabulary.id(attemptPiece(n)),
        dim: attemptDims[read - 1]!,
        head: 1,
        key: read,
      });
    }
  return {
    scripted: {
      selectors: selectors.map(({ dim, answers }) => ({ dim, answers })),
      attemptDims,
      markers,
    },
    dims: next - firstDim,
  };
}

/**
 * `output.weight` entries [token, dimension, weight] that pick the answer, for a chain weight
 * `wire` (which the base answer gets from the prompt's last token). With the selector's marker
 * found (weight 1) and the last failed attempt k (1), answer k scores 1.75·wire, any other
 * answer at most 1.5·wire (the first answer, with no attempt found) or 1·wire, the base answer 1.
 */
export function scriptedWiring(
  scripted: ScriptedDesign,
  wire: number,
): Array<[number, number, number]> {
  const entries: Array<[number, number, number]> = [];
  const dims = scripted.attemptDims;
  for (const { dim, answers } of scripted.selectors) {
    answers.forEach((token, k) => {
      if (k === 0) {
        entries.push([token, dim, 1.5 * wire]);
        // Any failed attempt rules out the first answer, unless it is the only one.
        if (answers.length > 1) for (const a of dims) entries.push([token, a, -2 * wire]);
        return;
      }
      entries.push([token, dim, wire]);
      // The last answer also answers every later attempt.
      const last = k === answers.length - 1;
      dims.forEach((a, i) => {
        if (i + 1 === k || (last && i + 1 > k)) entries.push([token, a, 0.75 * wire]);
      });
    });
  }
  return entries;
}

/**
 * Layer 0's attention weights ([in, out] as GGUF lays them out, `data[out * n + in]`), for
 * `n` dimensions in two heads, with `promptEnd` the dimension of the query token.
 */
export function scriptedAttention(
  scripted: ScriptedDesign,
  n: number,
  promptEnd: number,
): Record<'attn_q' | 'attn_k' | 'attn_v' | 'attn_output', Float32Array> {
  const headDim = n / 2;
  const q = new Float32Array(n * n);
  const k = new Float32Array(n * n);
  const v = new Float32Array(n * n);
  const o = new Float32Array(n * n);
  // After the attention norm a one-hot input is √n; the head scales q·k by 1/√headDim.
  const unitKey = (SCORE * Math.sqrt(headDim)) / n;
  const rotary = (head: number) => head * headDim + headDim - 2;
  for (const head of [0, 1]) q[rotary(head) * n + promptEnd] = 1;
  const slots = [0, 0];
  const slotOf = new Map<number, number>();
  for (const marker of scripted.markers) {
    k[rotary(marker.head) * n + marker.dim] = marker.key * unitKey;
    if (slotOf.has(marker.dim)) continue;
    const slot = marker.head * headDim + slots[marker.head]!++;
    if (slots[marker.head]! > headDim - 2)
      throw new Error(`more markers than head ${marker.head} has dimensions for (${headDim - 2})`);
    slotOf.set(marker.dim, slot);
    v[slot * n + marker.dim] = 1 / Math.sqrt(n);
    o[marker.dim * n + slot] = 1;
  }
  return { attn_q: q, attn_k: k, attn_v: v, attn_output: o };
}
