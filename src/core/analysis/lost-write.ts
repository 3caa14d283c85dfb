/**
 * The lost-write pattern: a value read from a slot is changed in the method but never
 * written back, so the change vanishes when the method returns (`self.get` hands the method
 * its own copy of the slot's value).
 *
 * ```js
 * const xs = self.get('items');   // the slot's value
 * xs.push(item);                  // changed…
 * return xs.length;               // …and lost: no self.set('items', xs) follows
 * ```
 *
 * What is tracked: variables holding a slot's value — initialised or assigned from
 * `self.get(name)` (also through `??`, `||`, `?:`, `const ys = xs`, and in-place methods that
 * return their receiver, such as `sort`), and variables holding a part of it (`const list =
 * cfg.list`, destructuring, `for (const t of todos)`, callback parameters of forEach/map/
 * find/…, `todos.find(…)`). A change is an in-place array method (push, splice, sort…),
 * an assignment, `++`/`--` or `delete` on a member, or `Object.assign(x, …)`. The change is
 * written back if a `self.set` of the same slot ends after it and its value mentions any
 * variable holding that slot's value or a part of it; passing such a variable to `send`
 * after the change also counts (the receiver may store it).
 *
 * Limits, deliberately simple: names are not scoped (a shadowing local with the same name
 * is confused with the outer one); order is source order, not control flow (a write-back in
 * one branch of an `if`, or earlier in a loop, counts); a slot name is matched by its literal
 * text or, when computed, by the text of its expression (`const` strings are resolved);
 * values read through `self.send(…)`, elements shared by copies (`xs.filter(…)[0].done = true`)
 * and mutations through computed calls are not followed.
 *
 * Severity: a change of content is an error; a change of order only (sort, reverse) is a
 * warning, because sorting a read value to present it is common; changing a local that holds
 * a slot's plain value (`count++`) without writing it back is a warning, because it is often
 * only a local computation.
 */
import type { AnyNode, CallExpression, Expression, Pattern } from 'acorn';
import { findingAt } from './findings.ts';
import type { MethodFinding, Severity } from './findings.ts';
import type { MethodFunction } from './shape.ts';
import {
  baseIdentifier,
  constantStrings,
  memberName,
  mentionedNames,
  patternNames,
  staticString,
  walk,
} from './walk.ts';
import type { Constants } from './walk.ts';

/** Array methods that change their receiver in place. */
const MUTATORS = new Set([
  'push',
  'pop',
  'shift',
  'unshift',
  'splice',
  'sort',
  'reverse',
  'fill',
  'copyWithin',
]);
/** In-place methods that change only the order of elements. */
const REORDERS = new Set(['sort', 'reverse']);
/** In-place methods that return their receiver, so the result is the slot's value again. */
const RETURNS_RECEIVER = new Set(['sort', 'reverse', 'fill', 'copyWithin']);
/** Methods that return an element of their receiver (shared, not copied). */
const RETURNS_ELEMENT = new Set(['find', 'findLast', 'at']);
/** Methods whose callback receives elements of the receiver, and at which parameter. */
const CALLBACK_ELEMENT_PARAM: ReadonlyMap<string, number> = new Map([
  ...[
    'forEach',
    'map',
    'filter',
    'find',
    'findLast',
    'findIndex',
    'findLastIndex',
    'some',
    'every',
    'flatMap',
  ].map((n) => [n, 0] as const),
  ['reduce', 1],
  ['reduceRight', 1],
]);

/** `whole`: the variable holds the slot's value itself; `part`: something inside it. */
type Hold = 'whole' | 'part';

/** A slot a value came from, by key (see {@link LostWriteAnalysis.slotKey}), and how. */
interface Origin {
  readonly slot: string;
  readonly hold: Hold;
}

interface Change {
  readonly at: number;
  readonly target: Expression;
  readonly how: string;
  readonly severity: Severity;
  /** A plain rebinding of a variable (`n++`), not a change inside a value. */
  readonly rebinding: boolean;
}

interface WriteBack {
  readonly slot: string | undefined;
  readonly end: number;
  readonly mentions: ReadonlySet<string>;
}

/** Finds every lost write in one method; see the module comment for what is followed. */
export function checkLostWrites(
  source: string,
  fn: MethodFunction,
  selfNames: ReadonlySet<string>,
): MethodFinding[] {
  return new LostWriteAnalysis(source, fn, selfNames).run();
}

class LostWriteAnalysis {
  /** Variables → the slots (key + '\0' + hold) their value comes from. */
  private readonly holds = new Map<string, Set<string>>();
  /** `const` variables holding an evident string, for computed slot names. */
  private readonly constants: Constants;
  private readonly bindings: Array<{ names: string[]; from: Expression; hold: Hold | 'same' }> = [];
  private readonly changes: Change[] = [];
  private readonly writeBacks: WriteBack[] = [];

  constructor(
    private readonly source: string,
    private readonly fn: MethodFunction,
    private readonly selfNames: ReadonlySet<string>,
  ) {
    this.constants = constantStrings(fn);
  }

  run(): MethodFinding[] {
    walk(this.fn, ({ node }) => this.collect(node));
    this.propagate();
    return this.report();
  }

  /** The key that identifies a slot name expression: its evident string, or its source text. */
  private slotKey(node: AnyNode | undefined): string | undefined {
    if (!node || node.type === 'SpreadElement') return undefined;
    const text = staticString(node, this.constants);
    if (text !== undefined) return `'${text}'`;
    return this.source.slice(node.start, node.end);
  }

  /** `self.<method>(…)` for a name standing for self: the method name, else undefined. */
  private selfCall(node: AnyNode): string | undefined {
    if (node.type !== 'CallExpression' || node.callee.type !== 'MemberExpression') return undefined;
    const object = node.callee.object;
    if (object.type !== 'Identifier' || !this.selfNames.has(object.name)) return undefined;
    return memberName(node.callee);
  }

  private collect(node: AnyNode): void {
    switch (node.type) {
      case 'VariableDeclarator':
        if (node.init) this.bind(node.id, node.init);
        break;
      case 'AssignmentExpression':
        if (node.operator === '=') this.bind(node.left, node.right);
        this.assignmentChange(node.left, node.start, node.operator);
        break;
      case 'ForOfStatement':
      case 'ForInStatement': {
        const left =
          node.left.type === 'VariableDeclaration' ? node.left.declarations[0]?.id : node.left;
        if (left && node.type === 'ForOfStatement') this.bindPart(left, node.right);
        if (left?.type === 'MemberExpression') {
          this.change(node.start, left.object as Expression, 'loop target');
        }
        break;
      }
      case 'UpdateExpression':
        if (node.argument.type === 'MemberExpression') {
          this.change(node.start, node.argument.object as Expression, node.operator);
        } else if (node.argument.type === 'Identifier') {
          this.rebind(node.start, node.argument, node.operator);
        }
        break;
      case 'UnaryExpression':
        if (node.operator === 'delete' && node.argument.type === 'MemberExpression') {
          this.change(node.start, node.argument.object as Expression, 'delete');
        }
        break;
      case 'CallExpression':
        this.callEffects(node);
        break;
    }
  }

  private bind(target: Pattern, from: Expression): void {
    if (target.type === 'Identifier')
      this.bindings.push({ names: [target.name], from, hold: 'same' });
    else this.bindPart(target, from);
  }

  private bindPart(target: Pattern, from: Expression): void {
    this.bindings.push({ names: patternNames(target), from, hold: 'part' });
  }

  private assignmentChange(left: Pattern, at: number, operator: string): void {
    if (left.type === 'MemberExpression') {
      this.change(at, left.object as Expression, operator === '=' ? 'assignment' : operator);
    } else if (left.type === 'Identifier') {
      if (!['=', '??=', '||=', '&&='].includes(operator)) this.rebind(at, left, operator);
    } else {
      walk(left, ({ node }) => {
        if (node.type === 'MemberExpression')
          this.change(at, node.object as Expression, 'destructuring assignment');
      });
    }
  }

  private callEffects(call: CallExpression): void {
    const selfMethod = this.selfCall(call);
    if (selfMethod === 'set') {
      const value = call.arguments[1];
      this.writeBacks.push({
        slot: this.slotKey(call.arguments[0]),
        end: call.end,
        mentions: value ? mentionedNames(value) : new Set(),
      });
      return;
    }
    if (call.callee.type !== 'MemberExpression') return;
    const name = memberName(call.callee);
    if (name === 'send') {
      // The receiver may store what it is sent: count it as a write-back of any slot.
      const mentions = new Set(call.arguments.flatMap((a) => [...mentionedNames(a)]));
      this.writeBacks.push({ slot: undefined, end: call.end, mentions });
      return;
    }
    const receiver = call.callee.object as Expression;
    if (name !== undefined && MUTATORS.has(name)) {
      this.change(call.start, receiver, `${name}()`, REORDERS.has(name) ? 'warning' : 'error');
    }
    if (name === 'assign' && receiver.type === 'Identifier' && receiver.name === 'Object') {
      const target = call.arguments[0];
      if (target && target.type !== 'SpreadElement')
        this.change(call.start, target, 'Object.assign()');
    }
    const param = name === undefined ? undefined : CALLBACK_ELEMENT_PARAM.get(name);
    const callback = call.arguments[0];
    if (
      param !== undefined &&
      (callback?.type === 'ArrowFunctionExpression' || callback?.type === 'FunctionExpression')
    ) {
      const element = callback.params[param];
      if (element) this.bindPart(element, receiver);
    }
  }

  private change(at: number, target: Expression, how: string, severity: Severity = 'error'): void {
    this.changes.push({ at, target, how, severity, rebinding: false });
  }

  private rebind(at: number, target: Expression, how: string): void {
    this.changes.push({ at, target, how, severity: 'warning', rebinding: true });
  }

  /** The slots an expression's value comes from, given what variables hold so far. */
  private origins(node: AnyNode): Origin[] {
    switch (node.type) {
      case 'Identifier': {
        const held = this.holds.get(node.name);
        return held ? [...held].map(decodeOrigin) : [];
      }
      case 'MemberExpression':
        return this.origins(node.object).map((o) => ({ slot: o.slot, hold: 'part' }));
      case 'ChainExpression':
        return this.origins(node.expression);
      case 'LogicalExpression':
        return [...this.origins(node.left), ...this.origins(node.right)];
      case 'ConditionalExpression':
        return [...this.origins(node.consequent), ...this.origins(node.alternate)];
      case 'SequenceExpression':
        return node.expressions.length
          ? this.origins(node.expressions[node.expressions.length - 1]!)
          : [];
      case 'AssignmentExpression':
        return node.operator === '=' ? this.origins(node.right) : [];
      case 'CallExpression':
        return this.callOrigins(node);
      default:
        return [];
    }
  }

  private callOrigins(call: CallExpression): Origin[] {
    if (this.selfCall(call) === 'get') {
      const slot = this.slotKey(call.arguments[0]);
      return slot === undefined ? [] : [{ slot, hold: 'whole' }];
    }
    if (call.callee.type !== 'MemberExpression') return [];
    const name = memberName(call.callee);
    const receiver = call.callee.object;
    if (name === undefined) return [];
    if (RETURNS_RECEIVER.has(name)) return this.origins(receiver);
    if (RETURNS_ELEMENT.has(name))
      return this.origins(receiver).map((o) => ({ slot: o.slot, hold: 'part' }));
    const first = call.arguments[0];
    if (
      receiver.type === 'Identifier' &&
      receiver.name === 'Object' &&
      first &&
      first.type !== 'SpreadElement'
    ) {
      if (name === 'assign') return this.origins(first);
      if (name === 'values' || name === 'entries')
        return this.origins(first).map((o) => ({ slot: o.slot, hold: 'part' }));
    }
    return [];
  }

  /** Spreads slot origins along bindings until nothing changes (aliases of aliases…). */
  private propagate(): void {
    for (let changed = true; changed;) {
      changed = false;
      for (const { names, from, hold } of this.bindings) {
        for (const origin of this.origins(from)) {
          const encoded = encodeOrigin({
            slot: origin.slot,
            hold: hold === 'same' ? origin.hold : 'part',
          });
          for (const name of names) {
            const held = this.holds.get(name) ?? new Set<string>();
            if (!held.has(encoded)) {
              held.add(encoded);
              this.holds.set(name, held);
              changed = true;
            }
          }
        }
      }
    }
  }

  /** Whether a variable holds (all or part of) the given slot's value. */
  private holdsSlot(name: string, slot: string): boolean {
    const held = this.holds.get(name);
    return held !== undefined && [...held].some((h) => decodeOrigin(h).slot === slot);
  }

  private writtenBack(slot: string, after: number): boolean {
    return this.writeBacks.some(
      (w) =>
        (w.slot === undefined || w.slot === slot) &&
        w.end > after &&
        [...w.mentions].some((name) => this.holdsSlot(name, slot)),
    );
  }

  private report(): MethodFinding[] {
    const findings: MethodFinding[] = [];
    const reported = new Set<string>();
    for (const change of this.changes) {
      const variable = baseIdentifier(change.target);
      for (const origin of this.origins(change.target)) {
        if (change.rebinding && origin.hold !== 'whole') continue;
        if (this.writtenBack(origin.slot, change.at)) continue;
        const key = `${origin.slot}\u0000${variable ?? ''}`;
        if (reported.has(key)) continue;
        reported.add(key);
        findings.push(
          findingAt(
            this.source,
            change.at,
            'lost-write',
            change.severity,
            this.describe(change, origin, variable),
          ),
        );
      }
    }
    return findings;
  }

  private describe(change: Change, origin: Origin, variable: string | undefined): string {
    const slot = origin.slot;
    if (variable === undefined) {
      return `the value of slot ${slot} is changed here (${change.how}) straight after self.get and then thrown away; read it into a variable, change it, then self.set(${slot}, variable)`;
    }
    const whole = this.holds.get(variable)?.has(encodeOrigin({ slot, hold: 'whole' })) ?? false;
    const what = whole ? `the value of slot ${slot}` : `part of the value of slot ${slot}`;
    const root = this.rootVariable(slot) ?? variable;
    if (change.rebinding) {
      return `${variable} holds ${what} and is changed here (${change.how}) but never written back; if the object should remember it, add self.set(${slot}, ${variable})`;
    }
    if (change.severity === 'warning') {
      return `${variable} holds ${what} and is reordered here (${change.how}) but never written back; to keep the order add self.set(${slot}, ${root}), or to order only this answer sort a copy ([...${variable}].${change.how})`;
    }
    return `${variable} holds ${what} and is changed here (${change.how}) but never written back; add self.set(${slot}, ${root}) after the change, or the change is lost when the method returns`;
  }

  /** A variable holding the whole of a slot's value, to name in the suggested fix. */
  private rootVariable(slot: string): string | undefined {
    for (const [name, held] of this.holds)
      if (held.has(encodeOrigin({ slot, hold: 'whole' }))) return name;
    return undefined;
  }
}

function encodeOrigin(origin: Origin): string {
  return `${origin.hold}\u0000${origin.slot}`;
}

function decodeOrigin(encoded: string): Origin {
  const cut = encoded.indexOf('\u0000');
  return { hold: encoded.slice(0, cut) as Hold, slot: encoded.slice(cut + 1) };
}
