/**
 * A map that knows which of its keys was used least recently, for the caches that evict in
 * that order (the image's objects, a realm's compiled methods).
 *
 * Why not a plain Map, deleting and setting a key again on each use so that its insertion
 * order is the order of use: V8 keeps a deleted entry in its key's hash chain until the
 * table is next rebuilt, so a key used over and over lengthens its own chain, and every
 * lookup of it, with each use. With 100,000 objects cached, a send to one object grew from
 * 0.13 to 1.4 ms of CPU over 12,000 sends (2026-12-08; flat at 0.13 ms with this map).
 * Here the Map is only ever set for a new key and deleted for one that goes; the order of
 * use is a doubly linked list beside it.
 *
 * Plain JavaScript, so that worker scripts can load it as it is.
 * @template K, V
 */
export class LruMap {
  constructor() {
    /** @type {Map<K, Entry<K, V>>} */
    this.entries = new Map();
    /** @type {Entry<K, V> | undefined} the least recently used */
    this.oldest = undefined;
    /** @type {Entry<K, V> | undefined} the most recently used */
    this.newest = undefined;
  }

  /** @returns {number} */
  get size() {
    return this.entries.size;
  }

  /**
   * The value of `key`, which counts as a use.
   * @param {K} key
   * @returns {V | undefined}
   */
  get(key) {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.#makeNewest(entry);
    return entry.value;
  }

  /**
   * The value of `key`, without counting as a use.
   * @param {K} key
   * @returns {V | undefined}
   */
  peek(key) {
    return this.entries.get(key)?.value;
  }

  /**
   * Sets `key` to `value`, which counts as a use.
   * @param {K} key
   * @param {V} value
   */
  set(key, value) {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      entry.value = value;
      this.#makeNewest(entry);
      return;
    }
    /** @type {Entry<K, V>} */
    const added = { key, value, older: this.newest, newer: undefined };
    if (this.newest === undefined) this.oldest = added;
    else this.newest.newer = added;
    this.newest = added;
    this.entries.set(key, added);
  }

  /**
   * Removes `key`; returns whether it was there.
   * @param {K} key
   * @returns {boolean}
   */
  delete(key) {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    this.#unlink(entry);
    this.entries.delete(key);
    return true;
  }

  /**
   * The least recently used key and its value, without counting as a use.
   * @returns {[K, V] | undefined}
   */
  leastRecent() {
    return this.oldest === undefined ? undefined : [this.oldest.key, this.oldest.value];
  }

  clear() {
    this.entries.clear();
    this.oldest = undefined;
    this.newest = undefined;
  }

  /** @param {Entry<K, V>} entry */
  #makeNewest(entry) {
    if (entry === this.newest) return;
    this.#unlink(entry);
    entry.older = this.newest;
    entry.newer = undefined;
    if (this.newest === undefined) this.oldest = entry;
    else this.newest.newer = entry;
    this.newest = entry;
  }

  /** @param {Entry<K, V>} entry */
  #unlink(entry) {
    if (entry.older === undefined) this.oldest = entry.newer;
    else entry.older.newer = entry.newer;
    if (entry.newer === undefined) this.newest = entry.older;
    else entry.newer.older = entry.older;
    entry.older = undefined;
    entry.newer = undefined;
  }
}

/**
 * @template K, V
 * @typedef {{ key: K, value: V, older: Entry<K, V> | undefined, newer: Entry<K, V> | undefined }} Entry
 */
