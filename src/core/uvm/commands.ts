/**
 * The commands the UVM serves besides sends — `history`, `undo`, `collect`, `backup` — and
 * the history's retention, each with its caller's context (`assertCommand` decides who may
 * run which).
 */
import { callerAuthority, systemAuthority, type Authority } from '../access/authority.ts';
import { assertCommand } from '../access/commands.ts';
import type { Caller } from '../access/principal.ts';
import { mayRead } from '../access/rights.ts';
import { SendError } from '../errors.ts';
import type {
  CollectResult,
  HistoryChange,
  HistoryEntry,
  Image,
  Transaction,
} from '../image/index.ts';
import { labelOf, nameOf } from '../model/name-table.ts';
import { accessOf } from '../model/object-access.ts';
import { SYSTEM, type Principal } from '../model/principal.ts';
import type { MethodProvenance, Oid } from '../model/value.ts';
import { assertReadable } from './access-checks.ts';
import { transactionInfo, type GuardFor } from './delivery.ts';
import { readableChildren } from './children.ts';
import { historyText, type ShownEntry } from './history-text.ts';
import {
  auditRecord,
  AUDITS_SEARCHED,
  auditViews,
  keptAuditOnSystemObject,
  type AuditsView,
} from './audits.ts';
import type { CallCounts } from './call-counts.ts';
import { imageStats, type ImageStats } from './image-stats.ts';
import { inspectObject, type ObjectView } from './inspection.ts';
import { readableThread, readableThreads, type ThreadView } from './threads.ts';
import type { ImageWork } from './image-work.ts';
import { resolveDesignator } from './names.ts';
import type { ObjectDesignator } from './parser.ts';
import { RETAINED_SHARE, type HistoryRetention, type Retained } from './retention.ts';
import { undoRefusal } from './undo-rule.ts';
import { undoObstacleError } from './undo-words.ts';
import {
  methodVersions,
  readMethodVersions,
  versionsText,
  VERSIONS_SEARCHED,
} from './method-versions.ts';
import { authorOf } from './primitives.ts';
import { methodListText, readableImplementors, readableSenders } from './method-finder.ts';

/** Which history {@link Commands.history} shows; nothing named, the last 10 people made. */
export interface HistoryQuery {
  /** The last 20 transactions that changed this object, BAT OS's own included. */
  readonly object?: ObjectDesignator;
  /** This one transaction. */
  readonly tx?: number;
  /** The last 20 transactions of the whole image, BAT OS's own (boot, model records) included. */
  readonly all?: boolean;
  /** Only this principal's transactions. */
  readonly by?: Principal;
  /** Only those made at or after this ISO time. */
  readonly from?: string;
  /** Only those made before this ISO time. */
  readonly to?: string;
}

/** Transactions forgotten at once by retention, while sends wait. */
const RETENTION_BATCH = 1_000;

export class Commands {
  constructor(
    private readonly image: Image,
    private readonly work: ImageWork,
    private readonly guardFor: GuardFor,
    private readonly counts: CallCounts,
  ) {}

  /**
   * The last changes, newest first, as text: by default the last 10 transactions people
   * made (BAT OS's own left out), with `all` the last 20 of any; or those that changed one
   * object, or one transaction (see {@link HistoryQuery}). Another person's transaction that
   * touched something private shows who and when, not what.
   */
  async history(caller: Caller, query: HistoryQuery = {}): Promise<string> {
    assertCommand(caller, 'history');
    return this.work.read(async (tx) => {
      const authority = callerAuthority(caller);
      const oid =
        query.object === undefined
          ? undefined
          : resolveDesignator(tx, query.object, caller.principal);
      if (oid !== undefined) assertReadable(tx, authority, oid);
      const people = oid === undefined && query.tx === undefined && query.all !== true;
      const filters = {
        ...(query.by === undefined ? {} : { who: query.by }),
        ...(query.from === undefined ? {} : { from: query.from }),
        ...(query.to === undefined ? {} : { to: query.to }),
      };
      const filtered = Object.keys(filters).length > 0;
      const entries = await this.image.history({
        ...filters,
        ...(query.tx !== undefined
          ? { tx: query.tx, limit: 1 }
          : oid !== undefined
            ? { oid, limit: 20 }
            : { limit: people && !filtered ? 10 : 20, withoutSystem: people }),
      });
      if (entries.length === 0)
        return filtered
          ? `No transactions${filterWords(query)}${oid === undefined ? '' : ` changed ${labelOf(tx, oid)}`}.`
          : query.tx !== undefined
            ? `There is no transaction ${query.tx} (\`collect\` with days forgets old ones). \`history\` lists the latest.`
            : oid !== undefined
              ? `Nothing has changed ${labelOf(tx, oid)} yet.`
              : people
                ? "No transactions yet but BAT OS's own: `history all` shows them."
                : 'No transactions yet.';
      const shown = entries.map((entry) => shownEntry(tx, authority, entry));
      const text = historyText(shown, (o) => nameOf(tx, o), oid);
      return people
        ? `${text}\n(the last ${entries.length} by people, newest first; \`history all\` adds BAT OS's own, \`history <tx>\` shows one transaction, \`history <object>\` one object's)`
        : text;
    });
  }

  /**
   * Reverts one of the caller's own transactions (the newest by default; admins may name
   * anyone's). Returns the transaction undone and the one that undid it.
   */
  undo(caller: Caller, txId?: number): Promise<{ undone: number; tx?: number }> {
    assertCommand(caller, 'undo');
    this.work.assertOpen();
    return this.work.serve(() => this.undoNow(caller, txId));
  }

  /** Admins: deletes what the root cannot reach (and, with `days`, older history). */
  collect(caller: Caller, keepHistoryDays?: number): Promise<CollectResult> {
    assertCommand(caller, 'collect');
    this.work.assertOpen();
    return this.work.gate.alone(caller.principal, () =>
      this.image.collect(keepHistoryDays === undefined ? {} : { keepHistoryDays }),
    );
  }

  /**
   * Forgets history beyond `retention`, oldest first: what is older than its days, and
   * while history holds more than its bytes, down to {@link RETAINED_SHARE} of them. It
   * forgets a batch at a time, each alone (sends wait for one batch, not for the whole).
   */
  async retainHistory(retention: HistoryRetention): Promise<Retained> {
    this.work.assertOpen();
    const before =
      retention.keepDays > 0
        ? new Date(Date.now() - retention.keepDays * 86_400_000).toISOString()
        : '';
    const bytesBefore = await this.image.historySize();
    let excess =
      bytesBefore > retention.maxBytes
        ? bytesBefore - Math.floor(retention.maxBytes * RETAINED_SHARE)
        : 0;
    let byAge = 0;
    let bySize = 0;
    for (let more = true; more;) {
      let through: number | undefined;
      const batch = await this.image.oldestTransactions(RETENTION_BATCH);
      more = batch.length === RETENTION_BATCH;
      for (const { tx, at, bytes } of batch) {
        if (at < before) byAge += 1;
        else if (excess > 0) bySize += 1;
        else {
          more = false;
          break;
        }
        excess -= bytes;
        through = tx;
      }
      if (through === undefined) break;
      const forgotten = through;
      await this.work.gate.alone(SYSTEM, () => this.image.forgetHistory({ through: forgotten }));
    }
    return { byAge, bySize, bytesBefore, bytesAfter: await this.image.historySize() };
  }

  /** A method's versions on an object the caller may read, oldest first, as text. */
  async versions(caller: Caller, object: ObjectDesignator, selector: string): Promise<string> {
    assertCommand(caller, 'versions');
    const slots = () => [selector];
    return this.readWithHistory(caller, object, slots, (tx, oid, entries) => {
      const versions = methodVersions(entries, oid, selector);
      return versionsText(labelOf(tx, oid), selector, versions, tx.slots(oid)?.get(selector));
    });
  }

  /**
   * An object the caller may read, as data (see `inspection.ts`): the browser's object page,
   * with the page of its readable children after `childrenAfter`. Refused as a send to it
   * would be.
   */
  inspect(caller: Caller, object: ObjectDesignator, childrenAfter = -1): Promise<ObjectView> {
    const methods = (tx: Transaction, oid: Oid) =>
      [...(tx.slots(oid) ?? [])].filter(([, slot]) => slot.kind === 'method').map(([name]) => name);
    return this.readWithHistory(caller, object, methods, async (tx, oid, entries) =>
      inspectObject(
        tx,
        oid,
        entries,
        await readableChildren(this.image, tx, callerAuthority(caller), oid, childrenAfter),
      ),
    );
  }

  /**
   * The audits `auditor` (ALFRED) ran, newest first, as the caller may see them (see
   * `audits.ts`): the browser's audits page. Refused as a send to the auditor would be.
   */
  audits(caller: Caller, auditor: ObjectDesignator): Promise<AuditsView> {
    return this.work.read(async (tx) => {
      const oid = resolveDesignator(tx, auditor, caller.principal);
      const authority = callerAuthority(caller);
      assertReadable(tx, authority, oid);
      const record = auditRecord(tx);
      const entries =
        record === undefined
          ? []
          : await this.image.history({ oid: record, limit: AUDITS_SEARCHED });
      return auditViews(tx, authority, entries);
    });
  }

  /**
   * The conversation threads spoken in lately that the caller may read, as data (see
   * `threads.ts`): the browser's personas page.
   */
  threads(caller: Caller): Promise<ThreadView[]> {
    return this.work.read((tx) => readableThreads(this.image, tx, callerAuthority(caller)));
  }

  /** One conversation thread, refused as a send to it would be (see `threads.ts`). */
  thread(caller: Caller, object: ObjectDesignator): Promise<ThreadView> {
    return this.work.read((tx) =>
      readableThread(tx, callerAuthority(caller), resolveDesignator(tx, object, caller.principal)),
    );
  }

  /**
   * The image's statistics as the caller may see them (see `image-stats.ts`): the browser's
   * image page and `image stats`.
   */
  imageStats(caller: Caller): Promise<ImageStats> {
    return this.work.read((tx) => imageStats(tx, callerAuthority(caller), this.image, this.counts));
  }

  /**
   * Puts version `n` (from 1, as `versions` numbers them) of a method back, as a new change
   * of the caller's: the write guard decides as for any write (the owner, an admin, anyone on
   * a writable object), and the version runs with the reverter's authority from then on, as
   * a method defined by them would. Undoable like any change.
   */
  async revert(
    caller: Caller,
    object: ObjectDesignator,
    selector: string,
    n: number,
  ): Promise<{ tx?: number }> {
    assertCommand(caller, 'revert');
    const done = await this.work.attempt(caller.principal, async () => {
      const authority = callerAuthority(caller);
      const info = transactionInfo(caller, `revert ${selector} ${n}`);
      const tx = this.image.begin(info, this.guardFor(authority));
      const oid = resolveDesignator(tx, object, caller.principal);
      assertReadable(tx, authority, oid);
      const label = labelOf(tx, oid);
      const versions = await readMethodVersions(this.image, oid, selector);
      const version = versions[n - 1];
      if (version === undefined)
        throw new SendError(
          'bad-argument',
          versions.length === 0
            ? `${label} has no recorded version of ${selector}; nothing was changed.`
            : `${label} ${selector} has versions 1 to ${versions.length}, not ${n}; nothing was changed. \`versions ${label.split(' ').pop()} ${selector}\` lists them.`,
        );
      const current = tx.slots(oid)?.get(selector);
      if (current?.kind === 'method' && current.source === version.slot.source)
        throw new SendError(
          'bad-argument',
          `${label} ${selector} is version ${n} already; nothing was changed.`,
        );
      const provenance: MethodProvenance = {
        // Methods from before provenance was kept have none: whoever reverts defines it.
        ...(version.slot.provenance ?? {
          author: 'human',
          by: caller.principal,
          at: new Date().toISOString(),
        }),
        owner: authorOf(tx, oid, authority),
      };
      tx.setSlot(oid, selector, { ...version.slot, provenance });
      const id = await this.image.commit(tx);
      return id === undefined ? {} : { tx: id };
    });
    if (done.tx !== undefined) await this.work.durable();
    return done;
  }

  /**
   * `implementors` (the methods that answer `selector`) or `senders` (those that send it, see
   * `sendsSelector`): only those on objects the caller may read, as text.
   */
  async findMethods(
    caller: Caller,
    command: 'implementors' | 'senders',
    selector: string,
  ): Promise<string> {
    assertCommand(caller, command);
    return this.work.read(async (tx) => {
      const authority = callerAuthority(caller);
      const readable = await (command === 'senders' ? readableSenders : readableImplementors)(
        this.image,
        tx,
        authority,
        selector,
      );
      return methodListText(tx, command === 'senders' ? 'send' : 'answer', selector, readable);
    });
  }

  /** Admins: copies the live image to `file`. */
  backup(caller: Caller, file: string): Promise<void> {
    assertCommand(caller, 'backup');
    this.work.assertOpen();
    return this.work.gate.alone(caller.principal, () => this.image.backup(file));
  }

  /**
   * Reads `object`, once the caller may, with the transactions (newest first, as many as
   * method versions are searched) that set a method in the slots `slotsOf` names: the
   * methods whose versions it needs.
   */
  private readWithHistory<T>(
    caller: Caller,
    object: ObjectDesignator,
    slotsOf: (tx: Transaction, oid: Oid) => string[],
    work: (tx: Transaction, oid: Oid, entries: readonly HistoryEntry[]) => T | Promise<T>,
  ): Promise<T> {
    return this.work.read(async (tx) => {
      const oid = resolveDesignator(tx, object, caller.principal);
      assertReadable(tx, callerAuthority(caller), oid);
      const slots = slotsOf(tx, oid);
      return work(
        tx,
        oid,
        await this.image.history({ oid, methodSlots: slots, limit: VERSIONS_SEARCHED }),
      );
    });
  }

  private async undoNow(caller: Caller, txId?: number): Promise<{ undone: number; tx?: number }> {
    const done = await this.work.attempt(caller.principal, async () => {
      const info = transactionInfo(caller, txId === undefined ? 'undo' : `undo ${txId}`);
      const target = txId ?? (caller.admin ? undefined : await this.lastOwnChange(caller));
      if (target === undefined && !caller.admin)
        throw new SendError(
          'undo-refused',
          'You have nothing left to undo (your conversation turns are kept by BAT OS, not undone).',
        );
      const { tx: prepared, obstacle } = await this.image.prepareUndo(
        info,
        target,
        // The caller's undo: it counts toward their history budget unless they are an admin.
        this.guardFor({ ...systemAuthority(caller.principal), senderAdmin: caller.admin }),
      );
      if (obstacle !== undefined) throw undoObstacleError(obstacle);
      const undone = prepared.info.undoOf!;
      const [entry] = await this.image.history({ tx: undone, limit: 1 });
      if (!caller.admin && entry?.who !== caller.principal)
        throw new SendError(
          'not-allowed',
          `Transaction ${undone} was made by someone else; only admins may undo it.`,
        );
      if (!caller.admin && entry !== undefined) {
        const why = undoRefusal(prepared, callerAuthority(caller), entry);
        if (why !== undefined) throw new SendError('undo-refused', why);
      }
      const id = await this.image.commit(prepared);
      return id === undefined ? { undone } : { undone, tx: id };
    });
    if (done.tx !== undefined) await this.work.durable();
    return done;
  }

  /**
   * A person's last change they may undo themselves: their newest transaction whose every
   * write was theirs to make (a conversation turn is BAT OS's bookkeeping, not their change).
   */
  private async lastOwnChange(caller: Caller): Promise<number | undefined> {
    const entries = await this.image.history({ undoableBy: caller.principal, limit: 200 });
    // Already inside the send gate: a view of committed state, not another read.
    const view = this.image.begin({ who: SYSTEM, platform: caller.platform });
    const authority = callerAuthority(caller);
    return entries.find((entry) => undoRefusal(view, authority, entry) === undefined)?.tx;
  }
}

/** The filters of `query` in words, for a history that found nothing. */
function filterWords(query: HistoryQuery): string {
  return [
    query.by === undefined ? '' : ` by ${query.by}`,
    query.from === undefined ? '' : ` from ${query.from}`,
    query.to === undefined ? '' : ` before ${query.to}`,
  ].join('');
}

/**
 * `entry` as `authority` may see it: another's private transaction shows who and when; one's
 * own shows what it changed, except on objects one may not read (the system's audit record,
 * bookkeeping), which are only counted. An audit an older image kept on ALFRED shows without
 * its values (see `keptAuditOnSystemObject`).
 */
function shownEntry(tx: Transaction, authority: Authority, entry: HistoryEntry): ShownEntry {
  if (authority.admin) return entry;
  const readable = entry.changes
    .filter((change) => mayReadChange(tx, authority, change))
    .map((change) =>
      keptAuditOnSystemObject(tx, change) ? { ...change, valuesWithheld: true } : change,
    );
  if (
    entry.who !== authority.principal &&
    (entry.private || readable.length < entry.changes.length)
  )
    return { ...entry, hidden: true };
  const withheld = entry.changes.length - readable.length;
  return { ...entry, changes: readable, ...(withheld === 0 ? {} : { withheld }) };
}

/** Whether `authority` may read the object `change` is on (a deleted one's change stays). */
function mayReadChange(tx: Transaction, authority: Authority, change: HistoryChange): boolean {
  return !tx.exists(change.oid) || mayRead(authority, accessOf(tx.slots(change.oid)));
}
