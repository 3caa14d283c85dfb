/**
 * The steward service: resumes an interrupted upgrade, then watches the request folder (with
 * a periodic rescan, so a missed event never loses a request) and runs one upgrade at a
 * time, oldest request first.
 */
import { type FSWatcher, watch } from 'node:fs';
import { ensurePrivateDir } from '../core/private-files.ts';
import {
  type UpgradeRequest,
  type UpgradeResult,
  writeUpgradeResult,
} from '../core/upgrade/index.ts';
import { type Claim, claimNext } from './inbox.ts';
import { clearState, loadState } from './state.ts';
import { type UpgradeDeps, UpgradeRunner } from './upgrade.ts';

/** A running steward. */
export class Steward {
  readonly #deps: UpgradeDeps;
  readonly #runner: UpgradeRunner;
  readonly #onFatal: (error: unknown) => void;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #draining: Promise<void> | undefined;
  #again = false;

  /**
   * @param onFatal called when an upgrade broke off with its state saved: the entry point
   *   exits, pm2 starts the steward again, and `start` resumes from the state file.
   */
  constructor(deps: UpgradeDeps, onFatal: (error: unknown) => void) {
    this.#deps = deps;
    this.#runner = new UpgradeRunner(deps);
    this.#onFatal = onFatal;
  }

  /** Finishes any interrupted upgrade, then starts watching for requests. */
  async start(): Promise<void> {
    const { layout, config, log } = this.#deps;
    const state = await loadState(layout.state);
    if (state !== undefined) {
      await this.#finish(
        state.phase === 'finishing' && state.result
          ? state.result
          : await this.#runner.resume(state),
      );
    }
    await ensurePrivateDir(layout.requests);
    this.#watcher = watch(layout.requests, () => this.poke());
    this.#watcher.on('error', (error) => log(`watch error (rescans continue): ${error.message}`));
    this.#timer = setInterval(() => this.poke(), config.rescanMs);
    log(`watching ${layout.requests} for ${config.appName} in ${config.appDir}`);
    this.poke();
  }

  /** Looks at the request folder now (coalesced: one pass at a time, then one more if poked). */
  poke(): void {
    if (this.#draining !== undefined) {
      this.#again = true;
      return;
    }
    this.#draining = this.#drain()
      .catch((error: unknown) =>
        this.#deps.log(`error: ${error instanceof Error ? error.stack : String(error)}`),
      )
      .finally(() => {
        this.#draining = undefined;
        if (this.#again) {
          this.#again = false;
          this.poke();
        }
      });
  }

  /** Stops watching; an upgrade in progress is left to the state file. */
  stop(): void {
    this.#watcher?.close();
    clearInterval(this.#timer);
  }

  /** Resolves once the current pass (if any) is over; for tests and orderly shutdown. */
  async idle(): Promise<void> {
    while (this.#draining !== undefined) await this.#draining;
  }

  async #drain(): Promise<void> {
    const { layout, config, log } = this.#deps;
    for (;;) {
      const rules = { key: config.key, expiryMs: config.requestExpiryMs };
      const told: { request: UpgradeRequest; reason: string }[] = [];
      const claim = await claimNext(layout, rules, {
        rejected: (file, reason, request) => {
          log(`rejected ${file}: ${reason}`);
          if (request !== undefined) told.push({ request, reason });
        },
        memoryLost: (why) => log(`replay memory lost: ${why}`),
      });
      // Refused only because the replay memory was lost: the admin hears that nothing ran.
      for (const { request, reason } of told)
        await writeUpgradeResult(layout.results, unstartedResult(request, reason), config.key);
      if (claim === undefined) return;
      const { request } = claim;
      const what = request.steps.map((s) => s.name).join(', ');
      log(
        `claimed ${request.id} from ${request.requester.name}: ${what}${request.dryRun ? ' (dry run)' : ''}`,
      );
      await this.#finish(await this.#carryOut(claim));
    }
  }

  /** Runs a claimed request; an unexpected error still ends in a result the admin sees. */
  async #carryOut({ request }: Claim): Promise<UpgradeResult> {
    try {
      return await this.#runner.run(request);
    } catch (error) {
      if ((await loadState(this.#deps.layout.state)) !== undefined) {
        // Broke off mid-upgrade: only a resume can put things right.
        this.#onFatal(error);
      }
      return unstartedResult(request, error instanceof Error ? error.message : String(error));
    }
  }

  async #finish(result: UpgradeResult): Promise<void> {
    const { layout, log, config } = this.#deps;
    await writeUpgradeResult(layout.results, result, config.key);
    await clearState(layout.state);
    log(
      `${result.id} ${result.ok ? 'done' : `failed at ${result.failure?.step}`}${result.rolledBack ? ', rolled back' : ''}`,
    );
  }
}

/** The result of a request that was never started: it failed at `preflight` for `reason`. */
function unstartedResult(request: UpgradeRequest, reason: string): UpgradeResult {
  const now = new Date().toISOString();
  return {
    id: request.id,
    ok: false,
    dryRun: request.dryRun,
    requester: request.requester,
    reportTo: request.reportTo,
    steps: request.steps,
    outcomes: [],
    failure: { step: 'preflight', reason, logTail: '' },
    rolledBack: false,
    imageRestored: false,
    from: request.fromVersion,
    to: request.fromVersion,
    objects: null,
    startedAt: now,
    finishedAt: now,
  };
}
