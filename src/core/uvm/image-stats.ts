/**
 * The image's statistics as data, for the image browser's image page and chat's `image
 * stats`, decided by who asks. An admin sees the whole image: its objects, bytes, the
 * database's size, growth, the largest objects. Anyone else sees the same of the objects
 * they own, since the image's totals and its largest objects would tell them of objects they
 * may not read. The most-called and most-failing methods (counted since this process
 * started, see `call-counts.ts`) list only methods on objects the caller may read.
 */
import type { Authority } from '../access/authority.ts';
import { mayRead } from '../access/rights.ts';
import type { DayCount, Image, Transaction } from '../image/index.ts';
import { labelOf } from '../model/name-table.ts';
import { accessOf } from '../model/object-access.ts';
import type { Oid } from '../model/value.ts';
import type { CallCount, CallCounts } from './call-counts.ts';
import type { ObjectLink } from './inspection.ts';

export type { DayCount };

/** How many of each list are shown. */
export const STATS_LISTED = 10;
/** How many days back the growth reaches. */
export const GROWTH_DAYS = 90;

/** One object by size, linked. */
export interface SizedObjectView extends ObjectLink {
  readonly owner: string;
  readonly bytes: number;
}

/** One method by its counts, linked to its holder. */
export interface CalledMethodView {
  readonly holder: ObjectLink;
  readonly selector: string;
  readonly calls: number;
  readonly failures: number;
}

/** What the image page (and `image stats`) shows one caller. */
export interface ImageStats {
  /** `image`: the whole image (admins); `own`: the objects the caller owns. */
  readonly scope: 'image' | 'own';
  /** Whose objects `own` counts. */
  readonly principal: string;
  readonly objects: number;
  /** The bytes the counted objects' slots take, stored. */
  readonly objectBytes: number;
  /** The database's size and history's bytes: admins only. */
  readonly databaseBytes?: number;
  readonly historyBytes?: number;
  /** Objects created per UTC day over the last `growthDays` days up to `today`, oldest first. */
  readonly growth: readonly DayCount[];
  readonly growthDays: number;
  /** The UTC day (`YYYY-MM-DD`) the growth ends with. */
  readonly today: string;
  readonly largest: readonly SizedObjectView[];
  readonly mostCalled: readonly CalledMethodView[];
  readonly mostFailing: readonly CalledMethodView[];
  /** Since when calls are counted (ISO time): this process's start. */
  readonly countedSince: string;
}

/** The statistics `authority` may see, read in `tx` (committed state) from `image` and `counts`. */
export async function imageStats(
  tx: Transaction,
  authority: Authority,
  image: Image,
  counts: CallCounts,
): Promise<ImageStats> {
  const owner = authority.admin ? undefined : authority.principal;
  const now = Date.now();
  const today = new Date(now).toISOString().slice(0, 10);
  const since = new Date(now - (GROWTH_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
  const readable = (oid: Oid) => tx.exists(oid) && mayRead(authority, accessOf(tx.slots(oid)));
  const totals = await image.objectTotals(owner);
  const listed = (ranked: readonly CallCount[]): CalledMethodView[] =>
    ranked
      .filter((count) => readable(count.holder))
      .slice(0, STATS_LISTED)
      .map(({ holder, ...count }) => ({
        ...count,
        holder: { oid: holder, label: labelOf(tx, holder) },
      }));
  return {
    scope: owner === undefined ? 'image' : 'own',
    principal: authority.principal,
    objects: totals.objects,
    objectBytes: totals.bytes,
    ...(owner === undefined
      ? { databaseBytes: await image.databaseBytes(), historyBytes: await image.historySize() }
      : {}),
    growth: await image.createdPerDay(since, owner),
    growthDays: GROWTH_DAYS,
    today,
    // Owners and admins may read every object counted; checked all the same, so the list
    // can never name an object the caller may not read.
    largest: (await image.largestObjects(STATS_LISTED, 0, owner))
      .filter((object) => readable(object.oid))
      .map((object) => ({ ...object, label: labelOf(tx, object.oid) })),
    mostCalled: listed(counts.ranked('calls')),
    mostFailing: listed(counts.ranked('failures')),
    countedSince: counts.since,
  };
}
