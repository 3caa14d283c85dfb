/**
 * Where the model file comes from: a path on disk, or a URI (`hf:user/repo:quant`,
 * `https://…`) resolved in the models folder and downloaded there on first use.
 */
import { access, readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { MindError } from './errors.ts';

/** Download progress in bytes. */
export interface DownloadProgress {
  readonly downloadedBytes: number;
  readonly totalBytes: number;
}

interface RawProgress {
  readonly downloadedSize: number;
  readonly totalSize: number;
}

const toProgress = (s: RawProgress): DownloadProgress => ({
  downloadedBytes: s.downloadedSize,
  totalBytes: s.totalSize,
});

/** Whether a BATOS_MODEL value names a remote model rather than a file. */
export function isModelUri(model: string): boolean {
  return /^(hf:|https?:\/\/)/i.test(model);
}

/**
 * The guidance every 'no-model' error ends with: first the forged test model, which needs
 * no download (a newcomer can try the personas at once), then the real one.
 */
export function howToGetAModel(model: string, modelsDir: string): string {
  const pull = isModelUri(model)
    ? `run "npm run models:pull" to download ${model} into ${modelsDir}/`
    : 'run "npm run models:pull" to download the default model (about 4.9 GB)';
  return `To try it without a download, run "npm run forge" (a tiny test model with fixed answers) and start BAT OS with the line it prints. For real answers, ${pull}, or set BATOS_MODEL to the path of a GGUF file. Until then, everything that needs no model keeps working.`;
}

/**
 * Resolves the model to a local file path. With `download`, a missing remote model is
 * fetched (resumable, into `modelsDir`); otherwise, or when the network is unreachable,
 * rejects with a 'no-model' {@link MindError} that says how to get a model.
 */
export async function resolveModelPath(
  model: string,
  modelsDir: string,
  {
    download = true,
    onProgress,
    signal,
  }: {
    download?: boolean;
    onProgress?: (progress: DownloadProgress) => void;
    signal?: AbortSignal;
  } = {},
): Promise<string> {
  if (!isModelUri(model)) {
    const path = resolve(model);
    try {
      await access(path);
      return path;
    } catch {
      throw new MindError(
        'no-model',
        `No model file at ${path}. ${howToGetAModel(model, modelsDir)}`,
      );
    }
  }
  // node-llama-cpp finds a downloaded model only directly in the folder, named .gguf: where
  // there is none, say so without loading it (about half a second of a start).
  if (!download && !(await hasGgufFile(modelsDir)))
    throw new MindError(
      'no-model',
      `The model ${model} is not downloaded yet. ${howToGetAModel(model, modelsDir)}`,
    );
  try {
    const { resolveModelFile } = await import('node-llama-cpp');
    return await resolveModelFile(model, {
      directory: resolve(modelsDir),
      download: download ? 'auto' : false,
      cli: false,
      deleteTempFileOnCancel: false,
      ...(signal ? { signal } : {}),
      ...(onProgress ? { onProgress: (s: RawProgress) => onProgress(toProgress(s)) } : {}),
    });
  } catch (error) {
    const why = download
      ? `could not be downloaded (${(error as Error).message})`
      : 'is not downloaded yet';
    throw new MindError(
      'no-model',
      `The model ${model} ${why}. ${howToGetAModel(model, modelsDir)}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Downloads a remote model into `modelsDir`, resuming a download that was interrupted, and
 * returns the file's path. For the `models:pull` script; `showProgress` draws a progress bar.
 */
export async function pullModel(
  model: string,
  modelsDir: string,
  {
    showProgress = false,
    onProgress,
  }: { showProgress?: boolean; onProgress?: (progress: DownloadProgress) => void } = {},
): Promise<string> {
  if (!isModelUri(model)) {
    throw new MindError(
      'config',
      `BATOS_MODEL is a file path (${model}); only a URI (hf:…, https://…) can be pulled.`,
    );
  }
  try {
    const { createModelDownloader } = await import('node-llama-cpp');
    const downloader = await createModelDownloader({
      modelUri: model,
      dirPath: resolve(modelsDir),
      showCliProgress: showProgress,
      skipExisting: true,
      deleteTempFileOnCancel: false,
      ...(onProgress ? { onProgress: (s: RawProgress) => onProgress(toProgress(s)) } : {}),
    });
    return await downloader.download();
  } catch (error) {
    throw new MindError(
      'no-model',
      `Could not download ${model} (${(error as Error).message}). Check the network and run again (the download resumes), or set BATOS_MODEL to the path of a GGUF file.`,
      { cause: error },
    );
  }
}

/** Whether `dir` holds anything named `*.gguf` (a file, or a link to one), not looking deeper. */
async function hasGgufFile(dir: string): Promise<boolean> {
  try {
    return (await readdir(resolve(dir))).some((name) => name.endsWith('.gguf'));
  } catch {
    return false;
  }
}
