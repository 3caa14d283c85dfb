/**
 * The guard every write of a send passes (see {@link WriteGuard}): whether the authority
 * the write is made with may change the object, whether the write keeps within the quotas, and the rules
 * other parts of BAT OS set on their own slots (the personas' aliases). A refusal throws a
 * {@link SendError} that says why; the send then fails whole and changes nothing.
 */
import {
  type Oid,
  PARENT_SLOT,
  parentOids,
  type Slot,
  type SlotMap,
  type Value,
} from '../model/value.ts';
import type { Transaction, WriteGuard } from '../image/index.ts';
import { parentProblem } from '../model/invariants.ts';
import { labelOf } from '../model/name-table.ts';
import type { Authority } from './authority.ts';
import { accessOf, isAccessSlot, OWNER_SLOT } from '../model/object-access.ts';
import { SYSTEM, type Principal } from '../model/principal.ts';
import { assertDepth, formatBytes, quotaExceeded, slotBytes, type Quotas } from './quotas.ts';
import { mayClone, mayWrite, writeRefused } from './rights.ts';
import { SendError } from '../errors.ts';

/**
 * A rule on one kind of slot: returns why `value` may not be stored in `name` of `oid`, or
 * undefined to let it be.
 */
export type SlotRule = (
  tx: Transaction,
  oid: Oid,
  name: string,
  value: Value,
) => string | undefined;

/** What the guard needs of the image. */
export interface GuardContext {
  readonly quotas: Quotas;
  /** How many committed objects a principal owns. */
  ownedObjects(owner: Principal): number;
  /** The committed size of an object's stored form, in bytes. */
  storedBytes(oid: Oid): number;
  /** The bytes a principal's transactions added to history today (UTC). */
  historyBytesToday(who: Principal): number;
  readonly rules: readonly SlotRule[];
}

/** What one send has added so far, which every guard of the send counts against its quotas. */
class SendAccount {
  sendBytes = 0;
  readonly objectBytes = new Map<Oid, number>();
  readonly createdFor = new Map<Principal, number>();

  constructor(
    readonly context: GuardContext,
    /** Whether the daily history budget binds: not for admins' sends nor the system's. */
    readonly historyBounded: boolean,
  ) {}
}

/**
 * The guard of one send for one authority. It never changes: where another authority acts
 * within the send (a method's owner, BAT OS for the sender), {@link as} gives that
 * authority's guard, which counts toward the same send's quotas.
 */
export class AccessGuard implements WriteGuard {
  private constructor(
    /** The authority every write this guard checks is made with. */
    readonly authority: Authority,
    private readonly send: SendAccount,
  ) {}

  /**
   * The guard of a new send made with `authority`: its history budget binds unless its
   * sender is an admin (or BAT OS).
   */
  static forSend(authority: Authority, context: GuardContext): AccessGuard {
    return new AccessGuard(authority, new SendAccount(context, !authority.senderAdmin));
  }

  /** This send's guard for `authority`, counting toward the same quotas. */
  as(authority: Authority): AccessGuard {
    return authority === this.authority ? this : new AccessGuard(authority, this.send);
  }

  beforeWrite(tx: Transaction, oid: Oid, name: string, slot: Slot | undefined): void {
    const authority = this.authority;
    const access = accessOf(tx.slots(oid));
    if (isAccessSlot(name)) {
      const owns = access.owner === authority.principal && !authority.readOnly;
      if (!(authority.admin || (owns && name !== OWNER_SLOT)))
        throw new SendError(
          'not-allowed',
          name === OWNER_SLOT
            ? `Only admins may change who owns ${labelOf(tx, oid)}. Nothing was changed.`
            : `Only the owner of ${labelOf(tx, oid)} (${access.owner}) and admins may change its permissions. Nothing was changed.`,
        );
    } else if (!mayWrite(authority, access)) {
      throw writeRefused(labelOf(tx, oid), access, authority);
    }
    if (name === PARENT_SLOT) {
      const problem = parentProblem(oid, slot, (o) => tx.slots(o));
      if (problem !== undefined)
        throw new SendError('bad-argument', `${problem} Nothing was changed.`);
      this.checkNewParents(tx, oid, slot);
    }
    this.checkSize(tx, oid, name, slot);
    if (slot?.kind === 'value')
      for (const rule of this.send.context.rules) {
        const why = rule(tx, oid, name, slot.value);
        if (why !== undefined) throw new SendError('bad-argument', `${why} Nothing was changed.`);
      }
  }

  beforeCreate(tx: Transaction, _oid: Oid, slots: SlotMap): void {
    const { quotas } = this.send.context;
    if (this.authority.readOnly)
      throw writeRefused('a new object', accessOf(undefined), this.authority);
    if (tx.createdCount + 1 > quotas.maxSendObjects)
      throw quotaExceeded(
        `One send may create at most ${quotas.maxSendObjects} objects (BATOS_MAX_SEND_OBJECTS).`,
      );
    const owner = accessOf(slots).owner;
    if (owner !== SYSTEM && !(this.authority.admin && owner === this.authority.principal)) {
      const mine = (this.send.createdFor.get(owner) ?? 0) + 1;
      const owned = this.send.context.ownedObjects(owner) + mine;
      if (owned > quotas.maxObjectsPerUser)
        throw quotaExceeded(
          `${owner} already owns ${owned - 1} objects; the limit is ${quotas.maxObjectsPerUser} (BATOS_MAX_OBJECTS_PER_USER). Free names you no longer need (\`root removeSlot <name>\`) and ask an admin to \`collect\`.`,
        );
      this.send.createdFor.set(owner, mine);
    }
    let bytes = 0;
    for (const [name, slot] of slots) {
      if (slot.kind === 'value') this.checkValue(name, slot.value);
      bytes += slotBytes(name, slot);
    }
    this.addSendBytes(bytes);
  }

  /**
   * Delegating to an object is deriving from it: a new parent must be one the authority may
   * clone (LambdaMOO's fertile flag) or owns, so nobody reaches another's methods or makes a
   * persona by pointing `parent*` at it.
   */
  private checkNewParents(tx: Transaction, oid: Oid, slot: Slot | undefined): void {
    if (slot?.kind !== 'value') return;
    const before = tx.getSlot(oid, PARENT_SLOT);
    const kept = new Set(before?.kind === 'value' ? parentOids(before.value) : []);
    for (const parent of parentOids(slot.value)) {
      if (kept.has(parent) || !tx.exists(parent)) continue;
      const access = accessOf(tx.slots(parent));
      if (!mayClone(this.authority, access))
        throw new SendError(
          'not-allowed',
          `${labelOf(tx, parent)} belongs to ${access.owner}, who has not let others derive from it (its flags lack "f"): an object may delegate only to objects you own or may clone. Nothing was changed.`,
        );
    }
  }

  /** Refuses a transaction that would take its author past the day's history budget. */
  beforeCommit(tx: Transaction, historyBytes: number): void {
    if (!this.send.historyBounded) return;
    const { maxHistoryBytesPerDay: limit } = this.send.context.quotas;
    const today = this.send.context.historyBytesToday(tx.info.who);
    if (today + historyBytes > limit)
      throw quotaExceeded(
        `This would add ${formatBytes(historyBytes)} to history, and ${tx.info.who}'s transactions have added ${formatBytes(today)} today; one person may add at most ${formatBytes(limit)} a day (BATOS_MAX_HISTORY_BYTES_PER_DAY). It renews at midnight UTC, ${untilMidnightUtc()} from now.`,
      );
  }

  private checkSize(tx: Transaction, oid: Oid, name: string, slot: Slot | undefined): void {
    const { quotas } = this.send.context;
    if (slot?.kind === 'value') this.checkValue(name, slot.value);
    const before = tx.getSlot(oid, name);
    const added = slotBytes(name, slot);
    const objectBytes =
      (this.send.objectBytes.get(oid) ??
        (tx.createdHere(oid) ? 0 : this.send.context.storedBytes(oid))) +
      added -
      slotBytes(name, before);
    if (slot !== undefined && objectBytes > quotas.maxObjectBytes)
      throw quotaExceeded(
        `${labelOf(tx, oid)} would hold ${formatBytes(objectBytes)}; an object may hold at most ${formatBytes(quotas.maxObjectBytes)} (BATOS_MAX_OBJECT_BYTES).`,
      );
    if (before === undefined && slot !== undefined) {
      const count = tx.slots(oid)?.size ?? 0;
      if (count + 1 > quotas.maxObjectSlots)
        throw quotaExceeded(
          `${labelOf(tx, oid)} already has ${count} slots; the limit is ${quotas.maxObjectSlots} (BATOS_MAX_OBJECT_SLOTS).`,
        );
    }
    this.send.objectBytes.set(oid, objectBytes);
    this.addSendBytes(added);
  }

  private checkValue(name: string, value: Value): void {
    const { quotas } = this.send.context;
    assertDepth(value, quotas.maxDepth, `The value for "${name}"`);
    const bytes = Buffer.byteLength(JSON.stringify(value));
    if (bytes > quotas.maxValueBytes)
      throw quotaExceeded(
        `The value for "${name}" is ${formatBytes(bytes)}; one slot may hold at most ${formatBytes(quotas.maxValueBytes)} (BATOS_MAX_VALUE_BYTES).`,
      );
  }

  private addSendBytes(bytes: number): void {
    const { quotas } = this.send.context;
    this.send.sendBytes += bytes;
    if (this.send.sendBytes > quotas.maxSendBytes)
      throw quotaExceeded(
        `This send would write more than ${formatBytes(quotas.maxSendBytes)}, the most one send may write (BATOS_MAX_SEND_BYTES).`,
      );
  }
}

/** The time left until the next midnight UTC, in hours and minutes. */
function untilMidnightUtc(): string {
  const now = new Date();
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  const minutes = Math.ceil((midnight - now.getTime()) / 60_000);
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
