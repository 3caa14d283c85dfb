/**
 * Uses of `self` outside its API (see the method contract, sandbox/method-contract.ts).
 * `self` offers get(name), set(name, value), remove(name), slotNames(),
 * send(selector, ...args), the number oid and the text caller; nothing else exists on it, so
 * `self.name` or `self.greet()` is a mistake the model makes often (it means
 * `self.get('name')` or `self.send('greet')`).
 *
 * Simple aliases (`const me = self`) are followed; a nested function's own parameter named
 * `self` is (wrongly, harmlessly) treated as the same `self`.
 */
import type { AnyNode, CallExpression, MemberExpression } from 'acorn';
import { findingAt } from './findings.ts';
import type { MethodFinding } from './findings.ts';
import type { MethodFunction } from './shape.ts';
import { isReference, memberName, walk } from './walk.ts';

/** How many arguments a method of `self` takes, and its signature for messages. */
interface Arity {
  readonly min: number;
  readonly max: number;
  readonly signature: string;
}

/** The methods of `self` (its properties, {@link SELF_PROPERTIES}, are not methods). */
export const SELF_METHODS: ReadonlyMap<string, Arity> = new Map([
  ['get', { min: 1, max: 1, signature: 'get(name)' }],
  ['set', { min: 2, max: 2, signature: 'set(name, value)' }],
  ['remove', { min: 1, max: 1, signature: 'remove(name)' }],
  ['slotNames', { min: 0, max: 0, signature: 'slotNames()' }],
  ['send', { min: 1, max: Infinity, signature: 'send(selector, …args)' }],
]);

/** The properties of `self`, each with what it is. */
export const SELF_PROPERTIES: ReadonlyMap<string, string> = new Map([
  ['oid', 'a number'],
  ['caller', 'text (who sent this message)'],
]);

const API =
  'self offers get(name), set(name, value), remove(name), slotNames(), send(selector, …args), oid and caller';

/** The names that stand for `self`: itself and variables initialised or assigned from it. */
export function selfNames(fn: MethodFunction): Set<string> {
  const names = new Set(['self']);
  walk(fn, ({ node }) => {
    if (node.type === 'VariableDeclarator' && node.id.type === 'Identifier') {
      if (node.init?.type === 'Identifier' && node.init.name === 'self') names.add(node.id.name);
    }
    if (node.type === 'AssignmentExpression' && node.left.type === 'Identifier') {
      if (node.right.type === 'Identifier' && node.right.name === 'self') names.add(node.left.name);
    }
  });
  return names;
}

/** Whether `node`, held in `parent[key]`, is being written or deleted. */
function isWriteTarget(parent: AnyNode | null, key: string | null): boolean {
  if (!parent) return false;
  if (parent.type === 'AssignmentExpression') return key === 'left';
  if (parent.type === 'UpdateExpression') return true;
  return parent.type === 'UnaryExpression' && parent.operator === 'delete';
}

/** Every misuse of `self` in the method. */
export function checkSelfApi(source: string, fn: MethodFunction): MethodFinding[] {
  const findings: MethodFinding[] = [];
  const report = (node: AnyNode, severity: 'error' | 'warning', text: string): void => {
    findings.push(findingAt(source, node.start, 'self-api', severity, text));
  };
  const names = selfNames(fn);
  walk(fn, ({ node, parent, key }) => {
    if (node.type === 'Identifier' && node.name === 'self' && isWriteTarget(parent, key)) {
      report(node, 'error', "'self' is reassigned; keep self as given and use a new variable");
      return;
    }
    if (node.type !== 'MemberExpression' || node.object.type !== 'Identifier') return;
    const receiver = node.object.name;
    if (!names.has(receiver) || !isReference(node, 'object')) return;
    const name = memberName(node);
    if (name === undefined) {
      report(node, 'error', `${receiver}[…] cannot be checked; ${API}`);
      return;
    }
    if (isWriteTarget(parent, key)) {
      const text = `${receiver}.${name} is written directly; self is not a plain object — use self.set('${name}', value) or self.remove('${name}')`;
      report(node, 'error', text);
      return;
    }
    const called = parent?.type === 'CallExpression' && key === 'callee';
    const arity = SELF_METHODS.get(name);
    if (arity) {
      if (called) checkArguments(parent, node, name, arity, report);
    } else if (SELF_PROPERTIES.has(name)) {
      if (called)
        report(
          node,
          'error',
          `${receiver}.${name} is ${SELF_PROPERTIES.get(name)!}, not a method; drop the ()`,
        );
    } else {
      const hint = called
        ? `to run a method of this object use self.send('${name}', …)`
        : `to read a slot use self.get('${name}')`;
      report(node.property, 'error', `${receiver}.${name} is not part of self; ${hint}. ${API}`);
    }
  });
  return findings;
}

function checkArguments(
  call: CallExpression,
  member: MemberExpression,
  name: string,
  arity: Arity,
  report: (node: AnyNode, severity: 'error' | 'warning', text: string) => void,
): void {
  const args = call.arguments;
  if (args.some((a) => a.type === 'SpreadElement')) return;
  const first = args[0];
  if (first?.type === 'Literal' && typeof first.value !== 'string' && arity.min > 0) {
    report(first, 'error', `the first argument of self.${name} is a name and must be a string`);
  }
  if (args.length < arity.min) {
    const text = `self.${name} got ${args.length} argument(s); it is self.${arity.signature}`;
    report(member, 'error', text);
  } else if (args.length > arity.max) {
    const text = `self.${name} got ${args.length} argument(s); it is self.${arity.signature} and ignores the rest`;
    report(member, 'warning', text);
  }
}
