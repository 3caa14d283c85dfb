/**
 * The grammar every generated method is sampled under: one function expression
 * `function (self, …) { … }` whose braces balance outside strings and comments, then, if the
 * model likes, example lines `// example: [21] => 42` (arguments as a JSON array, the result
 * as JSON) that are run before the method is kept. The grammar guarantees the shape; the
 * sandbox's static check still parses and vets the source, and {@link splitExamples} the
 * examples.
 */
import type { MethodExample, Value } from '../model/value.ts';

const BT = '`';

/** What starts an example line after the method. */
export const EXAMPLE_PREFIX = '// example: ';

/** Examples one method may come with. */
export const MAX_EXAMPLES = 5;

export const METHOD_GBNF = [
  String.raw`root ::= method examples`,
  String.raw`method ::= "function" ws? "(" ws? "self" params ws? ")" ws? "{" body "}"`,
  String.raw`examples ::= ("
${EXAMPLE_PREFIX}" [^
]+)*`,
  String.raw`params ::= (ws? "," ws? ident)*`,
  String.raw`ident ::= [a-zA-Z_$] [a-zA-Z0-9_$]*`,
  String.raw`ws ::= [ \t\n]+`,
  String.raw`body ::= (code | string | comment | block)*`,
  String.raw`block ::= "{" body "}"`,
  // A lone "/" is division; "//" and "/*" start comments, whose text may hold anything.
  String.raw`code ::= [^{}'"${BT}/] | "/" [^/*{}'"${BT}]`,
  String.raw`string ::= "'" ([^'\\\n] | "\\" [^\n])* "'" | "\"" ([^"\\\n] | "\\" [^\n])* "\"" | "${BT}" ([^${BT}\\] | "\\" [^\n])* "${BT}"`,
  String.raw`comment ::= "//" [^\n]* "\n" | "/*" ([^*] | "*"+ [^*/])* "*"+ "/"`,
].join('\n');

/** A GBNF grammar that accepts exactly one of `options`. */
export function choiceGbnf(options: readonly string[]): string {
  return `root ::= ${options.map((option) => JSON.stringify(option)).join(' | ')}`;
}

/**
 * The method and its examples, from the model's answer: the example lines at its end are
 * taken off the source. Throws, saying which, when an example line is not
 * `<JSON array> => <JSON>` or there are more than {@link MAX_EXAMPLES}.
 */
export function splitExamples(answer: string): {
  source: string;
  examples: MethodExample[];
} {
  const lines = answer.split('\n');
  const exampleLines: string[] = [];
  while (lines.length > 1 && lines.at(-1)!.trimStart().startsWith(EXAMPLE_PREFIX.trim()))
    exampleLines.unshift(lines.pop()!.trimStart().slice(EXAMPLE_PREFIX.trim().length).trim());
  if (exampleLines.length > MAX_EXAMPLES)
    throw new Error(
      `it came with ${exampleLines.length} examples; at most ${MAX_EXAMPLES} are allowed`,
    );
  return { source: lines.join('\n').trimEnd(), examples: exampleLines.map(parseExample) };
}

/** An example as its line writes it, without the prefix: `[21] => 42`. */
export function exampleText(example: MethodExample): string {
  return `${JSON.stringify(example.args)} => ${JSON.stringify(example.result)}`;
}

/** `[21] => 42` as an example, trying each `=>` (a JSON string may hold one). */
function parseExample(line: string): MethodExample {
  for (let at = line.indexOf('=>'); at >= 0; at = line.indexOf('=>', at + 2)) {
    try {
      const args = JSON.parse(line.slice(0, at)) as unknown;
      const result = JSON.parse(line.slice(at + 2)) as Value;
      if (Array.isArray(args)) return { args: args as Value[], result };
    } catch {
      // Not this arrow: try the next.
    }
  }
  throw new Error(
    `the example "${line}" is not \`<arguments as a JSON array> => <result as JSON>\``,
  );
}
