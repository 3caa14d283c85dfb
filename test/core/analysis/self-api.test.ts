import { describe, expect, it } from 'vitest';
import { findingsOf, method } from './helpers.ts';

describe('the self API', () => {
  it.each([
    ['get', `return self.get('name');`],
    ['set', `self.set('name', x); return null;`],
    ['remove', `self.remove('name'); return null;`],
    ['slotNames', `return self.slotNames();`],
    ['send with and without arguments', `return [self.send('name'), self.send('greet', x, 2)];`],
    ['oid', `return self.oid;`],
    ['caller, as the method contract offers it', `return self.caller === 'system' ? 1 : 0;`],
    ['an alias', `const me = self; return me.get('x');`],
    ['a spread call', `return self.send(...x);`],
    ['sending to a reference', `return self.get('friend').send('name') + self.get('friend').oid;`],
  ])('accepts %s', (_label, body) => {
    expect(findingsOf(method(body), 'self-api')).toEqual([]);
  });

  it.each([
    [
      'an unknown method',
      `return self.greet();`,
      "self.greet is not part of self; to run a method of this object use self.send('greet', …)",
    ],
    [
      'a slot read as a property',
      `return self.name;`,
      "self.name is not part of self; to read a slot use self.get('name')",
    ],
    [
      'an unknown method through an alias',
      `const me = self; return me.lookup('x');`,
      'me.lookup is not part of self',
    ],
    ['a computed member', `return self[x];`, 'self[…] cannot be checked'],
    ['oid called', `return self.oid();`, 'self.oid is a number, not a method'],
    [
      'caller called',
      `return self.caller();`,
      'self.caller is text (who sent this message), not a method',
    ],
    ['a direct write', `self.name = x;`, "use self.set('name', value)"],
    ['a delete', `delete self.name;`, "self.remove('name')"],
    ['a reassigned self', `self = x; return 1;`, "'self' is reassigned"],
    [
      'get without a name',
      `return self.get();`,
      'self.get got 0 argument(s); it is self.get(name)',
    ],
    [
      'set without a value',
      `self.set('x');`,
      'self.set got 1 argument(s); it is self.set(name, value)',
    ],
    ['send without a selector', `return self.send();`, 'send(selector, …args)'],
    ['a number as a slot name', `return self.get(1);`, 'must be a string'],
  ])('rejects %s', (_label, body, text) => {
    const found = findingsOf(method(body), 'self-api');
    expect(found.some((f) => f.severity === 'error' && f.message.includes(text))).toBe(true);
  });

  it('warns about extra arguments', () => {
    const [finding] = findingsOf(method(`return self.get('x', 0);`), 'self-api');
    expect(finding).toMatchObject({ severity: 'warning', line: 2, column: 8 });
    expect(finding!.message).toContain('ignores the rest');
  });
});
