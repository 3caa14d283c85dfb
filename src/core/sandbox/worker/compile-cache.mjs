/**
 * Compiled method handles by cache key, least recently used evicted first. Evicted handles
 * are disposed, so the QuickJS context never leaks them.
 */
export class CompileCache {
  /** @param {number} capacity */
  constructor(capacity) {
    this.capacity = capacity;
    /** @type {Map<string, import('quickjs-emscripten').QuickJSHandle>} */
    this.entries = new Map();
  }

  /**
   * @param {string} key
   * @returns {import('quickjs-emscripten').QuickJSHandle | undefined}
   */
  get(key) {
    const handle = this.entries.get(key);
    if (handle !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, handle);
    }
    return handle;
  }

  /**
   * @param {string} key
   * @param {import('quickjs-emscripten').QuickJSHandle} handle
   */
  set(key, handle) {
    this.entries.set(key, handle);
    for (const [oldest, evicted] of this.entries) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(oldest);
      evicted.dispose();
    }
  }
}
