/**
 * A commit's method index changes (see `../method-index.ts`) in one statement, inside the
 * commit's transaction: a second round trip, made only by the commits that change a method
 * (most sends change none). PostgreSQL updates the generated `search` column itself.
 */
import { sql, type Kysely } from 'kysely';
import type { MethodIndexChanges } from '../method-index.ts';
import type { ImageSchema } from '../schema.ts';

/** Drops the index rows `changes` removes and writes (inserts or replaces) those it sets. */
export async function writeMethodIndex(
  trx: Kysely<ImageSchema>,
  changes: MethodIndexChanges,
): Promise<void> {
  await sql`
    WITH d AS (
      DELETE FROM methods m
      USING jsonb_to_recordset(${JSON.stringify(changes.remove)}::jsonb) AS x(oid integer, slot text)
      WHERE m.oid = x.oid AND m.slot = x.slot
    )
    INSERT INTO methods (oid, slot, selector, source, doc, provenance, name_terms, doc_terms,
                         source_terms)
    SELECT x.oid, x.slot, x.selector, x.source, x.doc, x.provenance, x."nameTerms", x."docTerms",
      x."sourceTerms"
    FROM jsonb_to_recordset(${JSON.stringify(changes.upsert)}::jsonb)
      AS x(oid integer, slot text, selector text, source text, doc text, provenance text,
           "nameTerms" text, "docTerms" text, "sourceTerms" text)
    ON CONFLICT (oid, slot) DO UPDATE SET selector = excluded.selector, source = excluded.source,
      doc = excluded.doc, provenance = excluded.provenance, name_terms = excluded.name_terms,
      doc_terms = excluded.doc_terms, source_terms = excluded.source_terms`.execute(trx);
}
