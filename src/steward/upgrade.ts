/**
 * Carrying out one upgrade, the Ship of Theseus way: the new version is prepared beside the
 * running one (fetched into a second work tree, installed only when package-lock.json
 * changed, built, its configuration checked) while the bot keeps serving. Only then is the
 * bot stopped, the image backed up, the prepared version swapped in, the image migrated and
 * the bot started and checked for real readiness. A version that fails to prepare never
 * stops the bot; a failure after the stop rolls back code, dependencies and (if it changed)
 * the image. Every phase change is saved first, so a steward killed midway can resume.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, lstat, readFile, rename, rm, symlink, unlink } from 'node:fs/promises';
import path from 'node:path';
import {
  type AppFacts,
  type AppVersion,
  type SkippedStep,
  type StepCommand,
  type StepOutcome,
  type UpgradeFailure,
  type UpgradeLayout,
  type UpgradeRequest,
  type UpgradeResult,
  type UpgradeStep,
  CONFIG_CHECK_SCRIPT,
  MIGRATE_SCRIPT,
  readAppVersion,
  readHealthFile,
  resolveConfigCheck,
  resolveStepCommand,
} from '../core/upgrade/index.ts';
import type { AppControl } from './app-control.ts';
import type { StewardConfig } from '../config/steward-config.ts';
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

const MODULES = 'node_modules';
/** Where the application's build writes (BAT OS: `npm run build`), carried over by a swap. */
const BUILD_OUTPUT = 'dist';
const LOCK_FILE = 'package-lock.json';

const hashFile = async (file: string): Promise<string | null> =>
  readFile(file)
    .then((data) => createHash('sha256').update(data).digest('hex'))
    .catch(() => null);

const errorText = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

const isLink = (file: string): Promise<boolean> =>
  lstat(file).then(
    (s) => s.isSymbolicLink(),
    () => false,
  );

/** Moves a folder; across file systems (the upgrade folder may live elsewhere) by copying. */
async function moveDir(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await cp(from, to, { recursive: true, verbatimSymlinks: true });
    await rm(from, { recursive: true, force: true });
  }
}

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
    const state: StewardState = { request, phase: 'preparing', from, startedAt, outcomes: [] };
    await this.#save(state);
    return this.#drive(state);
  }

  /** Continues an upgrade found in the state file after a steward restart. */
  async resume(state: StewardState): Promise<UpgradeResult> {
    this.#deps.log(`resuming ${state.request.id} in phase ${state.phase}`);
    const interrupted = (next: StewardState['phase']): void => {
      if (state.childPid !== undefined) killTree(state.childPid);
      state.failure = {
        step: state.running ?? state.phase,
        reason: 'the steward was interrupted during this step',
        logTail: '',
      };
      delete state.childPid;
      state.phase = next;
    };
    // Preparing touched nothing the bot uses: discard it. A half-done swap or migration
    // leaves unknown effects: roll back.
    if (state.phase === 'preparing') interrupted('discarding');
    else if (state.phase === 'swapping' || state.phase === 'migrating') interrupted('rolling-back');
    await this.#save(state);
    return this.#drive(state);
  }

  /** Moves the state machine forward until the result is known. */
  async #drive(state: StewardState): Promise<UpgradeResult> {
    const { config, control, layout } = this.#deps;
    const backupDir = path.join(layout.backups, state.request.id);
    for (;;) {
      this.#deps.log(`${state.request.id}: ${state.phase}`);
      switch (state.phase) {
        case 'preparing':
          await this.#prepare(state);
          break;
        case 'discarding':
          await this.#discard(state);
          break;
        case 'stopping':
          await this.#attempt(
            state,
            'stop',
            async () => {
              await control.stop(config.appName);
              state.stoppedAt = Date.now();
            },
            'backing-up',
          );
          break;
        case 'backing-up':
          await this.#attempt(
            state,
            'backup',
            async () => {
              state.backupFingerprint = await backupImage(config.imagePath, backupDir);
            },
            'swapping',
          );
          break;
        case 'swapping':
          await this.#attempt(state, 'swap', () => this.#swap(state), 'migrating');
          break;
        case 'migrating':
          await this.#migrate(state);
          break;
        case 'starting':
          await this.#startAndVerify(state);
          break;
        case 'rolling-back':
          await this.#rollBack(state, backupDir);
          break;
        case 'finishing':
          await this.#clearStaging().catch(() => undefined);
          await rm(layout.previousModules, { recursive: true, force: true });
          await rm(layout.previousBuild, { recursive: true, force: true });
          await pruneBackups(layout.backups, BACKUPS_KEPT).catch(() => undefined);
          return state.result!;
        default:
          // A state file left by an older steward, with a phase this one does not know.
          state.failure = {
            step: 'interrupted',
            reason: `the state file names an unknown phase '${String(state.phase)}'`,
            logTail: '',
          };
          state.phase = 'rolling-back';
          await this.#save(state);
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

  /**
   * Prepares the new version in the second work tree while the bot serves: fetch, check out,
   * install (only if the lock file changed), build, pull a model, check the configuration.
   * Moves on to `stopping`, or to `discarding` at the first failure.
   */
  async #prepare(state: StewardState): Promise<void> {
    const { config, layout } = this.#deps;
    const wanted = (name: UpgradeStep['name']) => state.request.steps.find((s) => s.name === name);
    const staged = () => this.#facts(layout.staging);
    try {
      let revision = await this.#git.head();
      const pull = wanted('git-pull');
      if (pull !== undefined) {
        if (!(await this.#step(state, pull, this.#facts(config.appDir)))) return;
        revision = await this.#git.upstream();
        if (!(await this.#git.fastForwardsTo(revision))) {
          return await this.#fail(state, {
            step: 'git-pull',
            reason: `the fetched ${revision.slice(0, 7)} does not follow ${state.from.revision.slice(0, 7)} (not a fast-forward); reconcile the branch by hand`,
            logTail: '',
          });
        }
      }
      await this.#git.addWorkTree(layout.staging, revision);
      state.target = await readAppVersion(layout.staging);
      await this.#save(state);
      const live = path.join(config.appDir, MODULES);
      const npmCi = wanted('npm-ci');
      const lockChanged =
        (await hashFile(path.join(config.appDir, LOCK_FILE))) !==
          (await hashFile(path.join(layout.staging, LOCK_FILE))) || !existsSync(live);
      if (npmCi !== undefined && lockChanged) {
        if (!(await this.#step(state, npmCi, staged()))) return;
        state.installed = true;
      } else {
        if (npmCi !== undefined) {
          const note = `${LOCK_FILE} unchanged: the running version's ${MODULES} is reused`;
          state.outcomes.push({ ...npmCi, status: 'skipped', durationMs: 0, note });
        }
        // The new code builds and checks against the dependencies that serve now.
        if (existsSync(live)) await symlink(live, path.join(layout.staging, MODULES), 'junction');
      }
      const build = wanted('build');
      if (build !== undefined && !(await this.#step(state, build, staged()))) return;
      const model = wanted('pull-model');
      // Models live in the application folder; downloading one does not disturb the bot.
      if (model !== undefined && !(await this.#step(state, model, this.#facts(config.appDir))))
        return;
      const check = { name: CONFIG_CHECK_SCRIPT, args: [] };
      if (!(await this.#run(state, check, resolveConfigCheck(staged())))) return;
    } catch (error) {
      return await this.#fail(state, { step: 'prepare', reason: errorText(error), logTail: '' });
    }
    // Nothing new to swap in (already up to date): the bot keeps serving, untouched.
    const same = state.target.revision === state.from.revision && !state.installed;
    state.phase = same ? 'discarding' : 'stopping';
    await this.#save(state);
  }

  /** Records a failure of the preparation: the bot was never stopped. */
  async #fail(state: StewardState, failure: UpgradeFailure): Promise<void> {
    state.failure = failure;
    state.phase = 'discarding';
    await this.#save(state);
  }

  /** Runs one allowed step; on failure records it and moves to `discarding`. */
  #step(state: StewardState, step: UpgradeStep, facts: AppFacts): Promise<boolean> {
    return this.#run(state, step, resolveStepCommand(step, facts));
  }

  /**
   * Runs `command` for `step` with its output logged, recording the outcome. A failure moves
   * to `discarding` while preparing and to `rolling-back` after the bot was stopped.
   */
  async #run(
    state: StewardState,
    step: { readonly name: string; readonly args: readonly string[] },
    command: StepCommand | SkippedStep,
  ): Promise<boolean> {
    if ('skip' in command) {
      state.outcomes.push({ ...step, status: 'skipped', durationMs: 0, note: command.skip });
      return true;
    }
    state.running = step.name;
    await this.#save(state);
    const logFile = this.#logFile(state.request.id, `${state.outcomes.length + 1}-${step.name}`);
    const run = await runCommand(command, this.#deps.config.childEnv, logFile, (pid) => {
      state.childPid = pid;
      this.#save(state).catch((e: unknown) =>
        this.#deps.log(`could not save state: ${errorText(e)}`),
      );
    });
    delete state.childPid;
    delete state.running;
    state.outcomes.push({
      ...step,
      status: run.ok ? 'ok' : 'failed',
      durationMs: run.durationMs,
      ...(run.ok ? {} : { note: run.reason }),
    });
    if (run.ok) return true;
    state.failure = { step: step.name, reason: run.reason, logTail: run.tail };
    state.phase = state.phase === 'preparing' ? 'discarding' : 'rolling-back';
    await this.#save(state);
    return false;
  }

  /**
   * A failed preparation, or one with nothing new: drop the second work tree; the bot served
   * throughout.
   */
  async #discard(state: StewardState): Promise<void> {
    await this.#clearStaging().catch((e: unknown) =>
      this.#deps.log(`could not remove ${this.#deps.layout.staging}: ${errorText(e)}`),
    );
    state.result = await this.#unchanged(
      state.request,
      state.from,
      state.startedAt,
      state.outcomes,
      state.failure,
    );
    state.phase = 'finishing';
    await this.#save(state);
  }

  /** The bot is stopped: put the prepared code and (if reinstalled) dependencies in place. */
  async #swap(state: StewardState): Promise<void> {
    const { config, layout } = this.#deps;
    const target = state.target!.revision;
    if ((await this.#git.head()) !== target) await this.#git.fastForward(target);
    // The build made beside the running bot is the new code's own: carried over, the new
    // version starts from it instead of building (or compiling) inside the downtime.
    const built = path.join(layout.staging, BUILD_OUTPUT);
    if (existsSync(built)) {
      const liveBuild = path.join(config.appDir, BUILD_OUTPUT);
      await rm(layout.previousBuild, { recursive: true, force: true });
      if (existsSync(liveBuild)) await moveDir(liveBuild, layout.previousBuild);
      await moveDir(built, liveBuild);
    }
    if (!state.installed) return;
    const live = path.join(config.appDir, MODULES);
    await rm(layout.previousModules, { recursive: true, force: true });
    state.modulesSwapped = { hadModules: existsSync(live) };
    await this.#save(state);
    if (state.modulesSwapped.hadModules) await moveDir(live, layout.previousModules);
    await moveDir(path.join(layout.staging, MODULES), live);
  }

  /**
   * Runs `migrate` (if asked for) with the new code in the application folder, unless the
   * image code (where the migrations live) is the same as in the version that ran: then
   * there is nothing to migrate, and not starting a process saves seconds of downtime.
   */
  async #migrate(state: StewardState): Promise<void> {
    const migrate = state.request.steps.find((s) => s.name === 'migrate');
    if (migrate !== undefined) {
      const facts = this.#facts(this.#deps.config.appDir);
      const imageCode = path.dirname(MIGRATE_SCRIPT).split(path.sep).join('/');
      const same =
        facts.hasMigrateScript &&
        !(await this.#git.changedBetween(state.from.revision, state.target!.revision, imageCode));
      const command = same
        ? { skip: `${imageCode} unchanged: nothing to migrate` }
        : resolveStepCommand(migrate, facts);
      if (!(await this.#run(state, migrate, command))) return;
    }
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
    const { config, control, layout } = this.#deps;
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
    await tryTo(`${MODULES} restore`, async () => {
      const live = path.join(config.appDir, MODULES);
      if (existsSync(layout.previousModules)) {
        await rm(live, { recursive: true, force: true });
        await moveDir(layout.previousModules, live);
      } else if (state.modulesSwapped?.hadModules === false) {
        // There were none before: the new version's go.
        await rm(live, { recursive: true, force: true });
      }
    });
    await tryTo(`${BUILD_OUTPUT} restore`, async () => {
      if (!existsSync(layout.previousBuild)) return;
      const live = path.join(config.appDir, BUILD_OUTPUT);
      await rm(live, { recursive: true, force: true });
      await moveDir(layout.previousBuild, live);
    });
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

  /** Removes the second work tree; its node_modules may be a link to the live one: unlink it. */
  async #clearStaging(): Promise<void> {
    const { staging } = this.#deps.layout;
    const modules = path.join(staging, MODULES);
    if (await isLink(modules)) await unlink(modules);
    await this.#git.removeWorkTree(staging);
  }

  /** A result for a request that changed nothing (dry run, failed preflight or preparation). */
  async #unchanged(
    request: UpgradeRequest,
    from: AppVersion,
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
    const facts = this.#facts(this.#deps.config.appDir);
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
      ...(state.stoppedAt === undefined ? {} : { downtimeMs: Date.now() - state.stoppedAt }),
      ...outcome,
    };
  }

  /** What the step table needs to know about the application in `dir`, read afresh (steps change it). */
  #facts(dir: string): AppFacts {
    let scripts: Record<string, string> = {};
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        scripts?: Record<string, string>;
      };
      scripts = pkg.scripts ?? {};
    } catch {
      // No readable package.json: no scripts, so `build` is skipped.
    }
    const hasMigrateScript = existsSync(path.join(dir, MIGRATE_SCRIPT));
    return { dir, imagePath: this.#deps.config.imagePath, scripts, hasMigrateScript };
  }

  async #appLogTail(control: AppControl, name: string): Promise<string> {
    const files = await control.logFiles(name).catch(() => [] as readonly string[]);
    const tails = await Promise.all(
      files.map((f) => readFile(f, 'utf8').then(lastLines, () => '')),
    );
    return lastLines(tails.filter((t) => t !== '').join('\n'), 15);
  }

  #logFile(id: string, name: string): string {
    return path.join(this.#deps.layout.logs, id, `${name}.log`);
  }

  #save(state: StewardState): Promise<void> {
    return saveState(this.#deps.layout.state, state);
  }
}
