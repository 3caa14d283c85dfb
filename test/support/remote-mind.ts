/** The remote mind on the shared test llama-server (see `llama-server-setup.ts`). */
import { inject } from 'vitest';
import { RemoteMind, type MindConfig } from '../../src/core/mind/index.ts';
import { forged, tinyConfig } from './forged.ts';

const shared = inject('llamaServer');

/** Why the remote tests cannot run here, or undefined when the server is up. */
export const noLlamaServer: string | undefined =
  'unavailable' in shared ? shared.unavailable : undefined;

/** The shared server's URL and executable; only call when {@link noLlamaServer} is undefined. */
export function llamaServer(): { url: string; binary: string } {
  if ('unavailable' in shared) throw new Error(shared.unavailable);
  return shared;
}

/** The forged model's mind settings, pointed at `servers` (default: the shared server). */
export async function remoteConfig(overrides: Partial<MindConfig> = {}): Promise<MindConfig> {
  return tinyConfig((await forged()).model, {
    servers: [llamaServer().url],
    serverTimeoutMs: 10_000,
    ...overrides,
  });
}

/** A remote mind on the shared server (or on `overrides.servers`). */
export async function connectRemoteMind(overrides: Partial<MindConfig> = {}): Promise<RemoteMind> {
  const { mind } = await RemoteMind.connect(await remoteConfig(overrides));
  return mind;
}
