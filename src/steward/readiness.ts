/**
 * Waiting for real readiness: pm2's `online` is not enough, the health file must name the
 * pid pm2 now runs and the revision that was meant to run.
 */
import { type HealthInfo, readHealthFile } from '../core/upgrade/index.ts';
import type { AppControl } from './app-control.ts';

/** Outcome of waiting. */
export type Readiness =
  | { readonly ok: true; readonly health: HealthInfo }
  | { readonly ok: false; readonly reason: string };

/** What to wait for. */
export interface ReadyWait {
  readonly control: AppControl;
  readonly appName: string;
  readonly healthFile: string;
  readonly expectedRevision: string;
  readonly timeoutMs: number;
  readonly pollMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until the health file reports the running pid and expected revision, or times out. */
export async function waitForReady(wait: ReadyWait): Promise<Readiness> {
  const deadline = Date.now() + wait.timeoutMs;
  let last = 'no health file';
  while (Date.now() < deadline) {
    const pid = await wait.control.pid(wait.appName);
    const health = await readHealthFile(wait.healthFile);
    if (pid === null) {
      last = 'not online in pm2';
    } else if (health === undefined) {
      last = 'no health file';
    } else if (health.pid !== pid) {
      last = `health file is from pid ${health.pid}, pm2 runs pid ${pid}`;
    } else if (health.revision !== wait.expectedRevision) {
      last = `running revision ${health.revision.slice(0, 7)}, expected ${wait.expectedRevision.slice(0, 7)}`;
    } else {
      return { ok: true, health };
    }
    await sleep(wait.pollMs ?? 250);
  }
  return { ok: false, reason: `not ready within ${Math.round(wait.timeoutMs / 1000)} s (${last})` };
}
