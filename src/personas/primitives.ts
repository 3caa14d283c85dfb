/**
 * The primitives the personas add to the UVM (through `UvmOptions.primitives`):
 * `auditPersistence`, held by ALFRED, and `describePersona`, the persona prototype's
 * `describe`. Both can be sent from a message only, not from inside a method.
 */
import { SendError } from '../core/errors.ts';
import type { ImageView } from '../core/image/index.ts';
import { runPrimitive, type PrimitiveTable } from '../core/uvm/primitives.ts';
import { adapterLine } from './adapter-file.ts';
import { runAudit, type AuditOptions } from './audit.ts';
import { recordAudit } from './audit-record.ts';
import { renderAuditReport } from './audit-report.ts';
import { readPersonas } from './records.ts';

/** The primitive name of ALFRED's audit. */
export const AUDIT_PRIMITIVE = 'auditPersistence';
/** The primitive name of a persona's `describe`. */
export const DESCRIBE_PRIMITIVE = 'describePersona';

export interface PersonaPrimitiveOptions {
  /** The image the audit examines (the one the UVM serves). */
  readonly image: ImageView;
  /** The folder of the personas' adapter files, for `describe`. */
  readonly loraDir: string;
  /** Tuning of the audit; its compile check is the sandbox's, from the send. */
  readonly audit?: Omit<AuditOptions, 'checkMethod'>;
}

/**
 * `auditPersistence`: audits the image, keeps the summary on the receiver (`lastAudit`,
 * `lastAuditAt`) in the send's transaction, and answers with ALFRED's report. It takes no
 * argument: `collect` is for admins, and a primitive cannot see who asks, so the
 * conversation layer serves `alfred auditPersistence collect` itself.
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
      recordAudit(call.tx, call.self, summary);
      return renderAuditReport(summary);
    },
    [DESCRIBE_PRIMITIVE]: (call) => {
      const description = runPrimitive('describe', call) as string;
      const persona = readPersonas(call.tx).find((p) => p.oid === call.self);
      if (persona === undefined) return description;
      return `${description}\n${persona.name}: ${persona.role} ${adapterLine(options.loraDir, persona)}`;
    },
  };
}
