/** Keeps the pLLM object's slots in step with the model that is actually loaded. */
import type { TransactionInfo } from '../image/index.ts';
import type { ModelMetadata } from '../mind/index.ts';
import { PLLM } from '../model/primordial.ts';
import type { Value } from '../model/value.ts';
import type { Uvm } from './uvm.ts';

/**
 * Writes the model's metadata (never its weights) into pLLM. Only changes are committed, so
 * restarting with the same model leaves no history behind.
 */
export async function recordModel(
  uvm: Uvm,
  info: TransactionInfo,
  model: ModelMetadata,
): Promise<void> {
  const slots: Record<string, Value> = {
    status: 'loaded',
    model: model.id,
    file: model.file,
    sizeBytes: model.sizeBytes,
    sha256: model.sha256,
    architecture: model.architecture,
    modelName: model.name,
    quantisation: model.quantisation,
    contextLength: model.contextLength,
  };
  await uvm.exclusive(info, (tx) => {
    for (const [name, value] of Object.entries(slots))
      tx.setSlot(PLLM, name, { kind: 'value', value });
  });
}
