/**
 * Names, properties and forms that grant or probe authority beyond `self`.
 *
 * A method may use `self`, its arguments and plain ECMAScript built-ins (Math, JSON, String,
 * Array, Number, Object.keys, Date…). The sandbox is the real boundary; this check is
 * defence in depth and, above all, a clear message for the model (or a person) to fix.
 * Names are refused in every position, declarations included: shadowing `process` with a
 * local is legal but reads as a probe, and refusing it keeps the rule simple.
 * Limit: a computed member name is seen only when evident (literals, `+`, templates and
 * `const` strings); one known only at run time (`x[k]` with k an argument) is not.
 */
import type { AnyNode } from 'acorn';
import { findingAt } from './findings.ts';
import type { MethodFinding } from './findings.ts';
import { SELF_PROPERTIES, selfNames } from './self-api.ts';
import type { MethodFunction } from './shape.ts';
import { constantStrings, isReference, memberName, staticString, walk } from './walk.ts';

/** Global names a method may not mention, with the reason given in the message. */
export const FORBIDDEN_NAMES: ReadonlyMap<string, string> = new Map([
  ...['globalThis', 'global', 'window'].map((n) => [n, 'reaches the global object'] as const),
  ...['Function', 'eval', 'AsyncFunction', 'GeneratorFunction'].map(
    (n) => [n, 'compiles code at run time'] as const,
  ),
  ...['require', 'module', 'exports', 'process', 'Buffer', '__dirname', '__filename'].map(
    (n) => [n, 'is host (Node) authority'] as const,
  ),
  ...['Reflect', 'Proxy'].map(
    (n) => [n, 'intercepts or probes objects at the meta level'] as const,
  ),
  ...['WebAssembly', 'Atomics', 'SharedArrayBuffer', 'Worker'].map(
    (n) => [n, 'reaches memory or threads outside the method'] as const,
  ),
  ...[
    'setTimeout',
    'setInterval',
    'setImmediate',
    'clearTimeout',
    'clearInterval',
    'clearImmediate',
    'queueMicrotask',
  ].map((n) => [n, 'schedules code after the method returns, outside its transaction'] as const),
  ...['fetch', 'XMLHttpRequest', 'WebSocket', 'importScripts'].map(
    (n) => [n, 'reaches the network'] as const,
  ),
]);

/** Property names a method may not use, read or written: they lead to constructors and prototypes. */
export const FORBIDDEN_PROPERTIES: ReadonlyMap<string, string> = new Map([
  ['constructor', 'leads to the Function constructor'],
  ['__proto__', 'reads or replaces a prototype'],
  ['prototype', 'reads or mutates a shared prototype'],
  ['getPrototypeOf', 'reaches a shared prototype'],
  ['setPrototypeOf', 'replaces a prototype'],
  ['defineProperty', 'redefines properties, possibly of shared built-ins'],
  ['defineProperties', 'redefines properties, possibly of shared built-ins'],
  ['__defineGetter__', 'installs accessors on shared objects'],
  ['__defineSetter__', 'installs accessors on shared objects'],
  ['__lookupGetter__', 'probes accessors'],
  ['__lookupSetter__', 'probes accessors'],
  ['caller', 'reaches the calling (host) function'],
  ['callee', 'reaches the calling function'],
]);

const ONLY = 'a method may use only self, its arguments and plain built-ins';

/** Every forbidden name, property and form in the method. */
export function checkAuthority(source: string, fn: MethodFunction): MethodFinding[] {
  const findings: MethodFinding[] = [];
  const forbid = (node: AnyNode, text: string): void => {
    findings.push(findingAt(source, node.start, 'forbidden', 'error', text));
  };
  const constants = constantStrings(fn);
  const selves = selfNames(fn);
  walk(fn, ({ node, parent, key }) => {
    switch (node.type) {
      case 'Identifier': {
        const why = FORBIDDEN_NAMES.get(node.name);
        if (why && isReference(parent, key)) forbid(node, `'${node.name}' ${why}; ${ONLY}`);
        break;
      }
      case 'MemberExpression': {
        const name = memberName(node, constants);
        const why = name === undefined ? undefined : FORBIDDEN_PROPERTIES.get(name);
        // `self.caller` is the contract's own text (who sent the message), not a function's.
        const ofSelf =
          name !== undefined &&
          node.object.type === 'Identifier' &&
          selves.has(node.object.name) &&
          SELF_PROPERTIES.has(name);
        if (why && !ofSelf) forbid(node.property, `the property '${name}' ${why}; ${ONLY}`);
        break;
      }
      case 'Property': {
        const name = node.computed ? staticString(node.key, constants) : propertyKeyName(node.key);
        if (name === undefined) break;
        // Destructuring reads the property (`const { constructor: C } = f`); a literal only
        // defines one, which is harmful only for `__proto__`.
        const why = parent?.type === 'ObjectPattern' ? FORBIDDEN_PROPERTIES.get(name) : undefined;
        if (why) forbid(node.key, `the property '${name}' ${why}; ${ONLY}`);
        else if (name === '__proto__' && !node.computed) {
          forbid(node.key, `a '__proto__' key sets a prototype; ${ONLY}`);
        }
        break;
      }
      case 'ThisExpression':
        // Forbidden everywhere, not only at the top: a nested function called plainly may see
        // the global object as `this` in sloppy code, and a method never needs `this`.
        forbid(node, `'this' is not the receiver here (or is the global object); use self`);
        break;
      case 'ImportExpression':
        forbid(node, `import() loads host modules; ${ONLY}`);
        break;
      case 'MetaProperty':
        if (node.meta.name === 'import') forbid(node, `import.meta is host information; ${ONLY}`);
        break;
      case 'WithStatement':
        forbid(node, `'with' changes name lookup so names cannot be checked; use plain variables`);
        break;
      case 'DebuggerStatement':
        forbid(node, `'debugger' pauses the host; remove it`);
        break;
    }
  });
  return findings;
}

function propertyKeyName(key: AnyNode): string | undefined {
  if (key.type === 'Identifier') return key.name;
  return key.type === 'Literal' && typeof key.value === 'string' ? key.value : undefined;
}
