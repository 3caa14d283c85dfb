/**
 * The autotelic heartbeat: every so often ALFRED audits the image of his own accord and
 * keeps the result in the system's audit record, then has the model repair the methods that kept failing
 * (see `core/uvm/method-repair.ts`) and tells their owners. The audit runs outside the send
 * queue (it reads one snapshot and yields as it goes), so sends carry on meanwhile; only
 * the recording is a short transaction. Beside it, a slower beat keeps the history within
 * its retention. Beats never overlap: the next is scheduled when one ends.
 */
import type { Logger } from '../core/log.ts';
import { namedObject } from '../core/model/name-table.ts';
import { formatBytes } from '../core/access/quotas.ts';
import type { RepairNotice } from '../core/uvm/method-repair.ts';
import type { HistoryRetention } from '../core/uvm/retention.ts';
import type { Uvm } from '../core/uvm/uvm.ts';
import { runAudit, type AuditOptions } from './audit.ts';
import { recordAudit } from './audit-record.ts';
import { AUDITOR } from './names.ts';

export interface HeartbeatOptions {
  readonly uvm: Uvm;
  /** Time between the end of one audit and the start of the next. */
  readonly intervalMs: number;
  readonly log: Logger;
  /** The sandbox's compile check (`MethodRunner.check`). */
  readonly checkMethod: (source: string) => void;
  readonly audit?: Omit<AuditOptions, 'checkMethod'>;
  /** The root name of the persona that answers `lastAudit` (default {@link AUDITOR}'s): without it, no audit is kept. */
  readonly auditor?: string;
  /** Repairs methods that kept failing, after each audit; none when absent. */
  readonly repair?: RepairOptions;
}

export interface RepairOptions {
  /** A method is repaired once it failed this many times since it last changed (BATOS_REPAIR_AFTER_FAILURES). */
  readonly afterFailures: number;
  /** Tells a method's owner (or the admins) what its repair did. */
  readonly tell: (notice: RepairNotice) => Promise<void>;
}

export interface Heartbeat {
  /** Stops the beats, waiting for an audit in progress to finish and be recorded. */
  stop(): Promise<void>;
}

/** Starts beating; the first audit runs one interval from now. */
export function startHeartbeat(options: HeartbeatOptions): Heartbeat {
  const { uvm, log } = options;

  const audit = async (): Promise<void> => {
    const summary = await uvm.examineImage((image) =>
      runAudit(image, { ...options.audit, checkMethod: options.checkMethod }),
    );
    const auditor = options.auditor ?? AUDITOR.toLowerCase();
    const { result: recorded } = await uvm.asSystem(
      { who: 'system:heartbeat', platform: 'console' },
      (tx) => {
        // Without ALFRED nobody could read the audit again: nothing is kept.
        const oid = namedObject(tx, auditor);
        if (oid === undefined || !tx.exists(oid)) return false;
        recordAudit(tx, summary);
        return true;
      },
    );
    const found = summary.findings.length + (summary.omitted ?? 0);
    if (!recorded) log.warn(`heartbeat: no object named ${auditor} to keep the audit for`);
    // Counts only: the log may be read by people who may not read every object found.
    if (found > 0)
      log.warn(
        `heartbeat: the audit found ${found} matter(s); ask ${auditor} lastAudit in chat, or see the browser's audits page`,
      );
  };

  const repair = async ({ afterFailures, tell }: RepairOptions): Promise<void> => {
    for (const notice of await uvm.repairFailing(afterFailures)) {
      log.info(`heartbeat: ${notice.text}`);
      await tell(notice).catch((error: unknown) =>
        log.warn(
          `heartbeat: the owner of ${notice.selector} was not told: ${(error as Error).message}`,
        ),
      );
    }
  };

  const beat = async (): Promise<void> => {
    await audit().catch((error: unknown) =>
      log.warn(`heartbeat: the audit failed: ${(error as Error).message}`),
    );
    if (options.repair !== undefined) await repair(options.repair);
  };

  return beating(options.intervalMs, beat, (error) =>
    log.warn(`heartbeat: repairing methods failed: ${error.message}`),
  );
}

export interface RetentionOptions {
  readonly uvm: Uvm;
  readonly retention: HistoryRetention;
  /** Time between the end of one pass and the start of the next. */
  readonly intervalMs: number;
  readonly log: Logger;
}

/**
 * Starts keeping the history within `retention` (see {@link Uvm.retainHistory}), logging
 * what each pass forgot and why; the first pass runs one interval from now.
 */
export function startRetention(options: RetentionOptions): Heartbeat {
  const { uvm, log, retention } = options;
  const pass = async (): Promise<void> => {
    const done = await uvm.retainHistory(retention);
    if (done.byAge > 0)
      log.info(
        `history: forgot ${done.byAge} transaction(s) older than ${retention.keepDays} day(s) (BATOS_HISTORY_KEEP_DAYS), with their undo`,
      );
    if (done.bySize > 0)
      log.info(
        `history: forgot the ${done.bySize} oldest transaction(s), with their undo: history held ${formatBytes(done.bytesBefore)}, more than ${formatBytes(retention.maxBytes)} (BATOS_HISTORY_MAX_BYTES); it holds ${formatBytes(done.bytesAfter)} now`,
      );
  };
  return beating(options.intervalMs, pass, (error) =>
    log.warn(`history: keeping it within its retention failed: ${error.message}`),
  );
}

/** Runs `work` every `intervalMs`, from the end of one run to the start of the next. */
function beating(
  intervalMs: number,
  work: () => Promise<void>,
  failed: (error: Error) => void,
): Heartbeat {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = work()
        .catch((error: unknown) => failed(error as Error))
        .finally(() => {
          running = undefined;
          schedule();
        });
    }, intervalMs);
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
