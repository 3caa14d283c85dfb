/**
 * Carrying out one upgrade: stop the bot, back up the image, run the steps, start the bot,
 * wait for real readiness; on any failure roll back code, dependencies and (if it changed)
 * the image. Every phase change is saved first, so a steward killed midway can resume.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type AppFacts,
  type StepOutcome,
  type UpgradeFailure,
  type UpgradeLayout,
  type UpgradeRequest,
  type UpgradeResult,
  MIGRATE_SCRIPT,
  readAppVersion,
  readHealthFile,
  resolveStepCommand,
} from '../core/upgrade/index.ts';
import type { AppControl } from './app-control.ts';
import type { StewardConfig } from './config.ts';
import { workTree } from './git.ts';
import { backupImage, fingerprintImage, pruneBackups, restoreImage } from './image-backup.ts';
import { waitForReady } from './readiness.ts';
import { killTree, lastLines, runCommand } from './run-command.ts';
import { type StewardState, saveState } from './state.ts';

/** What an upgrade run needs. */
export interface UpgradeDeps {
  readonly config: StewardConfig;
  readonly layout: UpgradeLayout;
  readonly control: AppControl;
  readonly log: (line: string) => void;
}

/** Backups kept after an upgrade. */
const BACKUPS_KEPT = 3;

const hashFile = async (file: string): Promise<string | null> =>
  readFile(file)
    .then((data) => createHash('sha256').update(data).digest('hex'))
    .catch(() => null);

const errorText = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** Runs and resumes upgrades for one application. */
export class UpgradeRunner {
  readonly #deps: UpgradeDeps;
  readonly #git: ReturnType<typeof workTree>;

  constructor(deps: UpgradeDeps) {
    this.#deps = deps;
    this.#git = workTree(deps.config.appDir, deps.config.childEnv);
  }

  /** Carries out a freshly claimed request; returns its result (also written to disk by the caller). */
  async run(request: UpgradeRequest): Promise<UpgradeResult> {
    const { config } = this.#deps;
    const startedAt = new Date().toISOString();
    const from = await readAppVersion(config.appDir);
    const changes = await this.#git.localChanges();
    if (changes !== '') {
      const failure = {
        step: 'preflight',
        reason: 'the work tree has local changes',
        logTail: changes,
      };
      const plan = request.dryRun ? this.#plan(request) : [];
      return this.#unchanged(request, from, startedAt, plan, failure);
    }
    if (request.dryRun) {
      return this.#unchanged(request, from, startedAt, this.#plan(request));
    }
    const state: StewardState = {
      request,
      phase: 'stopping',
      from,
      startedAt,
      lockHash: await hashFile(this.#lockFile()),
      stepIndex: 0,
      outcomes: [],
    };
    await this.#save(state);
    return this.#drive(state);
  }

  /** Continues an upgrade found in the state file after a steward restart. */
  async resume(state: StewardState): Promise<UpgradeResult> {
    this.#deps.log(`resuming ${state.request.id} in phase ${state.phase}`);
    if (state.phase === 'running-steps') {
      if (state.childPid !== undefined) killTree(state.childPid);
      const step = state.request.steps[state.stepIndex];
      state.failure = {
        step: step?.name ?? 'interrupted',
        reason: 'the steward was interrupted during this step',
        logTail: '',
      };
      state.phase = 'rolling-back';
      await this.#save(state);
    }
    return this.#drive(state);
  }

  /** Moves the state machine forward until the result is known. */
  async #drive(state: StewardState): Promise<UpgradeResult> {
    const { config, control, layout } = this.#deps;
    const backupDir = path.join(layout.backups, state.request.id);
    for (;;) {
      this.#deps.log(`${state.request.id}: ${state.phase}`);
      switch (state.phase) {
        case 'stopping':
          await this.#attempt(state, 'stop', () => control.stop(config.appName), 'backing-up');
          break;
        case 'backing-up':
          await this.#attempt(
            state,
            'backup',
            async () => {
              state.backupFingerprint = await backupImage(config.imagePath, backupDir);
            },
            'running-steps',
          );
          break;
        case 'running-steps':
          await this.#runSteps(state);
          break;
        case 'starting':
          await this.#startAndVerify(state);
          break;
        case 'rolling-back':
          await this.#rollBack(state, backupDir);
          break;
        case 'finishing':
          await pruneBackups(layout.backups, BACKUPS_KEPT).catch(() => undefined);
          return state.result!;
      }
    }
  }

  /** Runs `action`; on success moves to `next`, on failure records it and rolls back. */
  async #attempt(
    state: StewardState,
    step: string,
    action: () => Promise<void>,
    next: StewardState['phase'],
  ): Promise<void> {
    try {
      await action();
      state.phase = next;
    } catch (error) {
      state.failure = { step, reason: errorText(error), logTail: '' };
      state.phase = 'rolling-back';
    }
    await this.#save(state);
  }

  async #runSteps(state: StewardState): Promise<void> {
    const { request } = state;
    for (; state.stepIndex < request.steps.length; state.stepIndex += 1) {
      const step = request.steps[state.stepIndex]!;
      const command = resolveStepCommand(step, this.#facts());
      if ('skip' in command) {
        state.outcomes.push({ ...step, status: 'skipped', durationMs: 0, note: command.skip });
        continue;
      }
      if (step.name === 'npm-ci') {
        state.npmCi = { lockHash: await hashFile(this.#lockFile()), done: false };
      }
      await this.#save(state);
      const logFile = this.#logFile(request.id, `${state.stepIndex + 1}-${step.name}`);
      const run = await runCommand(command, this.#deps.config.childEnv, logFile, (pid) => {
        state.childPid = pid;
        this.#save(state).catch((e: unknown) =>
          this.#deps.log(`could not save state: ${errorText(e)}`),
        );
      });
      delete state.childPid;
      state.outcomes.push({
        ...step,
        status: run.ok ? 'ok' : 'failed',
        durationMs: run.durationMs,
        ...(run.ok ? {} : { note: run.reason }),
      });
      if (!run.ok) {
        state.failure = { step: step.name, reason: run.reason, logTail: run.tail };
        state.phase = 'rolling-back';
        await this.#save(state);
        return;
      }
      if (step.name === 'npm-ci') state.npmCi = { ...state.npmCi!, done: true };
    }
    state.target = await readAppVersion(this.#deps.config.appDir);
    state.phase = 'starting';
    await this.#save(state);
  }

  async #startAndVerify(state: StewardState): Promise<void> {
    const { config, control } = this.#deps;
    const ready = await this.#startReady(state.target!.revision);
    if (ready.ok) {
      state.result = this.#result(state, {
        ok: true,
        rolledBack: false,
        imageRestored: false,
        to: { version: ready.health.version, revision: ready.health.revision },
        objects: ready.health.objects,
      });
      state.phase = 'finishing';
    } else {
      const logTail = await this.#appLogTail(control, config.appName);
      state.failure = { step: ready.step, reason: ready.reason, logTail };
      state.phase = 'rolling-back';
    }
    await this.#save(state);
  }

  /** Starts the bot unless it is already online, then waits for its health file. */
  async #startReady(revision: string) {
    const { config, control } = this.#deps;
    try {
      if ((await control.pid(config.appName)) === null) await control.start(config.appName);
    } catch (error) {
      return { ok: false as const, step: 'start', reason: errorText(error) };
    }
    const ready = await waitForReady({
      control,
      appName: config.appName,
      healthFile: config.healthFile,
      expectedRevision: revision,
      timeoutMs: config.readyTimeoutMs,
    });
    return ready.ok ? ready : { ...ready, step: 'ready' };
  }

  async #rollBack(state: StewardState, backupDir: string): Promise<void> {
    const { config, control } = this.#deps;
    const problems: string[] = [];
    const tryTo = async (what: string, action: () => Promise<unknown>): Promise<void> => {
      try {
        await action();
      } catch (error) {
        problems.push(`${what}: ${errorText(error)}`);
      }
    };
    await tryTo('stop', () => control.stop(config.appName));
    await tryTo('git reset', async () => {
      if ((await this.#git.head()) !== state.from.revision)
        await this.#git.resetHard(state.from.revision);
    });
    const { npmCi } = state;
    if (npmCi !== undefined && (!npmCi.done || npmCi.lockHash !== state.lockHash)) {
      const command = resolveStepCommand({ name: 'npm-ci', args: [] }, this.#facts());
      if (!('skip' in command)) {
        const logFile = this.#logFile(state.request.id, 'rollback-npm-ci');
        const run = await runCommand(command, config.childEnv, logFile);
        if (!run.ok) problems.push(`npm ci: ${run.reason}`);
      }
    }
    await tryTo('image restore', async () => {
      if (state.backupFingerprint === undefined || state.imageRestored) return;
      if ((await fingerprintImage(config.imagePath)) !== state.backupFingerprint) {
        await restoreImage(config.imagePath, backupDir);
        state.imageRestored = true;
        await this.#save(state);
      }
    });
    const ready = await this.#startReady(state.from.revision);
    if (!ready.ok) problems.push(`${ready.step}: ${ready.reason}`);
    const health = await readHealthFile(this.#deps.config.healthFile);
    state.result = this.#result(state, {
      ok: false,
      rolledBack: true,
      rollbackOk: ready.ok,
      ...(problems.length > 0 ? { rollbackFailure: problems.join('; ') } : {}),
      imageRestored: state.imageRestored ?? false,
      to: ready.ok ? state.from : await readAppVersion(config.appDir),
      objects: ready.ok ? ready.health.objects : (health?.objects ?? null),
    });
    state.phase = 'finishing';
    await this.#save(state);
  }

  /** A result for a request that changed nothing (dry run, failed preflight). */
  async #unchanged(
    request: UpgradeRequest,
    from: UpgradeResult['from'],
    startedAt: string,
    outcomes: StepOutcome[],
    failure?: UpgradeFailure,
  ): Promise<UpgradeResult> {
    const health = await readHealthFile(this.#deps.config.healthFile);
    return {
      id: request.id,
      ok: failure === undefined,
      dryRun: request.dryRun,
      requester: request.requester,
      reportTo: request.reportTo,
      steps: request.steps,
      outcomes,
      ...(failure ? { failure } : {}),
      rolledBack: false,
      imageRestored: false,
      from,
      to: from,
      objects: health?.objects ?? null,
      startedAt,
      finishedAt: new Date().toISOString(),
    };
  }

  /** The plan for a dry run: each step with its command, or why it would be skipped. */
  #plan(request: UpgradeRequest): StepOutcome[] {
    const facts = this.#facts();
    return request.steps.map((step) => {
      const command = resolveStepCommand(step, facts);
      return 'skip' in command
        ? { ...step, status: 'skipped', durationMs: 0, note: command.skip }
        : {
            ...step,
            status: 'ok',
            durationMs: 0,
            note: `${command.file} ${command.args.join(' ')}`,
          };
    });
  }

  #result(
    state: StewardState,
    outcome: Pick<UpgradeResult, 'ok' | 'rolledBack' | 'imageRestored' | 'to' | 'objects'> &
      Partial<Pick<UpgradeResult, 'rollbackOk' | 'rollbackFailure'>>,
  ): UpgradeResult {
    const { request } = state;
    return {
      id: request.id,
      dryRun: false,
      requester: request.requester,
      reportTo: request.reportTo,
      steps: request.steps,
      outcomes: state.outcomes,
      ...(state.failure ? { failure: state.failure } : {}),
      from: state.from,
      startedAt: state.startedAt,
      finishedAt: new Date().toISOString(),
      ...outcome,
    };
  }

  /** What the step table needs to know about the application, read afresh (steps change it). */
  #facts(): AppFacts {
    const { appDir, imagePath } = this.#deps.config;
    let scripts: Record<string, string> = {};
    try {
      const pkg = JSON.parse(readFileSync(path.join(appDir, 'package.json'), 'utf8')) as {
        scripts?: Record<string, string>;
      };
      scripts = pkg.scripts ?? {};
    } catch {
      // No readable package.json: no scripts, so `build` is skipped.
    }
    const hasMigrateScript = existsSync(path.join(appDir, MIGRATE_SCRIPT));
    return { dir: appDir, imagePath, scripts, hasMigrateScript };
  }

  async #appLogTail(control: AppControl, name: string): Promise<string> {
    const files = await control.logFiles(name).catch(() => [] as readonly string[]);
    const tails = await Promise.all(
      files.map((f) => readFile(f, 'utf8').then(lastLines, () => '')),
    );
    return lastLines(tails.filter((t) => t !== '').join('\n'), 15);
  }

  #lockFile(): string {
    return path.join(this.#deps.config.appDir, 'package-lock.json');
  }

  #logFile(id: string, name: string): string {
    return path.join(this.#deps.layout.logs, id, `${name}.log`);
  }

  #save(state: StewardState): Promise<void> {
    return saveState(this.#deps.layout.state, state);
  }
}
