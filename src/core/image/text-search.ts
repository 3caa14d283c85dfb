/**
 * Turning words into a full-text query, the same way for both databases. A person's words
 * (memories, see {@link searchTerms}): the words (letters and digits, lower-cased, accents kept
 * for the database's own folding), without the little words every sentence has, each once,
 * at most {@link MAX_TERMS}. A query of none matches nothing.
 */

/** The most words one query searches for: a long message searches its first ones. */
export const MAX_TERMS = 16;

/** Words too common to say what a message is about (English; others pass as words). */
const STOP_WORDS = new Set(
  (
    'a an and are as at be but by can could did do does for from had has have he her him his how ' +
    'i if in into is it its me my no not of on or our she so than that the their them then there ' +
    'they this to too us was we were what when where which who why will with would you your'
  ).split(' '),
);

/** The words of `text` a full-text query searches for (see the module comment). */
export function searchTerms(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const kept = words.filter((w) => !STOP_WORDS.has(w) && (w.length > 1 || /\d/u.test(w)));
  return [...new Set(kept)].slice(0, MAX_TERMS);
}

/**
 * The words code is indexed and searched by (a method's selector, doc line, source), in
 * order: runs of letters and digits, cut at `_` and where
 * a lower-case letter meets an upper-case one, lower-cased, without accents.
 */
export function codeTerms(text: string): string[] {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .split(/[^\p{L}\p{N}]+|(?<=[\p{Ll}\p{N}])(?=\p{Lu})/u)
    .filter((word) => word !== '')
    .map((word) => word.toLowerCase());
}

/** `terms` as an FTS5 query on `column`, any of them: `body:("tea" OR "green")`. */
export function fts5AnyOf(column: string, terms: readonly string[]): string {
  return `${column}:(${terms.map((t) => `"${t.replaceAll('"', '""')}"`).join(' OR ')})`;
}

/** `terms` as a PostgreSQL tsquery text, any of them: `'tea' | 'green'`. */
export function tsqueryAnyOf(terms: readonly string[]): string {
  return terms.map((t) => `'${t.replaceAll("'", "''")}'`).join(' | ');
}
