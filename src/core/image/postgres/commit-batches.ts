/**
 * Group commit on PostgreSQL: commits that are ready while the statements before them are
 * still out wait, and then go to the server together, as one statement (see
 * `write-commit.ts`): one round trip, one transaction and one WAL flush for all of them,
 * and less work per send on both sides. A lone send never waits: with no statement out, its
 * commit goes at once.
 *
 * Each send stays its own transaction in meaning. A batch never holds two sends that touch
 * the same object where one of them writes it, nor two that create objects, nor an undo of a
 * transaction beside another undo of it: such a send waits for the next batch, where its own
 * check decides, exactly as if it had committed after the other alone. A send whose check
 * fails gets its own `conflict`; the others in its batch commit. If the statement fails as a
 * whole for another reason than one that holds for all of its sends (an unreachable server,
 * another process alone over the image) — bad data in one send, say — each of its sends is
 * tried again in a statement of its own, so only the one at fault fails.
 */
import type { ImageError } from '../../errors.ts';
import type { Oid } from '../../model/value.ts';
import type { CommitRecord } from '../store.ts';
import type { CommitContext, Written } from './write-commit.ts';

/** At most this many sends in one statement, so one statement stays small. */
export const MOST_IN_A_BATCH = 32;

/** Writes a batch's commits (one statement); what it did for each, in order. */
export type WriteBatch = (sends: readonly CommitContext[]) => Promise<Written[]>;

interface Waiting {
  readonly context: CommitContext;
  readonly resolve: (written: Written) => void;
  readonly reject: (error: unknown) => void;
}

export class CommitBatches {
  private readonly waiting: Waiting[] = [];
  private out = 0;

  /**
   * @param write runs one statement
   * @param statementsAtOnce statements out at once (a connection each)
   * @param failure what a failed statement means, as an `ImageError`
   */
  constructor(
    private readonly write: WriteBatch,
    private readonly statementsAtOnce: number,
    private readonly failure: (error: unknown) => ImageError,
  ) {}

  /** Commits `context`'s send with whatever others are ready; what the statement did for it. */
  commit(context: CommitContext): Promise<Written> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ context, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    while (this.out < this.statementsAtOnce && this.waiting.length > 0) {
      const batch = takeBatch(this.waiting);
      this.out += 1;
      void this.run(batch).finally(() => {
        this.out -= 1;
        this.next();
      });
    }
  }

  private async run(batch: readonly Waiting[]): Promise<void> {
    try {
      const written = await this.write(batch.map((w) => w.context));
      batch.forEach((w, index) => w.resolve(written[index]!));
    } catch (error) {
      const failed = this.failure(error);
      // An unreachable server, or another process alone over the image: the same for each.
      if (batch.length === 1 || failed.code === 'unavailable' || failed.code === 'conflict')
        for (const w of batch) w.reject(failed);
      // Nothing was written: each again alone, so the one at fault fails alone.
      else for (const w of batch) await this.run([w]);
    }
  }
}

/** What a send's commit touches: every object, and those it writes or creates. */
interface Footprint {
  readonly all: ReadonlySet<Oid>;
  readonly writes: ReadonlySet<Oid>;
}

function footprint(record: CommitRecord): Footprint {
  const writes = new Set(record.objects.map((o) => o.oid));
  return { all: new Set([...record.reads.keys(), ...writes]), writes };
}

/**
 * Takes from `waiting`, in order, the sends that may share a statement (see the module's
 * comment); the others stay, in order, for the next.
 */
export function takeBatch<W extends { readonly context: CommitContext }>(waiting: W[]): W[] {
  const taken: W[] = [];
  const touched = new Set<Oid>();
  const written = new Set<Oid>();
  const undone = new Set<number>();
  let creating = false;
  const rest: W[] = [];
  for (const w of waiting) {
    const { record } = w.context;
    const { all, writes } = footprint(record);
    const undoOf = record.transaction.undoOf;
    const fits =
      taken.length < MOST_IN_A_BATCH &&
      // A send that holds the others back commits alone, past the gate the others take.
      !record.alone &&
      !(taken.length > 0 && taken[0]!.context.record.alone) &&
      !(creating && record.nextOid !== undefined) &&
      !(undoOf !== null && undone.has(undoOf)) &&
      ![...all].some((oid) => written.has(oid)) &&
      ![...writes].some((oid) => touched.has(oid));
    if (fits || taken.length === 0) {
      taken.push(w);
      for (const oid of all) touched.add(oid);
      for (const oid of writes) written.add(oid);
      if (undoOf !== null) undone.add(undoOf);
      creating ||= record.nextOid !== undefined;
    } else rest.push(w);
  }
  waiting.splice(0, waiting.length, ...rest);
  return taken;
}
