/**
 * A small generic walker over acorn's ESTree and a few helpers the checks share.
 *
 * Generic (every property holding a node is a child) rather than acorn-walk's typed walker,
 * because the checks need to know *where* a node sits in its parent (a property key, a
 * member name, a binding) and acorn-walk hides nodes in some of those positions.
 */
import type { AnyNode, Expression, Node, Pattern, Super } from 'acorn';

/** Where a node sits: its parent and the parent's property holding it (null at the top). */
export interface Visit {
  readonly node: AnyNode;
  readonly parent: AnyNode | null;
  readonly key: string | null;
  /** Outermost first, the parent last. */
  readonly ancestors: readonly AnyNode[];
}

function isNode(value: unknown): value is AnyNode {
  return typeof value === 'object' && value !== null && typeof (value as Node).type === 'string';
}

/** Calls `visit` for every node under `root` (root included), parents before children, in source order. */
export function walk(root: AnyNode, visit: (v: Visit) => void): void {
  const ancestors: AnyNode[] = [];
  const go = (node: AnyNode, parent: AnyNode | null, key: string | null): void => {
    visit({ node, parent, key, ancestors });
    ancestors.push(node);
    for (const [childKey, value] of Object.entries(node)) {
      if (childKey === 'loc') continue;
      if (Array.isArray(value)) {
        for (const item of value) if (isNode(item)) go(item, node, childKey);
      } else if (isNode(value)) {
        go(value, node, childKey);
      }
    }
    ancestors.pop();
  };
  go(root, null, null);
}

/** Names of `const` variables holding an evident string, and the string (see {@link staticString}). */
export type Constants = ReadonlyMap<string, string>;

/**
 * The string an expression always evaluates to, when that is evident: 'a', `a`, `a${'b'}`,
 * 'a' + 'b', or a `const` name from `constants`.
 */
export function staticString(
  node: Node | null | undefined,
  constants?: Constants,
): string | undefined {
  if (!node) return undefined;
  const n = node as AnyNode;
  switch (n.type) {
    case 'Literal':
      return typeof n.value === 'string' ? n.value : undefined;
    case 'Identifier':
      return constants?.get(n.name);
    case 'TemplateLiteral': {
      const parts = n.expressions.map((e) => staticString(e, constants));
      if (parts.some((p) => p === undefined)) return undefined;
      return n.quasis.map((q, i) => (q.value.cooked ?? '') + (parts[i] ?? '')).join('');
    }
    case 'BinaryExpression': {
      if (n.operator !== '+') return undefined;
      const left = staticString(n.left, constants);
      const right = staticString(n.right, constants);
      return left !== undefined && right !== undefined ? left + right : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * The `const` variables of a function that hold an evident string. Names are not scoped:
 * two constants of the same name in different blocks are confused (the later wins).
 */
export function constantStrings(root: AnyNode): Constants {
  const constants = new Map<string, string>();
  walk(root, ({ node }) => {
    if (node.type !== 'VariableDeclaration' || node.kind !== 'const') return;
    for (const { id, init } of node.declarations) {
      const text = staticString(init, constants);
      if (id.type === 'Identifier' && text !== undefined) constants.set(id.name, text);
    }
  });
  return constants;
}

/** The name of a non-computed member (`a.b` → 'b') or of an evident computed one (`a['b']`). */
export function memberName(node: AnyNode, constants?: Constants): string | undefined {
  if (node.type !== 'MemberExpression') return undefined;
  if (!node.computed) return node.property.type === 'Identifier' ? node.property.name : undefined;
  return staticString(node.property, constants);
}

/** The identifier at the bottom of a member chain (`a.b[0].c` → a), if there is one. */
export function baseIdentifier(node: Expression | Pattern | Super): string | undefined {
  let n: AnyNode = node;
  while (n.type === 'MemberExpression' || n.type === 'ChainExpression') {
    n = n.type === 'MemberExpression' ? n.object : n.expression;
  }
  return n.type === 'Identifier' ? n.name : undefined;
}

/** Every identifier a binding pattern declares (`{a, b: [c, ...d]}` → a, c, d). */
export function patternNames(pattern: Pattern): string[] {
  switch (pattern.type) {
    case 'Identifier':
      return [pattern.name];
    case 'ObjectPattern':
      return pattern.properties.flatMap((p) =>
        p.type === 'RestElement' ? patternNames(p.argument) : patternNames(p.value),
      );
    case 'ArrayPattern':
      return pattern.elements.flatMap((e) => (e ? patternNames(e) : []));
    case 'RestElement':
      return patternNames(pattern.argument);
    case 'AssignmentPattern':
      return patternNames(pattern.left);
    default:
      return [];
  }
}

/** The identifiers mentioned anywhere in an expression, as references (not member names or keys). */
export function mentionedNames(root: AnyNode): Set<string> {
  const names = new Set<string>();
  walk(root, ({ node, parent, key }) => {
    if (node.type === 'Identifier' && isReference(parent, key)) names.add(node.name);
  });
  return names;
}

/**
 * Whether an identifier in this position names a variable (or global) rather than being a
 * property name, an object key or a label.
 */
export function isReference(parent: AnyNode | null, key: string | null): boolean {
  if (!parent) return true;
  switch (parent.type) {
    case 'MemberExpression':
      return key === 'object' || parent.computed;
    case 'Property':
      // A shorthand `{ a }` holds the same name as key and value; count it once, as the value.
      return key === 'value' || (key === 'key' && parent.computed);
    case 'MethodDefinition':
    case 'PropertyDefinition':
      return key !== 'key' || parent.computed;
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
      return false;
    case 'MetaProperty':
      return false;
    default:
      return true;
  }
}
