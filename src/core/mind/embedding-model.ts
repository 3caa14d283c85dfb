/**
 * Whether BATOS_EMBEDDING_MODEL names a file llama.cpp can take: the check a start (and
 * `--check`) runs before anything loads, and the embedder's first step. Kept apart from the
 * embedder so that the check loads no llama.cpp.
 */
import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { GgufFileInfo } from 'node-llama-cpp';
import { MindError } from './errors.ts';
import { validateModelFile } from './gguf/validate.ts';

/**
 * The embedding model's absolute path and GGUF header, when it is a file llama.cpp can take
 * (the checks a start runs, and the load). Rejects with a {@link MindError}: 'no-model' or
 * 'invalid-model', naming the file.
 */
export async function checkEmbeddingModel(
  model: string,
): Promise<{ path: string; info: GgufFileInfo }> {
  const path = resolve(model);
  try {
    await access(path);
  } catch (error) {
    throw new MindError('no-model', `There is no embedding model file at ${path}.`, {
      cause: error,
    });
  }
  return { path, info: await validateModelFile(path) };
}
