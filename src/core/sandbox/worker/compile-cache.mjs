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

  get(key) {
    const handle = this.entries.get(key);
    if (handle !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, handle);
    }
    return handle;
  }

  set(key, handle) {
    this.entries.set(key, handle);
    while (this.entries.size > this.capacity) {
      const [oldest, evicted] = this.entries.entries().next().value;
      this.entries.delete(oldest);
      evicted.dispose();
    }
  }
}
