/**
 * Does a method change the image? A method the model writes for someone on an object they
 * do not own may only read; this check proves, before it is kept, that it writes nothing
 * itself: no `set` or `remove`, and no send of a writing primitive (or of a selector that is
 * not known before it runs). The sandbox refuses such a method's writes at run time anyway;
 * this check turns that into a clear answer before anything is installed.
 */
import type { AnyNode } from 'acorn';
import { findingAt, sortFindings, type MethodFinding } from './findings.ts';
import { parseMethod } from './shape.ts';
import { constantStrings, memberName, staticString, walk } from './walk.ts';

/** Primitives that change the image whatever their arguments. */
const WRITING_SELECTORS = new Set([
  'setSlot',
  'removeSlot',
  'defineMethod',
  'clone',
  'chown',
  'chmod',
]);

/** Every place the method may change the image; none for a method that only reads. */
export function findWrites(source: string): MethodFinding[] {
  const { fn } = parseMethod(source);
  if (!fn) return [findingAt(source, 0, 'writes', 'error', 'the method does not parse')];
  const constants = constantStrings(fn);
  const findings: MethodFinding[] = [];
  const report = (node: AnyNode, text: string): void => {
    findings.push(findingAt(source, node.start, 'writes', 'error', text));
  };
  walk(fn, ({ node }) => {
    if (node.type !== 'CallExpression' || node.callee.type !== 'MemberExpression') return;
    const method = memberName(node.callee, constants);
    if (method === 'set' || method === 'remove') {
      report(node, `it calls ${method}(…)`);
      return;
    }
    if (method !== 'send') return;
    const [first, ...rest] = node.arguments;
    const selector =
      first === undefined || first.type === 'SpreadElement'
        ? undefined
        : staticString(first, constants);
    if (selector === undefined) report(node, 'it sends a selector known only when it runs');
    else if (WRITING_SELECTORS.has(selector) || (selector === 'name' && rest.length > 0))
      report(node, `it sends ${selector}`);
  });
  return sortFindings(findings);
}
