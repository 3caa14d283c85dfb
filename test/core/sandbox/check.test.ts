import { describe, expect, it } from 'vitest';
import { MethodSourceError } from '../../../src/core/sandbox/index.ts';
import { newRunner } from '../../support/fixtures/sandbox.ts';

const runner = newRunner({ maxSourceBytes: 8192 });

describe('check', () => {
  it.each([
    'function (self) { return 1; }',
    '  function greet(self, who) { return `hi ${who} ${`nested ${1 + 2}`}`; }  ',
    'function (self, s = "}") { return /[}\\/]+/g.test(s) ? "}" : \'{\'; } // trailing comment',
    '/* leading */ function (self, ...args) { const o = { a: { b: [1, 2] } }; return o.a.b.length / 2 / 1; }',
    'function (self) { return self.import; }',
    'function (self) {\n  // a } in a comment\n  return [1, 2].map(function (x) { return x * 2; });\n}',
  ])('accepts %s', (source) => {
    expect(() => runner.check(source)).not.toThrow();
  });

  it.each([
    ['', /one function expression/],
    ['return 1', /one function expression/],
    ['(self) => 1', /arrow function/],
    ['async function (self) { }', /synchronous/],
    ['function* (self) { }', /generator/],
    ['function (self) { }; evil()', /syntax error|after the function/],
    ['function (self) { }, evil()', /after the function/],
    ['function (self) { }(1)', /after the function/],
    ['function (self) { }) ; evil(); (0', /unbalanced/],
    ['function (self) { return 1 +; }', /syntax error/],
    ['function (self) { return import("fs"); }', /cannot import/],
    ['function (self) { import fs from "fs"; }', /syntax error/],
    [`function (self) { return "${'x'.repeat(9000)}"; }`, /at most 8192/],
    [`function (self) { return ${'('.repeat(2000)}1${')'.repeat(2000)}; }`, /nest more than 40/],
    [`function (self) { return ${'-'.repeat(2000)}1; }`, /stack overflow/],
    [`function (self) { return ${'x => '.repeat(1000)}1; }`, /stack overflow/],
  ])('rejects %.60s', (source, problem) => {
    expect(() => runner.check(source)).toThrow(MethodSourceError);
    expect(() => runner.check(source)).toThrow(problem);
  });
});
