/**
 * The primitives the personas add to the UVM (through `UvmOptions.primitives`):
 * `auditPersistence` and `lastAudit`, held by ALFRED, and `describePersona`, the persona
 * prototype's `describe`. The audit can be sent from a message only, not from inside a method.
 */
import { SendError } from '../core/errors.ts';
import type { ImageView } from '../core/image/index.ts';
import { lastAudit, summaryFor } from '../core/uvm/audits.ts';
import { runPrimitive, type PrimitiveCall, type PrimitiveTable } from '../core/uvm/primitives.ts';
import { adapterLine } from './adapter-file.ts';
import { runAudit, type AuditOptions } from './audit.ts';
import { LAST_AUDIT_PRIMITIVE, recordAudit } from './audit-record.ts';
import { renderAuditReport, type AuditSummary } from './audit-report.ts';
import { readPersonas } from './records.ts';

/** The primitive name of ALFRED's audit. */
export const AUDIT_PRIMITIVE = 'auditPersistence';
/** The primitive name of a persona's `describe`. */
export const DESCRIBE_PRIMITIVE = 'describePersona';
export { LAST_AUDIT_PRIMITIVE };

export interface PersonaPrimitiveOptions {
  /** The image the audit examines (the one the UVM serves). */
  readonly image: ImageView;
  /** The folder of the personas' adapter files, for `describe`. */
  readonly loraDir: string;
  /** Tuning of the audit; its compile check is the sandbox's, from the send. */
  readonly audit?: Omit<AuditOptions, 'checkMethod'>;
}

/**
 * `auditPersistence`: audits the image, keeps the summary in the system's audit record in
 * the send's transaction, and answers with ALFRED's report as the sender may see it (findings
 * on objects they may not read only counted). It takes no argument: `collect` is for admins,
 * and a primitive cannot see who asks, so the conversation layer serves
 * `alfred auditPersistence collect` itself.
 *
 * `lastAudit`: the last audit's report, filtered the same way; it changes nothing.
 *
 * `describePersona`: the usual description plus how the persona speaks — through its
 * adapter, or in voice only, and why.
 */
export function personaPrimitives(options: PersonaPrimitiveOptions): PrimitiveTable {
  return {
    [AUDIT_PRIMITIVE]: async (call) => {
      if (call.args.length > 0)
        throw new SendError(
          call.args[0] === 'collect' ? 'not-allowed' : 'bad-argument',
          call.args[0] === 'collect'
            ? 'Collecting what is unreachable is for admins, asked of ALFRED in chat: alfred auditPersistence collect.'
            : 'auditPersistence takes no arguments (admins may add collect).',
        );
      const summary = await runAudit(options.image, {
        ...options.audit,
        checkMethod: call.checkMethod,
      });
      // The record is the system's: the audit was allowed, so the system writes it.
      call.elevate((tx) => recordAudit(tx, summary));
      return reportFor(call, summary);
    },
    [LAST_AUDIT_PRIMITIVE]: (call) => {
      if (call.args.length > 0)
        throw new SendError('bad-argument', 'lastAudit takes no arguments.');
      const summary = lastAudit(call.tx);
      if (summary === undefined)
        return 'I have kept no audit yet, sir. Ask me for one: alfred auditPersistence.';
      return reportFor(call, summary);
    },
    [DESCRIBE_PRIMITIVE]: (call) => {
      const description = runPrimitive('describe', call) as string;
      const persona = readPersonas(call.tx).find((p) => p.oid === call.self);
      if (persona === undefined) return description;
      return `${description}\n${persona.name}: ${persona.role} ${adapterLine(options.loraDir, persona)}`;
    },
  };
}

/** ALFRED's report of `summary` as the caller may see it. */
function reportFor(call: PrimitiveCall, summary: AuditSummary): string {
  const shown = summaryFor(call.tx, call.authority, summary);
  return renderAuditReport(shown.summary, shown.withheld);
}
