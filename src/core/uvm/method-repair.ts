/**
 * The repair loop: a kept method that keeps failing when sent is written again by the
 * model, as its owner would have it written, and the candidate is kept only when it answers
 * every recorded call: each failing call without failing, and each of the method's last
 * successful calls with what the current version returns for it now (both run in
 * transactions that are never committed). A kept repair is a new version of the method
 * (provenance `repair`), so `versions` lists it and `revert` brings the old one back.
 */
import { systemAuthority } from '../access/authority.ts';
import type { Image } from '../image/index.ts';
import { labelOf } from '../model/name-table.ts';
import { accessOf } from '../model/object-access.ts';
import { SYSTEM, type Principal } from '../model/principal.ts';
import type { MethodExample, Oid, Slot, Value } from '../model/value.ts';
import { describeObject, type Delivery, type GuardFor } from './delivery.ts';
import type { ImageWork } from './image-work.ts';
import type { MethodCallRecord, MethodCalls, MethodRecord } from './method-calls.ts';
import { failedExample } from './method-examples.ts';
import { readMethodVersions } from './method-versions.ts';
import {
  RejectedMethod,
  type MethodRequest,
  type MethodWriter,
  type WrittenMethod,
} from './method-writer.ts';

type MethodSlot = Extract<Slot, { kind: 'method' }>;

/**
 * Where a repair's owner is told of it: where they last sent the method, or else where
 * they made the version repaired; or the admin channel.
 */
export type RepairAudience =
  | {
      readonly kind: 'owner';
      readonly platform: string;
      readonly channel: string;
      readonly thread?: string;
    }
  | { readonly kind: 'admins' };

/** What a repair did, for the owner of the method. */
export interface RepairNotice {
  readonly holder: Oid;
  readonly selector: string;
  readonly owner: Principal;
  /** Whether a repair was kept (else the method stays as it was). */
  readonly kept: boolean;
  /** The repair's transaction, when kept. */
  readonly tx?: number;
  readonly audience: RepairAudience;
  readonly text: string;
}

/** Failures of a method after which it is repaired, by default (BATOS_REPAIR_AFTER_FAILURES). */
export const DEFAULT_REPAIR_AFTER_FAILURES = 3;

/** Who the repair's transactions are made by, in history. */
export const REPAIRER = 'system:repair';

/** The method the record is about, as committed now, and what the repair needs of it. */
interface Broken {
  readonly label: string;
  readonly slot: MethodSlot;
  readonly owner: Principal;
  readonly request: MethodRequest;
}

export class MethodRepair {
  constructor(
    private readonly image: Image,
    private readonly work: ImageWork,
    private readonly delivery: Delivery,
    private readonly calls: MethodCalls,
    private readonly guardFor: GuardFor,
    private readonly writer: MethodWriter | undefined,
    private readonly attempts: number,
  ) {}

  /**
   * Repairs, one after another, every method that failed at least `threshold` times since
   * it last changed. Each is tried once per threshold: its record is forgotten whether a
   * repair is kept or not, so a method that cannot be repaired is tried again only after it
   * fails as often again. Returns what to tell each owner.
   */
  async repairFailing(threshold: number): Promise<RepairNotice[]> {
    if (this.writer === undefined) return [];
    const notices: RepairNotice[] = [];
    for (const record of this.calls.failing(threshold)) {
      this.calls.forget(record.holder, record.selector);
      const broken = await this.current(record);
      if (broken === undefined) continue;
      notices.push(await this.repair(record, broken, this.writer));
    }
    return notices;
  }

  /** The method as committed, when it is still the one that failed. */
  private current(record: MethodRecord): Promise<Broken | undefined> {
    return this.work.read((tx) => {
      const slot = tx.exists(record.holder)
        ? tx.getSlot(record.holder, record.selector)
        : undefined;
      if (slot?.kind !== 'method' || slot.source !== record.source) return undefined;
      const owner = slot.provenance?.owner ?? accessOf(tx.slots(record.holder)).owner;
      const first = record.failures[0]!;
      return {
        label: labelOf(tx, record.holder),
        slot,
        owner,
        request: {
          ...describeObject(tx, record.holder),
          selector: record.selector,
          args: first.args,
          requestedBy: owner,
          ...(slot.provenance?.readOnly ? { readOnly: true } : {}),
          failedAttempts: [
            {
              source: record.source,
              error: record.failures.map((call) => `${callText(call)}: ${call.error}`).join('; '),
            },
          ],
        },
      };
    });
  }

  /** Writes candidates until one answers every recorded call, and keeps it. */
  private async repair(
    record: MethodRecord,
    broken: Broken,
    writer: MethodWriter,
  ): Promise<RepairNotice> {
    const failed = [...broken.request.failedAttempts!];
    const notice = (kept: boolean, text: string, tx?: number) =>
      this.notice(record, broken, kept, text, tx);
    for (let attempt = 1; attempt <= this.attempts; attempt += 1) {
      let written: WrittenMethod;
      try {
        written = await writer.write({ ...broken.request, failedAttempts: failed });
      } catch (error) {
        if (error instanceof RejectedMethod) {
          failed.push({ source: error.source, error: error.error.message });
          continue;
        }
        return notice(
          false,
          `${broken.label} ${record.selector} failed ${record.failureCount} times, and the model could not write a repair: ${(error as Error).message}`,
        );
      }
      // Written as the owner would have it, and run with their authority (read-only stays so).
      const candidate: MethodSlot = {
        kind: 'method',
        source: written.source,
        provenance: {
          ...written.provenance,
          ...withExamples(broken.slot.provenance?.examples, written.provenance.examples),
          by: REPAIRER,
          owner: broken.owner,
          ...(broken.slot.provenance?.readOnly ? { readOnly: true } : {}),
          repair: true,
        },
      };
      const why = await this.replay(record, candidate);
      if (why !== undefined) {
        failed.push({ source: written.source, error: why });
        continue;
      }
      return this.keep(record, broken, candidate, notice);
    }
    const last = failed.at(-1)!.error;
    return notice(
      false,
      `${broken.label} ${record.selector} failed ${record.failureCount} times (last: ${record.failures.at(-1)!.error}). The model wrote ${failed.length - 1} repair(s), none of which passed its recorded calls (the last: ${last}), so the method was left as it was. It is tried again after as many failures.`,
    );
  }

  /** Why `candidate` does not answer the recorded calls, or undefined when it answers all. */
  private async replay(record: MethodRecord, candidate: MethodSlot): Promise<string | undefined> {
    const run = (call: MethodCallRecord, slot?: MethodSlot) =>
      this.work.attempt(call.caller.principal, () =>
        this.delivery.trial(call, record.holder, record.selector, slot),
      );
    const first = record.failures[0]!;
    const example = await failedExample(
      record.selector,
      candidate.provenance?.examples ?? [],
      (args) => run({ ...first, args }, candidate),
    );
    if (example !== undefined) return example;
    for (const call of record.failures) {
      try {
        await run(call, candidate);
      } catch (error) {
        return `${callText(call)}, which failed before, it failed too: ${(error as Error).message}`;
      }
    }
    for (const call of record.successes) {
      // What the method answers now: the state may have moved on since the call was made.
      let expected: Value | undefined;
      try {
        expected = await run(call);
      } catch {
        expected = undefined;
      }
      let got: Value;
      try {
        got = await run(call, candidate);
      } catch (error) {
        return `${callText(call)}, which the method answered before, it failed: ${(error as Error).message}`;
      }
      if (expected !== undefined && JSON.stringify(got) !== JSON.stringify(expected))
        return `${callText(call)} it returned ${JSON.stringify(got)}, where the method it replaces returns ${JSON.stringify(expected)}`;
    }
    return undefined;
  }

  /** Keeps `candidate` as the method's new version, unless the method changed meanwhile. */
  private async keep(
    record: MethodRecord,
    broken: Broken,
    candidate: MethodSlot,
    notice: (kept: boolean, text: string, tx?: number) => Promise<RepairNotice>,
  ): Promise<RepairNotice> {
    const done = await this.work.attempt(SYSTEM, async () => {
      const info = { who: REPAIRER, platform: 'console', message: `repair ${record.selector}` };
      const tx = this.image.begin(info, this.guardFor(systemAuthority()));
      const slot = tx.exists(record.holder)
        ? tx.getSlot(record.holder, record.selector)
        : undefined;
      if (slot?.kind !== 'method' || slot.source !== record.source) return undefined;
      tx.setSlot(record.holder, record.selector, candidate);
      return this.image.commit(tx);
    });
    if (done === undefined)
      return notice(
        false,
        `${broken.label} ${record.selector} was changed while its repair was written; the repair was not kept.`,
      );
    await this.work.durable();
    const name = broken.label.split(' ').pop();
    const checked = record.failures.length + record.successes.length;
    const versions = await this.versions(record);
    const old = versions.findLastIndex((v) => v.slot.source === record.source);
    const back =
      old < 0
        ? 'the old one is not in history, so it cannot be reverted to'
        : `\`revert ${name} ${record.selector} ${old + 1}\` puts the old one back`;
    return notice(
      true,
      `${broken.label} ${record.selector} failed ${record.failureCount} times (last: ${record.failures.at(-1)!.error}), so the model repaired it: version ${versions.length}, which answered the ${checked} recorded call(s), is kept. \`versions ${name} ${record.selector}\` shows it; ${back}.`,
      done,
    );
  }

  private versions(record: MethodRecord) {
    return readMethodVersions(this.image, record.holder, record.selector);
  }

  /**
   * The notice for the owner: told where they last sent the method, or where they made
   * the version that failed; for BAT OS's own objects (or an owner seen nowhere), in the
   * admin channel.
   */
  private async notice(
    record: MethodRecord,
    broken: Broken,
    kept: boolean,
    text: string,
    tx?: number,
  ): Promise<RepairNotice> {
    return {
      holder: record.holder,
      selector: record.selector,
      owner: broken.owner,
      kept,
      ...(tx === undefined ? {} : { tx }),
      audience: await this.audience(record, broken.owner),
      text,
    };
  }

  private async audience(record: MethodRecord, owner: Principal): Promise<RepairAudience> {
    if (owner === SYSTEM) return { kind: 'admins' };
    const sent = [...record.successes, ...record.failures]
      .map((call) => call.caller)
      .findLast((caller) => caller.principal === owner && caller.channel !== undefined);
    if (sent !== undefined)
      return {
        kind: 'owner',
        platform: sent.platform,
        channel: sent.channel!,
        ...(sent.thread === undefined ? {} : { thread: sent.thread }),
      };
    const made = (await this.versions(record)).findLast((v) => v.slot.source === record.source);
    return made?.who === owner && made.channel !== null
      ? { kind: 'owner', platform: made.platform, channel: made.channel }
      : { kind: 'admins' };
  }
}

/** A recorded call, as a repair's prompt and notice name it. */
function callText(call: MethodCallRecord): string {
  return `sent to #${call.receiver} with ${JSON.stringify(call.args)} by ${call.caller.principal}`;
}

/** The checks a repair keeps: the broken version's examples, and those written with the repair. */
function withExamples(
  kept: readonly MethodExample[] = [],
  written: readonly MethodExample[] = [],
): { examples?: readonly MethodExample[] } {
  const all = new Map([...kept, ...written].map((example) => [JSON.stringify(example), example]));
  return all.size === 0 ? {} : { examples: [...all.values()] };
}
