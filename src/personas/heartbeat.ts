/**
 * The autotelic heartbeat: every so often ALFRED audits the image of his own accord and
 * records the result on himself. The audit runs outside the send queue (it reads one
 * snapshot and yields as it goes), so sends carry on meanwhile; only the recording is a
 * short transaction. Beats never overlap: the next is scheduled when one ends.
 */
import type { Logger } from '../core/log.ts';
import { namedObject } from '../core/uvm/names.ts';
import type { Uvm } from '../core/uvm/uvm.ts';
import { runAudit, type AuditOptions } from './audit.ts';
import { recordAudit } from './audit-record.ts';

export interface HeartbeatOptions {
  readonly uvm: Uvm;
  /** Time between the end of one audit and the start of the next. */
  readonly intervalMs: number;
  readonly log: Logger;
  /** The sandbox's compile check (`MethodRunner.check`). */
  readonly checkMethod: (source: string) => void;
  readonly audit?: Omit<AuditOptions, 'checkMethod'>;
  /** The root name of the persona the result is recorded on (default `alfred`). */
  readonly auditor?: string;
}

export interface Heartbeat {
  /** Stops the beats, waiting for an audit in progress to finish and be recorded. */
  stop(): Promise<void>;
}

/** Starts beating; the first audit runs one interval from now. */
export function startHeartbeat(options: HeartbeatOptions): Heartbeat {
  const { uvm, log } = options;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const beat = async (): Promise<void> => {
    const summary = await uvm.examine((image) =>
      runAudit(image, { ...options.audit, checkMethod: options.checkMethod }),
    );
    const auditor = options.auditor ?? 'alfred';
    const { result: recorded } = await uvm.exclusive(
      { who: 'system:heartbeat', platform: 'console' },
      (tx) => {
        const oid = namedObject(tx, auditor);
        if (oid === undefined || !tx.exists(oid)) return false;
        recordAudit(tx, oid, summary);
        return true;
      },
    );
    const found = summary.findings.length + (summary.omitted ?? 0);
    if (!recorded) log.warn(`heartbeat: no object named ${auditor} to record the audit on`);
    if (found > 0)
      log.warn(`heartbeat: the audit found ${found} matter(s); see ${auditor} lastAudit`);
  };

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = beat()
        .catch((error: unknown) =>
          log.warn(`heartbeat: the audit failed: ${(error as Error).message}`),
        )
        .finally(() => {
          running = undefined;
          schedule();
        });
    }, options.intervalMs);
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
