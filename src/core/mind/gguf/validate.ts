/**
 * Checks a GGUF file before llama.cpp sees it. llama.cpp aborts the whole process on some
 * malformed files (a missing `feed_forward_length` or `attention.head_count`, an integer
 * `adapter.lora.alpha`) and rejects others with terse messages; here every such file is
 * refused with a {@link MindError} that names the file and each problem.
 */
import type { GgufFileInfo } from 'node-llama-cpp';
import { MindError } from '../errors.ts';
import type { MindErrorCode } from '../errors.ts';
import { readGgufValueTypes } from './value-types.ts';
import type { GgufTypeName, GgufValueType } from './value-types.ts';

/** What a key must be: its GGUF type(s), and for arrays the element type(s). */
interface KeyRule {
  readonly key: string;
  readonly required: boolean;
  readonly types: readonly GgufTypeName[];
  readonly itemTypes?: readonly GgufTypeName[];
}

const scalar = (key: string, required: boolean, ...types: GgufTypeName[]): KeyRule => ({
  key,
  required,
  types,
});
const list = (key: string, required: boolean, ...itemTypes: GgufTypeName[]): KeyRule => ({
  key,
  required,
  types: ['array'],
  itemTypes,
});
/** A per-layer hyperparameter: one u32, or an array with a value per layer. */
const perLayer = (key: string, required: boolean): KeyRule => ({
  key,
  required,
  types: ['u32', 'array'],
  itemTypes: ['u32', 'i32'],
});

/** The keys llama.cpp reads with a typed getter (a wrong type is an error, or an abort). */
function modelRules(arch: string): KeyRule[] {
  return [
    scalar('general.file_type', false, 'u32'),
    scalar(`${arch}.context_length`, true, 'u32'),
    scalar(`${arch}.embedding_length`, true, 'u32'),
    scalar(`${arch}.block_count`, true, 'u32'),
    perLayer(`${arch}.feed_forward_length`, true),
    perLayer(`${arch}.attention.head_count`, true),
    perLayer(`${arch}.attention.head_count_kv`, false),
    scalar(`${arch}.attention.layer_norm_rms_epsilon`, false, 'f32'),
    scalar(`${arch}.attention.layer_norm_epsilon`, false, 'f32'),
    scalar(`${arch}.rope.freq_base`, false, 'f32'),
    scalar(`${arch}.rope.dimension_count`, false, 'u32'),
    scalar('tokenizer.ggml.model', true, 'string'),
    list('tokenizer.ggml.tokens', true, 'string'),
    list('tokenizer.ggml.scores', false, 'f32'),
    list('tokenizer.ggml.token_type', false, 'i32'),
    scalar('tokenizer.ggml.bos_token_id', false, 'u32'),
    scalar('tokenizer.ggml.eos_token_id', false, 'u32'),
  ];
}

const ADAPTER_RULES: KeyRule[] = [
  scalar('adapter.type', true, 'string'),
  // llama.cpp reads alpha with gguf_get_val_f32, which asserts (aborts) on any other type.
  scalar('adapter.lora.alpha', false, 'f32'),
];

function describe(type: GgufValueType): string {
  return type.itemType ? `array of ${type.itemType}` : type.type;
}

function checkRules(
  types: ReadonlyMap<string, GgufValueType>,
  rules: readonly KeyRule[],
): string[] {
  const problems: string[] = [];
  for (const rule of rules) {
    const found = types.get(rule.key);
    if (!found) {
      if (rule.required) problems.push(`${rule.key} is missing`);
      continue;
    }
    const itemOk =
      found.type !== 'array' || !rule.itemTypes || rule.itemTypes.includes(found.itemType!);
    if (!rule.types.includes(found.type) || !itemOk) {
      const expected = rule.types
        .map((t) => (t === 'array' && rule.itemTypes ? `array of ${rule.itemTypes.join('|')}` : t))
        .join(' or ');
      problems.push(`${rule.key} is ${describe(found)}, expected ${expected}`);
    }
  }
  return problems;
}

/** The raw value of a dotted metadata key, from readGgufFileInfo's nested object. */
function valueAt(info: GgufFileInfo, key: string): unknown {
  let node: unknown = info.metadata;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

async function read(
  path: string,
  code: MindErrorCode,
  what: string,
): Promise<{ info: GgufFileInfo; types: Map<string, GgufValueType> }> {
  try {
    // Loaded here, not at import: a start without a model file never needs it.
    const { readGgufFileInfo } = await import('node-llama-cpp');
    const [info, types] = await Promise.all([
      readGgufFileInfo(path, { sourceType: 'filesystem', logWarnings: false }),
      readGgufValueTypes(path),
    ]);
    return { info, types };
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'does not exist'
        : 'is not a readable GGUF file';
    throw new MindError(code, `${what} ${path} ${reason} (${(error as Error).message}).`, {
      cause: error,
    });
  }
}

function refuse(code: MindErrorCode, what: string, path: string, problems: string[]): void {
  if (problems.length > 0) {
    throw new MindError(code, `${what} ${path} cannot be loaded: ${problems.join('; ')}.`);
  }
}

/** Reads and checks a model file; throws `invalid-model` naming every problem. */
export async function validateModelFile(path: string): Promise<GgufFileInfo> {
  const { info, types } = await read(path, 'invalid-model', 'The model file');
  const arch = valueAt(info, 'general.architecture');
  if (types.get('general.architecture')?.type !== 'string' || typeof arch !== 'string') {
    refuse('invalid-model', 'The model file', path, [
      'general.architecture is missing or not a string',
    ]);
  }
  const problems = checkRules(types, modelRules(arch as string));
  const generalType = valueAt(info, 'general.type');
  if (generalType !== undefined && generalType !== 'model') {
    problems.push(
      generalType === 'adapter'
        ? 'general.type is "adapter": this is a LoRA adapter, not a model'
        : `general.type is ${JSON.stringify(generalType)}, expected "model"`,
    );
  }
  const heads = valueAt(info, `${arch}.attention.head_count`);
  if (heads === 0 || (Array.isArray(heads) && heads.every((h) => h === 0))) {
    problems.push(`${arch}.attention.head_count is 0`);
  }
  refuse('invalid-model', 'The model file', path, problems);
  return info;
}

/**
 * Reads and checks a LoRA adapter against the architecture of the model it will be applied
 * to; throws `invalid-adapter` naming every problem.
 */
export async function validateAdapterFile(
  path: string,
  modelArchitecture: string,
): Promise<GgufFileInfo> {
  const { info, types } = await read(path, 'invalid-adapter', 'The LoRA adapter');
  const problems = checkRules(types, ADAPTER_RULES);
  const generalType = valueAt(info, 'general.type');
  if (generalType !== 'adapter') {
    problems.push(`general.type is ${JSON.stringify(generalType ?? null)}, expected "adapter"`);
  }
  const adapterType = valueAt(info, 'adapter.type');
  if (adapterType !== undefined && adapterType !== 'lora') {
    problems.push(`adapter.type is ${JSON.stringify(adapterType)}, expected "lora"`);
  }
  const arch = valueAt(info, 'general.architecture');
  if (arch !== modelArchitecture) {
    problems.push(
      `its architecture is ${JSON.stringify(arch ?? null)} but the model's is "${modelArchitecture}"`,
    );
  }
  const names = (info.tensorInfo ?? []).map((t) => t.name);
  // llama.cpp skips norm vectors in adapters and rejects any other non-LoRA tensor.
  const strays = names.filter((name) => !/\.lora_[ab]$|_norm\.weight$/.test(name));
  const unpaired = names.filter(
    (name) =>
      /\.lora_[ab]$/.test(name) &&
      !names.includes(name.replace(/[ab]$/, (x) => (x === 'a' ? 'b' : 'a'))),
  );
  if (!names.some((name) => /\.lora_a$/.test(name)))
    problems.push('it has no lora_a/lora_b tensors');
  if (strays.length > 0)
    problems.push(`${strays.length} tensor(s) are not LoRA tensors (${strays[0]}, …)`);
  if (unpaired.length > 0)
    problems.push(`tensor(s) without their lora_a/lora_b pair: ${unpaired.join(', ')}`);
  refuse('invalid-adapter', 'The LoRA adapter', path, problems);
  return info;
}
