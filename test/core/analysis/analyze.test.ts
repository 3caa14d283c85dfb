import { describe, expect, it } from 'vitest';
import {
  analyzeMethod,
  checkMethodRules,
  MethodCheckError,
} from '../../../src/core/analysis/index.ts';

const valid = {
  greet: `function (self, name) {\n  return 'Hello, ' + name + ', I am ' + self.get('name') + '.';\n}`,
  count: `function (self) {\n  const n = (self.get('count') ?? 0) + 1;\n  self.set('count', n);\n  return n;\n}`,
  display_yourself: `function (self) { return 'Object #' + self.oid + ' "' + self.send('name') + '": slots ' + self.slotNames().join(', '); }`,
  remember: `(self, fact) => {\n  const facts = self.get('facts') ?? [];\n  facts.push({ fact, at: facts.length });\n  self.set('facts', facts);\n  return facts.length;\n}`,
  forget: `function (self, name) {\n  if (!self.slotNames().includes(name)) return false;\n  self.remove(name);\n  return true;\n}`,
};

describe('analyzeMethod', () => {
  it.each(Object.entries(valid))('passes %s', (_name, source) => {
    const analysis = analyzeMethod(source);
    expect(analysis.findings).toEqual([]);
    expect(analysis.ok).toBe(true);
    expect(analysis.bytes).toBe(Buffer.byteLength(source));
  });

  it('gathers findings of every kind in source order', () => {
    const source = [
      'function (self) {',
      '  const xs = self.get("items");',
      '  xs.push(process.pid);',
      '  return self.items;',
      '}',
    ].join('\n');
    const { ok, findings } = analyzeMethod(source);
    expect(ok).toBe(false);
    expect(findings.map((f) => [f.code, f.line, f.column])).toEqual([
      ['lost-write', 3, 3],
      ['forbidden', 3, 11],
      ['self-api', 4, 15],
    ]);
  });

  it('passes a method with only warnings', () => {
    const analysis = analyzeMethod(
      `function (self) { const xs = self.get('xs'); xs.sort(); return xs; }`,
    );
    expect(analysis.ok).toBe(true);
    expect(analysis.findings.map((f) => f.severity)).toEqual(['warning']);
  });

  it('still checks the function when code follows it, but not that code', () => {
    const { findings } = analyzeMethod(`function (self) { return globalThis; }; process`);
    expect(findings.map((f) => [f.code, f.column])).toEqual([
      ['forbidden', 26],
      ['shape', 39],
    ]);
  });
});

describe('checkMethodRules', () => {
  it('returns the analysis of a method that may run', () => {
    expect(checkMethodRules(valid.count).ok).toBe(true);
  });

  it('throws listing every error, not the warnings', () => {
    const source = `function (self) {\n  const xs = self.get('xs');\n  xs.sort();\n  return eval(self.name);\n}`;
    let caught: unknown;
    try {
      checkMethodRules(source);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MethodCheckError);
    const error = caught as MethodCheckError;
    expect(error.findings.map((f) => f.code)).toEqual(['forbidden', 'self-api']);
    expect(error.analysis.findings).toHaveLength(3);
    expect(error.message).toBe(
      [
        'the method was rejected (2 problems):',
        "- forbidden: 4:10: 'eval' compiles code at run time; a method may use only self, its arguments and plain built-ins",
        "- self-api: 4:20: self.name is not part of self; to read a slot use self.get('name'). self offers get(name), set(name, value), remove(name), slotNames(), send(selector, …args), oid and caller",
      ].join('\n'),
    );
  });

  it('applies the size limit it is given', () => {
    expect(() => checkMethodRules(valid.greet, { maxBytes: 10 })).toThrow(
      /size: 1:1: the method is \d+ bytes; the limit is 10 bytes/u,
    );
  });
});
