/**
 * What the pLLM object records about the loaded model: identity and provenance, never the
 * weights.
 */
import { GgufFileType } from 'node-llama-cpp';
import type { GgufFileInfo } from 'node-llama-cpp';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { sha256OfFile } from './file-hash.ts';

export interface ModelMetadata {
  /** `<file name>@<first 12 hex digits of the sha256>`: what method provenance records. */
  readonly id: string;
  /** Absolute path of the GGUF file. */
  readonly file: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  /** `general.architecture`, e.g. `llama`. */
  readonly architecture: string;
  /** `general.name`, when the file has one. */
  readonly name: string | null;
  /** The quantisation named by `general.file_type`, e.g. `Q4_K_M`, `F32`. */
  readonly quantisation: string | null;
  /** The context length the model was trained with. */
  readonly contextLength: number | null;
}

function quantisationOf(fileType: unknown): string | null {
  if (typeof fileType !== 'number') return null;
  const name = GgufFileType[fileType];
  return name ? name.replace(/^(MOSTLY|ALL)_/, '') : `file type ${fileType}`;
}

/** Describes a validated model file; hashes it (or reads the cached digest). */
export async function describeModel(
  file: string,
  info: GgufFileInfo,
  hashCacheDir: string,
): Promise<ModelMetadata> {
  const [{ size }, sha256] = await Promise.all([stat(file), sha256OfFile(file, hashCacheDir)]);
  const general = info.metadata.general;
  const contextLength = (info.architectureMetadata as { context_length?: unknown }).context_length;
  return {
    id: `${basename(file)}@${sha256.slice(0, 12)}`,
    file,
    sizeBytes: size,
    sha256,
    architecture: general.architecture,
    name: typeof general.name === 'string' ? general.name : null,
    quantisation: quantisationOf(general.file_type),
    contextLength: typeof contextLength === 'number' ? contextLength : null,
  };
}
