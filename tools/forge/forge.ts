/**
 * Writes the tiny model, the persona adapters and a few deliberately malformed files into a
 * directory. Idempotent and safe across processes: a file whose bytes already match is left
 * alone, and every write goes to a temporary file renamed into place, so a test worker never
 * reads half a model another worker is writing.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PERSONA_NAMES } from '../../src/personas/names.ts';
import type { PersonaName } from '../../src/personas/names.ts';
import { writeGguf } from './gguf-writer.ts';
import type { ForgeScript } from './script.ts';
import { tinyAdapterMetadata, tinyAdapterTensors } from './tiny-lora.ts';
import { tinyEmbedderMetadata, tinyEmbedderTensors } from './tiny-embedder.ts';
import { designTinyModel, tinyModelMetadata, tinyModelTensors } from './tiny-model.ts';

/** Paths of everything {@link forge} writes. */
export interface ForgedFiles {
  readonly outDir: string;
  /** The working tiny model. */
  readonly model: string;
  /** The embedding model, whose embeddings group words by topic (see `tiny-embedder.ts`). */
  readonly embedder: string;
  /** The folder of the adapters, as BATOS_LORA_DIR names it. */
  readonly loraDir: string;
  /** One adapter per persona, keyed by persona name. */
  readonly adapters: Readonly<Record<PersonaName, string>>;
  /** Files llama.cpp would abort on or reject; BAT OS must refuse them before loading. */
  readonly malformed: {
    /** An adapter whose `adapter.lora.alpha` is a u32 (llama.cpp aborts the process). */
    readonly adapterIntegerAlpha: string;
    /** An adapter that claims the `qwen2` architecture. */
    readonly adapterWrongArchitecture: string;
    /** A model without `llama.feed_forward_length` (llama.cpp aborts the process). */
    readonly modelMissingFeedForward: string;
    /** A model without `llama.attention.head_count` (llama.cpp aborts the process). */
    readonly modelMissingHeadCount: string;
    /** A file that is not GGUF at all. */
    readonly notGguf: string;
  };
}

let contents: Map<string, Buffer> | undefined;

/**
 * Every file's bytes, by path relative to the output directory; the base model's are built
 * once per process.
 */
function forgedContents(script?: ForgeScript): Map<string, Buffer> {
  if (script) return buildContents(script);
  contents ??= buildContents();
  return contents;
}

function buildContents(script?: ForgeScript): Map<string, Buffer> {
  const design = designTinyModel(script);
  const tensors = tinyModelTensors(design);
  return new Map([
    ['tiny-model.gguf', writeGguf(tinyModelMetadata(design), tensors)],
    ['tiny-embedder.gguf', writeGguf(tinyEmbedderMetadata(), tinyEmbedderTensors())],
    ...PERSONA_NAMES.map((name): [string, Buffer] => [
      `lora/${name.toLowerCase()}.gguf`,
      writeGguf(tinyAdapterMetadata(name), tinyAdapterTensors(design, name)),
    ]),
    [
      'malformed/lora-integer-alpha.gguf',
      writeGguf(
        tinyAdapterMetadata('ROBIN', { integerAlpha: true }),
        tinyAdapterTensors(design, 'ROBIN'),
      ),
    ],
    [
      'malformed/lora-wrong-architecture.gguf',
      writeGguf(
        tinyAdapterMetadata('ROBIN', { architecture: 'qwen2' }),
        tinyAdapterTensors(design, 'ROBIN'),
      ),
    ],
    [
      'malformed/model-no-feed-forward-length.gguf',
      writeGguf(tinyModelMetadata(design, { omitFeedForwardLength: true }), tensors),
    ],
    [
      'malformed/model-no-head-count.gguf',
      writeGguf(tinyModelMetadata(design, { omitHeadCount: true }), tensors),
    ],
    ['malformed/not-a-model.gguf', Buffer.from('This is a text file, not a GGUF model.\n')],
  ]);
}

async function writeIfChanged(path: string, bytes: Buffer): Promise<void> {
  const existing = await readFile(path).catch(() => undefined);
  if (existing?.equals(bytes)) return;
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, bytes);
  await rename(temporary, path);
}

const written = new Map<string, Promise<ForgedFiles>>();

/**
 * Forges the test model and adapters into `outDir` (created if needed) and returns their
 * paths; with a `script`, the model answers method requests as it says (`script.ts`), and
 * the adapters are made for that model. Calls for the same directory and script share one
 * run per process.
 */
export function forge({
  outDir,
  script,
}: {
  outDir: string;
  script?: ForgeScript;
}): Promise<ForgedFiles> {
  const dir = resolve(outDir);
  const key = `${dir}\0${script ? JSON.stringify(script) : ''}`;
  let run = written.get(key);
  if (!run) {
    run = forgeInto(dir, script);
    written.set(key, run);
    run.catch(() => written.delete(key));
  }
  return run;
}

async function forgeInto(dir: string, script?: ForgeScript): Promise<ForgedFiles> {
  await mkdir(join(dir, 'lora'), { recursive: true });
  await mkdir(join(dir, 'malformed'), { recursive: true });
  await Promise.all(
    [...forgedContents(script)].map(([name, bytes]) => writeIfChanged(join(dir, name), bytes)),
  );
  const at = (name: string): string => join(dir, name);
  return {
    outDir: dir,
    model: at('tiny-model.gguf'),
    embedder: at('tiny-embedder.gguf'),
    loraDir: at('lora'),
    adapters: Object.fromEntries(
      PERSONA_NAMES.map((name) => [name, at(`lora/${name.toLowerCase()}.gguf`)]),
    ) as Record<PersonaName, string>,
    malformed: {
      adapterIntegerAlpha: at('malformed/lora-integer-alpha.gguf'),
      adapterWrongArchitecture: at('malformed/lora-wrong-architecture.gguf'),
      modelMissingFeedForward: at('malformed/model-no-feed-forward-length.gguf'),
      modelMissingHeadCount: at('malformed/model-no-head-count.gguf'),
      notGguf: at('malformed/not-a-model.gguf'),
    },
  };
}
