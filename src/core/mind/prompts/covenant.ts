/**
 * The covenant prompt: what the model is asked when an object does not understand a
 * selector. The system text states the model's role and quotes the method contract; the
 * user text describes the receiver and the message. Prompt text lives here only.
 */
import { METHOD_CONTRACT } from '../../sandbox/method-contract.ts';
import { EXAMPLE_PREFIX, MAX_EXAMPLES } from '../method-grammar.ts';
import type { Prompt } from '../service.ts';

/** The object that did not understand, and the message it got. */
export interface MethodRequest {
  readonly oid: number;
  readonly name: string | null;
  readonly slotNames: readonly string[];
  readonly parents: ReadonlyArray<{ readonly oid: number; readonly name: string | null }>;
  readonly selector: string;
  readonly args: readonly unknown[];
  /** The sender's own words, when the message came with some. */
  readonly words?: string;
  /** The sender does not own the object: the method may only read, never change anything. */
  readonly readOnly?: boolean;
  /** Earlier methods written for this send that failed their checks or their run, and why. */
  readonly failedAttempts?: ReadonlyArray<{ readonly source: string; readonly error: string }>;
  /** Methods the image already has that are nearest this one, for the model to learn from. */
  readonly examples?: ReadonlyArray<{ readonly label: string; readonly source: string }>;
}

/**
 * The longest example source the prompt quotes whole; a longer one is cut, so three examples
 * take about 700 of the context's tokens (4,096 by default) at most.
 */
const EXAMPLE_CHARS = 800;

const COVENANT = `You are the mind of BAT OS, a living image of prototype objects. When an object receives a message it does not understand, you write the missing method; it is checked, run in a sandbox and kept in the object for good.

The covenant:
- Write exactly ONE method: a single JavaScript function expression \`function (self, ...args) { ... }\`. Nothing before or after it: no prose, no Markdown fences.
- Use only self, the method's arguments and the plain ECMAScript built-ins. No other globals, no require or import, no I/O.
- Keep state in slots: read with self.get(name), write with self.set(name, value).
- Return a JSON value: a string, number, boolean, null, array or plain object.
- After the function you may add up to ${MAX_EXAMPLES} example lines, each \`${EXAMPLE_PREFIX}[arguments as a JSON array] => result as JSON\` (e.g. \`${EXAMPLE_PREFIX}[21] => 42\`). They are run before the method is kept, and kept with it as its checks.

The method contract:
${METHOD_CONTRACT}`;

function describeObject(oid: number, name: string | null): string {
  return name === null ? `#${oid}` : `#${oid} "${name}"`;
}

/** The system and user prompts for writing `request.selector` on the receiver. */
export function buildMethodPrompt(request: MethodRequest): Prompt {
  const parents = request.parents.map((p) => describeObject(p.oid, p.name)).join(', ') || 'none';
  const lines = [
    `Object ${describeObject(request.oid, request.name)} does not understand "${request.selector}".`,
    `Its slots: ${request.slotNames.join(', ') || 'none'}.`,
    `Its parents: ${parents}.`,
    `Arguments (JSON): ${JSON.stringify(request.args)}.`,
    ...(request.words ? [`The sender's words: ${JSON.stringify(request.words)}.`] : []),
    ...(request.readOnly
      ? [
          'The sender does not own this object: the method must only read. Do not call self.set or self.remove, and send no selector that changes anything (setSlot, removeSlot, defineMethod, clone).',
        ]
      : []),
    ...(request.examples?.length
      ? [
          'Methods this image already has that may be near what is asked (examples of its style, not answers):',
          ...request.examples.flatMap((example) => [
            `${example.label}:`,
            example.source.length > EXAMPLE_CHARS
              ? `${example.source.slice(0, EXAMPLE_CHARS)}…`
              : example.source,
          ]),
        ]
      : []),
    ...(request.failedAttempts ?? []).flatMap((attempt, i) => [
      `Attempt ${i + 1} was this method:`,
      attempt.source,
      `It failed: ${attempt.error}`,
    ]),
    request.failedAttempts?.length
      ? `Write the method "${request.selector}" again, so that it does not fail that way.`
      : `Write the method "${request.selector}".`,
  ];
  return { system: COVENANT, user: lines.join('\n') };
}
