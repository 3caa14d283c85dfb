/**
 * The grammar every generated method is sampled under: one function expression
 * `function (self, …) { … }` whose braces balance outside strings and comments. The grammar
 * guarantees the shape; the sandbox's static check still parses and vets the source.
 */

const BT = '`';

export const METHOD_GBNF = [
  String.raw`root ::= "function" ws? "(" ws? "self" params ws? ")" ws? "{" body "}"`,
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
