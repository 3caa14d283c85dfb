import { LruMap } from '../../lru-map.mjs';

/**
 * Compiled method handles by cache key, least recently used evicted first. Evicted handles
 * are disposed, so the QuickJS context never leaks them.
 */
export class CompileCache {
  /** @param {number} capacity */
  constructor(capacity) {
    this.capacity = capacity;
    /** @type {LruMap<string, import('quickjs-emscripten').QuickJSHandle>} */
    this.entries = new LruMap();
  }

  /**
   * @param {string} key
   * @returns {import('quickjs-emscripten').QuickJSHandle | undefined}
   */
  get(key) {
    return this.entries.get(key);
  }

  /**
   * @param {string} key
   * @param {import('quickjs-emscripten').QuickJSHandle} handle
   */
  set(key, handle) {
    this.entries.set(key, handle);
    while (this.entries.size > this.capacity) {
      const [oldest, evicted] =
        /** @type {[string, import('quickjs-emscripten').QuickJSHandle]} */ (
          this.entries.leastRecent()
        );
      this.entries.delete(oldest);
      evicted.dispose();
    }
  }
}
