/**
 * One send's view of the image: reads see the transaction's own writes, and every write is
 * buffered here until the image commits it in one database transaction. Dropping a
 * `Transaction` is the rollback: nothing reached the disk or the shared cache.
 */
import { SendError } from '../errors.ts';
import { type Oid, type Slot, slotEquals, type SlotMap } from '../model/value.ts';

/** Who and what a transaction is for; kept in history. */
export interface TransactionInfo {
  readonly who: string;
  readonly platform: string;
  readonly channel?: string;
  readonly message?: string;
  /** Set by undo: the transaction being reverted. */
  readonly undoOf?: number;
}

/** One slot's change, as history records it. `slot` is null for an object's creation. */
export interface SlotChange {
  readonly oid: Oid;
  readonly slot: string | null;
  readonly before: Slot | undefined;
  readonly after: Slot | undefined;
  readonly beforeIndex: number | undefined;
}

/** An object as committed, with the transaction that last wrote it. */
export interface CommittedObject {
  readonly slots: SlotMap;
  readonly version: number;
}

/** What a transaction needs from the image it runs against. */
export interface CommittedState {
  read(oid: Oid): CommittedObject | undefined;
  readonly nextOid: Oid;
}

/**
 * Checks each write before the transaction buffers it — who may write, quotas, the
 * invariants of the primordial objects — and throws a {@link SendError} to refuse it. Every
 * write passes here, whether it comes from a primitive, a method's bridge or BAT OS's own
 * bookkeeping, so no path can go around it.
 */
export interface WriteGuard {
  /** Before `slot` is written to `name` of `oid`; `undefined` for a removal. */
  beforeWrite(tx: Transaction, oid: Oid, name: string, slot: Slot | undefined): void;
  /** Before an object with `slots` is created as `oid`. */
  beforeCreate(tx: Transaction, oid: Oid, slots: SlotMap): void;
  /** Before the image commits `tx`, which adds `historyBytes` to history. */
  beforeCommit?(tx: Transaction, historyBytes: number): void;
}

/** One write, as a savepoint needs it to take the write back. */
type JournalEntry =
  | {
      readonly kind: 'slot';
      readonly oid: Oid;
      readonly name: string;
      readonly before: Slot | undefined;
      /** Where the slot stood before, when the write moved or removed it; -1 otherwise. */
      readonly index: number;
    }
  | { readonly kind: 'create'; readonly oid: Oid };

/** What every view of one transaction shares (see {@link Transaction.checkedBy}). */
interface Buffered {
  readonly written: Map<Oid, Map<string, Slot>>;
  readonly created: Oid[];
  /**
   * Each committed object as this transaction first read it (null: there was none). Later
   * reads see the same, whatever commits meanwhile, so the transaction's view is one
   * consistent snapshot, and the commit can tell by the versions whether it is still current.
   */
  readonly seen: Map<Oid, CommittedObject | null>;
  allocated: number;
  /** Writes since the first savepoint, so a savepoint can be rolled back to; none before. */
  journal: JournalEntry[] | undefined;
  ranAs: string | undefined;
}

export class Transaction {
  private readonly buffer: Buffered;

  /** A new transaction over `state`; every write passes `guard` first. */
  constructor(
    private readonly state: CommittedState,
    readonly info: TransactionInfo,
    private readonly guard?: WriteGuard,
    shared?: Buffered,
  ) {
    this.buffer = shared ?? {
      written: new Map(),
      created: [],
      seen: new Map(),
      allocated: 0,
      journal: undefined,
      ranAs: undefined,
    };
  }

  /**
   * The same transaction — its writes, reads and savepoints — with every write checked by
   * `guard` instead: how a send writes with the authority of whoever acts at that moment
   * (a method's owner, BAT OS for the sender) without changing anyone's guard.
   */
  checkedBy(guard: WriteGuard): Transaction {
    return guard === this.guard ? this : new Transaction(this.state, this.info, guard, this.buffer);
  }

  /** The owner of the method that answered the send, whose authority it ran with. */
  get ranAs(): string | undefined {
    return this.buffer.ranAs;
  }

  set ranAs(owner: string | undefined) {
    this.buffer.ranAs = owner;
  }

  /** The object's slots as this transaction sees them; `undefined` if it does not exist. */
  slots(oid: Oid): SlotMap | undefined {
    return this.buffer.written.get(oid) ?? this.committed(oid);
  }

  exists(oid: Oid): boolean {
    return this.slots(oid) !== undefined;
  }

  getSlot(oid: Oid, name: string): Slot | undefined {
    return this.slots(oid)?.get(name);
  }

  setSlot(oid: Oid, name: string, slot: Slot): void {
    const slots = this.writable(oid);
    this.guard?.beforeWrite(this, oid, name, slot);
    this.buffer.journal?.push({ kind: 'slot', oid, name, before: slots.get(name), index: -1 });
    slots.set(name, slot);
  }

  /** Puts a slot back at a position (undo restores order as well as value). */
  insertSlot(oid: Oid, name: string, slot: Slot, index: number): void {
    const current = this.writable(oid);
    this.guard?.beforeWrite(this, oid, name, slot);
    this.buffer.journal?.push({
      kind: 'slot',
      oid,
      name,
      before: current.get(name),
      index: [...current.keys()].indexOf(name),
    });
    placeSlot(current, name, slot, index);
  }

  /** Removes a slot; returns whether it was there. */
  removeSlot(oid: Oid, name: string): boolean {
    if (!this.slots(oid)?.has(name)) return false;
    const slots = this.writable(oid);
    this.guard?.beforeWrite(this, oid, name, undefined);
    if (this.buffer.journal !== undefined)
      this.buffer.journal.push({
        kind: 'slot',
        oid,
        name,
        before: slots.get(name),
        index: [...slots.keys()].indexOf(name),
      });
    return slots.delete(name);
  }

  /** Creates an object with the given slots and returns its new oid. */
  create(slots: Iterable<readonly [string, Slot]> = []): Oid {
    const oid = this.state.nextOid + this.buffer.allocated;
    const initial = new Map(slots);
    this.guard?.beforeCreate(this, oid, initial);
    this.buffer.allocated += 1;
    this.buffer.created.push(oid);
    this.buffer.written.set(oid, initial);
    this.buffer.journal?.push({ kind: 'create', oid });
    return oid;
  }

  /**
   * Called by the image just before it commits: the guard may still refuse the transaction
   * whole for what it adds to history (`historyBytes`), before anything is written.
   */
  beforeCommit(historyBytes: number): void {
    this.guard?.beforeCommit?.(this, historyBytes);
  }

  /**
   * Marks the writes so far, so that {@link rollbackTo} can take back every write made
   * after it: a nested send's savepoint.
   */
  savepoint(): number {
    this.buffer.journal ??= [];
    return this.buffer.journal.length;
  }

  /** Takes back every write made since `mark` (from {@link savepoint}), newest first. */
  rollbackTo(mark: number): void {
    const journal = this.buffer.journal ?? [];
    while (journal.length > mark) {
      const entry = journal.pop()!;
      if (entry.kind === 'create') {
        this.buffer.written.delete(entry.oid);
        this.buffer.created.pop();
        this.buffer.allocated -= 1;
        continue;
      }
      const slots = this.buffer.written.get(entry.oid)!;
      if (entry.before === undefined) slots.delete(entry.name);
      else if (entry.index < 0) slots.set(entry.name, entry.before);
      else placeSlot(slots, entry.name, entry.before, entry.index);
    }
  }

  /** Whether this transaction created `oid`. */
  createdHere(oid: Oid): boolean {
    return this.buffer.created.includes(oid);
  }

  /** How many objects this transaction created. */
  get createdCount(): number {
    return this.buffer.created.length;
  }

  /** The next oid the image hands out once this transaction commits. */
  get nextOid(): Oid {
    return this.state.nextOid + this.buffer.allocated;
  }

  /** The objects this transaction wrote, with their slots as they will be committed. */
  get writes(): ReadonlyMap<Oid, SlotMap> {
    return this.buffer.written;
  }

  /** The versions of the committed objects this transaction read, written ones included. */
  get reads(): ReadonlyMap<Oid, number> {
    const versions = new Map<Oid, number>();
    for (const [oid, object] of this.buffer.seen)
      if (object !== null) versions.set(oid, object.version);
    return versions;
  }

  /** Every slot whose value differs from the committed state, in slot order. */
  changes(): SlotChange[] {
    const changes: SlotChange[] = [];
    const createdSet = new Set(this.buffer.created);
    for (const [oid, after] of this.buffer.written) {
      const before: SlotMap = createdSet.has(oid) ? new Map() : (this.committed(oid) ?? new Map());
      if (createdSet.has(oid))
        changes.push({
          oid,
          slot: null,
          before: undefined,
          after: undefined,
          beforeIndex: undefined,
        });
      const beforeNames = [...before.keys()];
      for (const [name, slot] of after) {
        const old = before.get(name);
        if (!slotEquals(old, slot))
          changes.push({ oid, slot: name, before: old, after: slot, beforeIndex: undefined });
      }
      beforeNames.forEach((name, index) => {
        if (!after.has(name))
          changes.push({
            oid,
            slot: name,
            before: before.get(name),
            after: undefined,
            beforeIndex: index,
          });
      });
    }
    return changes;
  }

  private committed(oid: Oid): SlotMap | undefined {
    let object = this.buffer.seen.get(oid);
    if (object === undefined) {
      object = this.state.read(oid) ?? null;
      this.buffer.seen.set(oid, object);
    }
    return object?.slots;
  }

  private writable(oid: Oid): Map<string, Slot> {
    let slots = this.buffer.written.get(oid);
    if (slots === undefined) {
      const committed = this.committed(oid);
      if (committed === undefined)
        throw new SendError('unknown-object', `There is no object #${oid}.`);
      slots = new Map(committed);
      this.buffer.written.set(oid, slots);
    }
    return slots;
  }
}

/** Puts `name` at position `index` of `slots` (order matters: undo restores it too). */
function placeSlot(slots: Map<string, Slot>, name: string, slot: Slot, index: number): void {
  slots.delete(name);
  const entries = [...slots];
  entries.splice(Math.min(index, entries.length), 0, [name, slot]);
  slots.clear();
  for (const [key, value] of entries) slots.set(key, value);
}
