/** Keeps the pLLM object's slots in step with what actually serves the mind. */
import type { TransactionInfo } from '../image/index.ts';
import type { MindSource } from '../mind/index.ts';
import { PLLM } from '../model/primordial.ts';
import type { Value } from '../model/value.ts';
import type { Uvm } from './uvm.ts';

/** The slots a model file fills (metadata only, never the weights). */
const FILE_SLOTS = [
  'file',
  'sizeBytes',
  'sha256',
  'architecture',
  'modelName',
  'quantisation',
  'contextLength',
] as const;
/** The slots inference servers fill. */
const SERVER_SLOTS = ['servers', 'adapters'] as const;

/**
 * Writes what serves the mind into pLLM: the local model file's metadata (status
 * `loaded`), or the servers, the model they serve and their adapters (status `served`). The
 * other kind's slots are removed, so pLLM never describes a file that is not in use. Only
 * changes are committed, so restarting the same way leaves no history behind.
 */
export async function recordModel(
  uvm: Uvm,
  info: TransactionInfo,
  source: MindSource,
): Promise<void> {
  const slots: Record<string, Value> =
    source.kind === 'local'
      ? {
          status: 'loaded',
          model: source.model.id,
          file: source.model.file,
          sizeBytes: source.model.sizeBytes,
          sha256: source.model.sha256,
          architecture: source.model.architecture,
          modelName: source.model.name,
          quantisation: source.model.quantisation,
          contextLength: source.model.contextLength,
        }
      : {
          status: 'served',
          model: source.model,
          servers: [...source.servers],
          adapters: [...source.adapters],
        };
  const stale = source.kind === 'local' ? SERVER_SLOTS : FILE_SLOTS;
  await uvm.asSystem(info, (tx) => {
    for (const [name, value] of Object.entries(slots))
      tx.setSlot(PLLM, name, { kind: 'value', value });
    for (const name of stale) if (tx.getSlot(PLLM, name) !== undefined) tx.removeSlot(PLLM, name);
  });
}
