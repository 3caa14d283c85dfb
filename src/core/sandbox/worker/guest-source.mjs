/**
 * Guest-side code, evaluated once in each fresh QuickJS context before any method runs. The
 * errors it throws are the guest's own, which a method may catch; what escapes a method
 * reaches the host as a SandboxError.
 */

/**
 * Deletes what is non-deterministic or runs code behind a method's back (GC callbacks), then
 * freezes every intrinsic reachable from the global object (and the hidden ones, such as the
 * generator and iterator prototypes), so no method can leave state or traps behind for the
 * next one: each call sees the same pristine built-ins.
 */
export const HARDEN_SOURCE = `'use strict';
(function () {
  delete globalThis.WeakRef;
  delete globalThis.FinalizationRegistry;
  const proto = Object.getPrototypeOf;
  const roots = [
    globalThis,
    proto(function* () {}),
    proto((function* () {})()),
    proto(async function () {}),
    proto(async function* () {}),
    proto((async function* () {})()),
    proto(Int8Array),
    proto([][Symbol.iterator]()),
    proto(''[Symbol.iterator]()),
    proto(new Map()[Symbol.iterator]()),
    proto(new Set()[Symbol.iterator]()),
    proto(/x/[Symbol.matchAll]('')),
  ];
  const seen = new Set();
  while (roots.length > 0) {
    const item = roots.pop();
    if ((typeof item !== 'object' && typeof item !== 'function') || item === null || seen.has(item)) continue;
    seen.add(item);
    Object.freeze(item);
    roots.push(proto(item));
    for (const key of Reflect.ownKeys(item)) {
      const d = Object.getOwnPropertyDescriptor(item, key);
      roots.push(d.value, d.get, d.set);
    }
  }
})();
`;

/**
 * A function of the native \`host(op, oid, name, payload)\` that returns the guest's half of the
 * bridge: \`invoke(fn, oid, argsJson)\` runs a compiled method and returns its result as JSON
 * (or '!' + why when the result is not a value), and \`adopt(fn, source)\` says whether a
 * compiled source is exactly one plain function, and freezes it. Everything the guest can touch is built here, in a
 * closure no method can reach: Ref objects, the self object, and the JSON codec.
 */
export const PRELUDE_SOURCE = `'use strict';
(function (host) {
  const { freeze, keys } = Object;
  const { parse, stringify } = JSON;
  const isArray = Array.isArray;
  const toSource = Function.prototype.toString;
  const plainFunction = Function.prototype;
  const protoOf = Object.getPrototypeOf;
  const call = Function.prototype.call;
  const PromiseCtor = Promise;
  // A reference carries its oid in a private field, stamped on it before it is frozen (the
  // base class returns the object it is given): as unforgeable as a WeakMap entry, but freed
  // with the object, where QuickJS keeps a dead WeakMap key's record until its next GC, and
  // a record per call piled up in the realm.
  class Stamp { constructor(target) { return target; } }
  class Branded extends Stamp {
    #oid;
    constructor(target, oid) { super(target); this.#oid = oid; }
    static oidOf(value) { return #oid in value ? value.#oid : undefined; }
  }
  function brand(object, oid) {
    new Branded(object, oid);
    return freeze(object);
  }

  function makeRef(oid) {
    return brand({ oid, send: (selector, ...args) => send(oid, selector, args) }, oid);
  }
  function revive(_key, value) {
    if (typeof value === 'object' && value !== null && !isArray(value) &&
        typeof value.$ref === 'number' && keys(value).length === 1) return makeRef(value.$ref);
    return value;
  }
  function decode(text) {
    return text.includes('"$ref"') ? parse(text, revive) : parse(text);
  }
  function replace(_key, value) {
    if (typeof value === 'object' && value !== null) {
      const oid = Branded.oidOf(value);
      if (oid !== undefined) return { $ref: oid };
      if (value instanceof PromiseCtor) throw new TypeError('a Promise is not a value: methods are synchronous');
    } else if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
      throw new TypeError('a ' + typeof value + ' is not a value: use JSON values and object references');
    }
    return value;
  }
  function encode(value) {
    const text = stringify(value === undefined ? null : value, replace);
    if (typeof text !== 'string') throw new TypeError('the value is not JSON');
    return text;
  }
  function request(op, oid, name, payload) {
    const reply = host(op, oid, name, payload);
    const tag = reply[0];
    if (tag === 'v') return decode(reply.slice(1));
    if (tag === 'u') return undefined;
    throw new Error(reply.slice(1));
  }
  function name(value, what) {
    if (typeof value !== 'string') throw new TypeError(what + ' must be a string');
    return value;
  }
  function send(oid, selector, args) {
    return request('send', oid, name(selector, 'a selector'), encode(args));
  }
  function makeSelf(oid, caller) {
    return brand({
      oid,
      caller,
      get: (slot) => request('get', oid, name(slot, 'a slot name'), ''),
      set: (slot, value) => { request('set', oid, name(slot, 'a slot name'), encode(value)); },
      remove: (slot) => { request('remove', oid, name(slot, 'a slot name'), ''); },
      slotNames: () => request('slotNames', oid, '', ''),
      send: (selector, ...args) => send(oid, selector, args),
    }, oid);
  }
  function invoke(fn, oid, argsJson, caller) {
    const result = fn(makeSelf(oid, caller), ...decode(argsJson));
    try {
      return encode(result);
    } catch (error) {
      return '!' + (error instanceof Error ? error.message : 'the result is not a value');
    }
  }
  function adopt(fn, source) {
    // Not async, not a generator, and not an expression that merely yields some function.
    const ok = typeof fn === 'function' && protoOf(fn) === plainFunction &&
      call.call(toSource, fn) === source.trim();
    // Frozen, so a method cannot keep state on its own function object between calls.
    if (ok) freeze(fn);
    return ok;
  }
  return freeze({ invoke, adopt });
})`;
