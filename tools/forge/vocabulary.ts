/**
 * A SentencePiece-style ("llama") vocabulary for the forged model: control tokens, the 256
 * byte tokens, then ordinary pieces with `▁` standing for a space.
 */

/** Token types as llama.cpp numbers them. */
export const TokenType = { normal: 1, unknown: 2, control: 3, byte: 6 } as const;

export const SPACE_MARK = '\u2581';

/** The control tokens, in id order. */
export const CONTROL = {
  unknown: '<unk>',
  bos: '<s>',
  eos: '</s>',
  imStart: '<|im_start|>',
  imEnd: '<|im_end|>',
} as const;

export interface Vocabulary {
  readonly tokens: readonly string[];
  readonly scores: readonly number[];
  readonly types: readonly number[];
  /** Token id of a piece (a piece uses `▁` for spaces) or of a control / byte token. */
  id(piece: string): number;
}

/** The byte token for a one-byte character, e.g. `\n` → `<0x0A>`. */
export function byteToken(char: string): string {
  const code = Buffer.from(char, 'utf8');
  if (code.length !== 1) throw new Error(`not a one-byte character: ${JSON.stringify(char)}`);
  return `<0x${code[0]!.toString(16).toUpperCase().padStart(2, '0')}>`;
}

/** Text as a piece: spaces become `▁`. */
export function toPiece(text: string): string {
  return text.replaceAll(' ', SPACE_MARK);
}

/**
 * Builds the vocabulary. Every multi-character piece also gets all of its prefixes, scored
 * by length, so llama.cpp's merge tokenizer rebuilds whole pieces from characters. `whole`
 * pieces come last and without prefixes: tokens the model writes but the tokenizer never
 * makes, so they change how no prompt is read.
 */
export function buildVocabulary(
  pieces: Iterable<string>,
  whole: Iterable<string> = [],
): Vocabulary {
  const tokens: string[] = [];
  const scores: number[] = [];
  const types: number[] = [];
  const ids = new Map<string, number>();
  const add = (token: string, type: number, score: number): void => {
    if (ids.has(token)) return;
    ids.set(token, tokens.length);
    tokens.push(token);
    types.push(type);
    scores.push(score);
  };
  add(CONTROL.unknown, TokenType.unknown, 0);
  for (const token of [CONTROL.bos, CONTROL.eos, CONTROL.imStart, CONTROL.imEnd]) {
    add(token, TokenType.control, 0);
  }
  for (let byte = 0; byte < 256; byte++) {
    add(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`, TokenType.byte, 0);
  }
  for (const piece of pieces) {
    const chars = [...piece];
    for (let length = 1; length <= chars.length; length++) {
      const prefix = chars.slice(0, length).join('');
      add(prefix, TokenType.normal, prefix.length);
    }
  }
  for (const piece of whole) add(piece, TokenType.normal, [...piece].length);
  return {
    tokens,
    scores,
    types,
    id(piece) {
      const id = ids.get(piece);
      if (id === undefined) throw new Error(`no token for ${JSON.stringify(piece)}`);
      return id;
    },
  };
}
