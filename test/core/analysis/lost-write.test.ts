import { describe, expect, it } from 'vitest';
import { analyzeMethod } from '../../../src/core/analysis/index.ts';
import { findingsOf, method } from './helpers.ts';

const lostWrites = (body: string) => findingsOf(method(body), 'lost-write');

describe('lost writes', () => {
  it.each([
    ['push', `const xs = self.get('items'); xs.push(x); return xs.length;`, 'push()'],
    [
      'push after a default',
      `const xs = self.get('items') ?? []; xs.push(x); return xs.length;`,
      'push()',
    ],
    ['splice', `const xs = self.get('items') || []; xs.splice(0, 1); return null;`, 'splice()'],
    ['unshift', `let xs = self.get('items'); xs.unshift(x); return null;`, 'unshift()'],
    [
      'an assignment to a member',
      `const cfg = self.get('config'); cfg.mode = x; return 'ok';`,
      'assignment',
    ],
    [
      'an assignment to an index',
      `const xs = self.get('items'); xs[0] = x; return 'ok';`,
      'assignment',
    ],
    [
      'a compound assignment to a member',
      `const s = self.get('stats'); s.hits += 1; return s.hits;`,
      '+=',
    ],
    ['an increment of a member', `const s = self.get('stats'); s.hits++; return s.hits;`, '++'],
    ['a delete', `const cfg = self.get('config'); delete cfg[x]; return 'ok';`, 'delete'],
    [
      'Object.assign',
      `const cfg = self.get('config'); Object.assign(cfg, x); return 'ok';`,
      'Object.assign()',
    ],
    [
      'a nested member',
      `const cfg = self.get('config'); cfg.a.b.c = 1; return 'ok';`,
      'assignment',
    ],
  ])('finds %s without write-back, as an error naming slot and variable', (_label, body, how) => {
    const [finding, ...more] = lostWrites(body);
    expect(more).toEqual([]);
    expect(finding).toMatchObject({ severity: 'error', line: 2 });
    expect(finding!.message).toMatch(
      /^2:\d+: \w+ holds the value of slot '\w+' and is changed here/u,
    );
    expect(finding!.message).toContain(`(${how})`);
    expect(finding!.message).toMatch(/add self\.set\('\w+', \w+\)/u);
  });

  it('names the slot, the variable and the place', () => {
    const source = `function (self, item) {\n  const xs = self.get('items');\n  xs.push(item);\n  return xs.length;\n}`;
    const [finding] = analyzeMethod(source).findings;
    expect(finding).toMatchObject({ code: 'lost-write', severity: 'error', line: 3, column: 3 });
    expect(finding!.message).toBe(
      "3:3: xs holds the value of slot 'items' and is changed here (push()) but never written back; add self.set('items', xs) after the change, or the change is lost when the method returns",
    );
  });

  it('finds sort without write-back, as a warning suggesting a copy', () => {
    const [finding] = lostWrites(`const xs = self.get('names'); xs.sort(); return xs.join(', ');`);
    expect(finding).toMatchObject({ severity: 'warning' });
    expect(finding!.message).toContain("self.set('names', xs)");
    expect(finding!.message).toContain('[...xs].sort()');
  });

  it('finds a change made straight on what self.get returned', () => {
    const [finding] = lostWrites(`self.get('items').push(x); return null;`);
    expect(finding?.severity).toBe('error');
    expect(finding!.message).toContain(
      "the value of slot 'items' is changed here (push()) straight after self.get",
    );
  });

  it.each([
    [
      'an alias',
      `const xs = self.get('items'); const ys = xs; ys.push(x); return null;`,
      'ys holds the value',
    ],
    [
      'an alias by assignment',
      `let ys; const xs = self.get('items'); ys = xs; ys.push(x); return null;`,
      'ys holds',
    ],
    [
      'a part',
      `const cfg = self.get('config'); const list = cfg.list; list.push(x); return null;`,
      'list holds part of',
    ],
    [
      'destructuring',
      `const { list } = self.get('config'); list.push(x); return null;`,
      'list holds part of',
    ],
    [
      'a for-of element',
      `const todos = self.get('todos'); for (const t of todos) t.done = true; return null;`,
      't holds part of',
    ],
    [
      'a forEach callback',
      `const todos = self.get('todos'); todos.forEach((t) => { t.done = true; }); return null;`,
      "self.set('todos', todos)",
    ],
    [
      'find',
      `const todos = self.get('todos'); const t = todos.find((u) => u.id === x); t.done = true; return null;`,
      't holds part of',
    ],
    [
      'a const slot name',
      `const KEY = 'items'; const xs = self.get(KEY); xs.push(x); return null;`,
      "slot 'items'",
    ],
    ['a conditional', `const xs = x ? self.get('a') : []; xs.push(1); return null;`, "slot 'a'"],
    [
      'a write-back to another slot',
      `const xs = self.get('inbox'); const m = xs.shift(); self.set('archive', [m]); return m;`,
      "slot 'inbox'",
    ],
    [
      'a write-back before the change',
      `const xs = self.get('items'); self.set('items', xs); xs.push(x); return null;`,
      "slot 'items'",
    ],
  ])('follows %s', (_label, body, text) => {
    const found = lostWrites(body);
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain(text);
  });

  it.each([
    [
      'push then set',
      `const xs = self.get('items') ?? []; xs.push(x); self.set('items', xs); return xs.length;`,
    ],
    [
      'an assignment then set',
      `const cfg = self.get('config'); cfg.mode = x; self.set('config', cfg); return 'ok';`,
    ],
    [
      'a delete then set',
      `const cfg = self.get('config'); delete cfg[x]; self.set('config', cfg); return 'ok';`,
    ],
    ['sort then set', `const xs = self.get('names'); xs.sort(); self.set('names', xs); return xs;`],
    [
      'a set through an alias',
      `const xs = self.get('items'); const ys = xs; ys.push(x); self.set('items', xs); return null;`,
    ],
    [
      'a set of a derived value',
      `const xs = self.get('items'); xs.push(x); self.set('items', xs.slice(-10)); return null;`,
    ],
    [
      'a part written back with its whole',
      `const cfg = self.get('config'); const list = cfg.list; list.push(x); self.set('config', cfg); return null;`,
    ],
    [
      'destructured parts rebuilt',
      `const { list } = self.get('config'); list.push(x); self.set('config', { list }); return null;`,
    ],
    [
      'a forEach then set',
      `const todos = self.get('todos'); todos.forEach((t) => { t.done = true; }); self.set('todos', todos); return null;`,
    ],
    [
      'a computed slot name written back',
      `const xs = self.get(x); xs.push(1); self.set(x, xs); return null;`,
    ],
    [
      'a value handed to send',
      `const xs = self.get('items'); xs.push(x); self.send('storeItems', xs); return null;`,
    ],
    ['a copy', `const xs = [...self.get('items')]; xs.push(x); return xs;`],
    ['a slice copy', `const xs = self.get('items').slice(); xs.sort(); return xs;`],
    ['a new value written', `self.set('items', [...(self.get('items') ?? []), x]); return null;`],
    [
      'a counter written back',
      `let n = self.get('count') ?? 0; n++; self.set('count', n); return n;`,
    ],
    [
      'a rebinding of a local copy',
      `let name = self.get('name'); name = name.toUpperCase(); return name;`,
    ],
    ['a local array', `const xs = []; xs.push(self.get('a')); return xs;`],
  ])('is not reported for %s', (_label, body) => {
    expect(lostWrites(body)).toEqual([]);
  });

  it('warns when a plain value is changed in a local and not written back', () => {
    const [finding] = lostWrites(`let n = self.get('count') ?? 0; n++; return n;`);
    expect(finding).toMatchObject({ severity: 'warning' });
    expect(finding!.message).toContain(
      "n holds the value of slot 'count' and is changed here (++)",
    );
    expect(finding!.message).toContain("self.set('count', n)");
  });

  it('reports each slot and variable once', () => {
    const found = lostWrites(
      `const xs = self.get('items'); xs.push(1); xs.push(2); const c = self.get('c'); c.k = 1; return null;`,
    );
    expect(
      found.map((f) => f.message.slice(f.message.indexOf(' ') + 1, f.message.indexOf(' holds'))),
    ).toEqual(['xs', 'c']);
  });
});
