/**
 * The forged embedding model: the tiny model's shape (blocks that add nothing, see
 * `tiny-model.ts`) with mean pooling, so a text's embedding is the mean of its tokens'
 * embeddings. The words of each {@link EMBEDDING_TOPICS} group share one dimension, so texts
 * about one topic lie close though they share no word; every other token has a dimension of
 * its own among the rest (shared only where there are more tokens than dimensions).
 */
import { FORGED_MODEL_NAME } from '../../src/core/mind/forged-model.ts';
import { str, u32 } from './gguf-writer.ts';
import type { GgufTensor, GgufValue } from './gguf-writer.ts';
import { dictionaryWords } from './dictionary.ts';
import { N_EMBD, ones, transformerBlocks, tinyModelMetadata } from './tiny-model.ts';
import { buildVocabulary, CONTROL, toPiece, TokenType } from './vocabulary.ts';
import type { Vocabulary } from './vocabulary.ts';

/** Words that mean alike to the forged embedder: each group is one topic. */
export const EMBEDDING_TOPICS: readonly (readonly string[])[] = [
  ['tea', 'chamomile', 'coffee', 'espresso', 'drink'],
  ['sister', 'brother', 'sibling', 'aunt', 'family'],
  ['Porto', 'Lisbon', 'Portugal', 'city'],
  ['cat', 'dog', 'kitten', 'puppy', 'pet'],
  ['guitar', 'piano', 'violin', 'music'],
];

/** llama.cpp's `LLAMA_POOLING_TYPE_MEAN`. */
const MEAN_POOLING = 1;

/** Every form of a word the vocabulary holds: as written and lower-cased, alone and after a space. */
function forms(word: string): string[] {
  return [...new Set([word, word.toLowerCase()])].flatMap((w) => [w, ` ${w}`]).map(toPiece);
}

function embedderVocabulary(): Vocabulary {
  return buildVocabulary([
    ...dictionaryWords().map(toPiece),
    ...EMBEDDING_TOPICS.flat().flatMap(forms),
  ]);
}

/** The embedder's GGUF metadata: the tiny model's, named apart, with mean pooling. */
export function tinyEmbedderMetadata(): Array<[string, GgufValue]> {
  const vocabulary = embedderVocabulary();
  const entries = tinyModelMetadata({
    vocabulary,
    eos: vocabulary.id(CONTROL.eos),
    nEmbd: N_EMBD,
  }).filter(([key]) => key !== 'general.name' && key !== 'tokenizer.chat_template');
  return [
    ...entries,
    ['general.name', str(`${FORGED_MODEL_NAME} embedder`)],
    ['llama.pooling_type', u32(MEAN_POOLING)],
  ];
}

export function tinyEmbedderTensors(): GgufTensor[] {
  const vocabulary = embedderVocabulary();
  const vocabSize = vocabulary.tokens.length;
  const topicOf = new Map<number, number>();
  EMBEDDING_TOPICS.forEach((words, topic) => {
    for (const piece of words.flatMap(forms)) topicOf.set(vocabulary.id(piece), topic);
  });
  const spare = N_EMBD - EMBEDDING_TOPICS.length;
  const embedding = new Float32Array(N_EMBD * vocabSize);
  for (let token = 0; token < vocabSize; token++) {
    // Control tokens (the BOS every text starts with) stay zero: they say nothing of a text.
    if (vocabulary.types[token] === TokenType.control) continue;
    const dimension = topicOf.get(token) ?? EMBEDDING_TOPICS.length + (token % spare);
    embedding[token * N_EMBD + dimension] = 1;
  }
  return [
    { name: 'token_embd.weight', dims: [N_EMBD, vocabSize], data: embedding },
    { name: 'output_norm.weight', dims: [N_EMBD], data: ones(N_EMBD) },
    {
      name: 'output.weight',
      dims: [N_EMBD, vocabSize],
      data: new Float32Array(N_EMBD * vocabSize),
    },
    ...transformerBlocks(),
  ];
}
