import { describe, expect, it } from 'vitest';
import { analyzeMethod } from '../../../src/core/analysis/index.ts';
import { findingsOf } from './helpers.ts';

describe('the shape of a method', () => {
  it.each([
    ['an anonymous function', `function (self) { return 1; }`],
    ['a named function expression', `function greet(self, name) { return 'Hi ' + name; }`],
    ['an arrow with a body', `(self, a, b) => { return a + b; }`],
    ['an arrow with an expression', `self => self.oid`],
    ['comments around it', `// greets\n/* a method */ function (self) { return 1; } // end\n`],
    ['a rest parameter', `function (self, ...args) { return args.length; }`],
  ])('accepts %s', (_label, source) => {
    expect(analyzeMethod(source).findings).toEqual([]);
  });

  it.each([
    ['two functions', `function (self) {}\nfunction (self) {}`, 'more code after the end', 2, 1],
    ['trailing code', `function (self) { return 1; }\nself.set('x', 1);`, 'more code after', 2, 1],
    ['a trailing semicolon', `function (self) {};`, "a ';' after", 1, 19],
    [
      'two comma-separated functions',
      `function (self) {}, function (self) {}`,
      'comma-separated',
      1,
      1,
    ],
    ['a class', `class { greet() { return 1; } }`, 'found a class', 1, 1],
    ['a return statement', `return self.get('x');`, "found a 'return' statement", 1, 1],
    ['a declaration', `const f = function (self) {};`, "found a 'const' declaration", 1, 1],
    ['an if statement', `if (true) { 1 }`, 'found a statement (IfStatement)', 1, 1],
    ['a call', `(function (self) {})(1)`, 'found a call', 1, 1],
    ['a plain expression', `self.get('x')`, 'found', 1, 1],
    ['an empty source', `  \n // nothing\n`, 'empty', 1, 1],
    ['an async function', `async function (self) { return 1; }`, 'async', 1, 1],
    ['a generator', `function* (self) { yield 1; }`, 'a generator', 1, 1],
  ])('rejects %s', (_label, source, text, line, column) => {
    const [finding, ...more] = findingsOf(source, 'shape');
    expect(more).toEqual([]);
    expect(finding).toMatchObject({ severity: 'error', line, column });
    expect(finding!.message).toContain(text);
    expect(finding!.message.startsWith(`${line}:${column}: `)).toBe(true);
  });

  it('reports a syntax error with its place', () => {
    const [finding] = findingsOf(`function (self) {\n  return self.get('x'\n}`, 'parse');
    expect(finding).toMatchObject({ severity: 'error', line: 3, column: 1 });
    expect(finding!.message).toMatch(/^3:1: syntax error: /u);
  });

  it.each([
    ['no parameters', `function () { return 1; }`, 'no parameters'],
    ['another name', `function (me) { return me.oid; }`, "'me'"],
    ['a pattern', `function ({ get }) { return get('x'); }`, 'a pattern'],
    ['a default', `function (self = {}) { return 1; }`, 'a pattern'],
  ])('requires self first: %s', (_label, source, text) => {
    const [finding] = findingsOf(source, 'self-param');
    expect(finding?.severity).toBe('error');
    expect(finding!.message).toContain(text);
  });
});

describe('the size limit', () => {
  const big = `function (self) { return '${'x'.repeat(9000)}'; }`;

  it('rejects a source over 8 KiB by default', () => {
    const [finding] = findingsOf(big, 'size');
    expect(finding).toMatchObject({ severity: 'error', line: 1, column: 1 });
    expect(finding!.message).toContain('limit is 8,192 bytes');
  });

  it('counts UTF-8 bytes and takes a custom limit', () => {
    const source = `function (self) { return 'ééé'; }`;
    expect(analyzeMethod(source).bytes).toBe(source.length + 3);
    expect(analyzeMethod(source, { maxBytes: 20 }).ok).toBe(false);
    expect(analyzeMethod(big, { maxBytes: 16 * 1024 }).ok).toBe(true);
  });
});
