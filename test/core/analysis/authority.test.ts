import { describe, expect, it } from 'vitest';
import { analyzeMethod } from '../../../src/core/analysis/index.ts';
import { findingsOf, method } from './helpers.ts';

describe('forbidden names and forms', () => {
  it.each([
    ['globalThis', `return globalThis;`, "'globalThis'"],
    ['global', `return global.process;`, "'global'"],
    ['this at the top', `return this.get('x');`, "'this'"],
    ['this in an arrow', `return [1].map(() => this);`, "'this'"],
    ['this in a nested function', `return [1].map(function () { return this; });`, "'this'"],
    ['Function', `return Function('return 1')();`, "'Function'"],
    ['new Function', `return new Function('return 1')();`, "'Function'"],
    ['eval', `return eval('1');`, "'eval'"],
    ['constructor', `return x.constructor;`, "'constructor'"],
    ['the Function escape', `return ({}).constructor.constructor('return 1')();`, "'constructor'"],
    ['constructor by string', `return x['constructor'];`, "'constructor'"],
    ['constructor by concatenation', `return x['const' + 'ructor'];`, "'constructor'"],
    ['constructor by template', 'return x[`constructor`];', "'constructor'"],
    ['constructor by a template with parts', "return x[`con${'struct'}or`];", "'constructor'"],
    [
      'constructor by a constant',
      `const k = 'constr'; const c = k + 'uctor'; return x[c];`,
      "'constructor'",
    ],
    ['__proto__', `x.__proto__.push = null;`, "'__proto__'"],
    ['constructor by optional chaining', `return x?.constructor;`, "'constructor'"],
    [
      'constructor by destructuring',
      `const { constructor: C } = () => 1; return C;`,
      "'constructor'",
    ],
    [
      'constructor by computed destructuring',
      `const { ['constructor']: C } = x; return C;`,
      "'constructor'",
    ],
    ['a __proto__ key', `return { __proto__: null };`, "'__proto__' key"],
    ['prototype mutation', `Array.prototype.push = function () {};`, "'prototype'"],
    ['getPrototypeOf', `return Object.getPrototypeOf([]);`, "'getPrototypeOf'"],
    ['setPrototypeOf', `Object.setPrototypeOf(x, null);`, "'setPrototypeOf'"],
    ['defineProperty', `Object.defineProperty(Array, 'from', { value: 1 });`, "'defineProperty'"],
    ['import()', `return import('node:fs');`, 'import()'],
    ['require', `return require('fs');`, "'require'"],
    ['process', `return process.env;`, "'process'"],
    ['module', `return module.exports;`, "'module'"],
    ['a local named process', `const process = 1; return process;`, "'process'"],
    ['Reflect', `return Reflect.ownKeys(x);`, "'Reflect'"],
    ['Proxy', `return new Proxy({}, {});`, "'Proxy'"],
    ['WebAssembly', `return WebAssembly.compile(x);`, "'WebAssembly'"],
    ['Atomics', `return Atomics.wait(x, 0, 0);`, "'Atomics'"],
    ['SharedArrayBuffer', `return new SharedArrayBuffer(8);`, "'SharedArrayBuffer'"],
    ['setTimeout', `setTimeout(() => self.set('x', 1), 10);`, "'setTimeout'"],
    ['setInterval', `setInterval(() => 1, 10);`, "'setInterval'"],
    ['queueMicrotask', `queueMicrotask(() => 1);`, "'queueMicrotask'"],
    ['fetch', `return fetch('http://example.com');`, "'fetch'"],
    ['caller', `return (function f() { return f.caller; })();`, "'caller'"],
    ['caller of a reference, not of self', `return self.get('friend').caller;`, "'caller'"],
    ['with', `with (x) { return y; }`, "'with'"],
    ['debugger', `debugger;`, "'debugger'"],
  ])('catches %s', (_label, body, text) => {
    const found = findingsOf(method(body), 'forbidden');
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((f) => f.severity === 'error')).toBe(true);
    expect(found.map((f) => f.message).join('\n')).toContain(text);
  });

  it('names the place', () => {
    const [finding] = findingsOf(`function (self) {\n  const g =\n    globalThis;\n}`, 'forbidden');
    expect(finding).toMatchObject({ line: 3, column: 5 });
    expect(finding!.message).toMatch(/^3:5: 'globalThis' reaches the global object/u);
  });

  it.each([
    [
      'Math, JSON, String, Array, Number, Object.keys',
      `return JSON.stringify({ n: Math.max(1, Number('2')), s: String(x), a: Array.from([1]), k: Object.keys({ a: 1 }) });`,
    ],
    ['Date and regular expressions', `return new Date(0).toISOString().replace(/T.*/u, '');`],
    [
      'forbidden words as plain keys and members of data',
      `const o = { process: 1, module: 2, constructor: 3 }; return o.process + o.module + self.get('eval');`,
    ],
    ['new.target', `return [1].map(function () { return new.target === undefined; });`],
    [
      "self's caller, as the method contract offers it",
      `const me = self; return self.caller + me.caller;`,
    ],
    [
      'a local class with a constructor',
      `class Box { constructor(v) { void v; } } return new Box(1) !== null;`,
    ],
  ])('allows %s', (_label, body) => {
    expect(findingsOf(method(body), 'forbidden')).toEqual([]);
  });

  it('accepts the canonical display_yourself', () => {
    const source = `function (self) { return 'Object #' + self.oid + ' "' + self.send('name') + '": slots ' + self.slotNames().join(', '); }`;
    expect(analyzeMethod(source)).toMatchObject({ ok: true, findings: [] });
  });
});
