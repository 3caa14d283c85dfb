/**
 * Parsing a method and checking its shape: exactly one synchronous function expression whose
 * first parameter is `self`, and nothing before or after it but whitespace and comments.
 *
 * Accepted: `function (self, …) { … }` (a name, `function greet(self) {…}`, is allowed and
 * only visible inside), and the arrow `(self, …) => …`. Both behave the same when the sandbox
 * evaluates the source as an expression and calls it with `self` first. Rejected: anything
 * else — a statement, a declaration followed by more code, two functions, a class, an
 * async or generator function (a method returns a value, not a promise or an iterator).
 */
import { parse, parseExpressionAt } from 'acorn';
import type { ArrowFunctionExpression, FunctionExpression, Options, Statement } from 'acorn';
import { findingAt } from './findings.ts';
import type { MethodFinding } from './findings.ts';

/** The one function a method's source holds. */
export type MethodFunction = FunctionExpression | ArrowFunctionExpression;

/** Parse options shared by every check: the latest syntax, as a script, with locations. */
export const PARSE_OPTIONS: Options = {
  ecmaVersion: 'latest',
  sourceType: 'script',
  locations: true,
};

/** The parsed function, or why there is none; `findings` may hold findings either way. */
export interface ShapeResult {
  readonly fn?: MethodFunction;
  readonly findings: MethodFinding[];
}

interface AcornSyntaxError extends SyntaxError {
  pos?: number;
}

/** Skips whitespace and comments from `pos`; returns where real code resumes (or the end). */
function skipTrivia(source: string, pos: number): number {
  let i = pos;
  for (;;) {
    while (i < source.length && /\s/u.test(source[i]!)) i++;
    if (source.startsWith('//', i)) {
      const nl = source.indexOf('\n', i);
      i = nl < 0 ? source.length : nl + 1;
    } else if (source.startsWith('/*', i)) {
      const close = source.indexOf('*/', i + 2);
      i = close < 0 ? source.length : close + 2;
    } else {
      return i;
    }
  }
}

/** A short description of what a statement is, for the message when one is found instead. */
function describeStatement(statement: Statement): string {
  switch (statement.type) {
    case 'FunctionDeclaration':
      return 'a function declaration';
    case 'VariableDeclaration':
      return `a '${statement.kind}' declaration`;
    case 'ClassDeclaration':
      return 'a class declaration';
    case 'ReturnStatement':
      return "a 'return' statement";
    case 'ExpressionStatement':
      return 'an expression statement';
    default:
      return `a statement (${statement.type})`;
  }
}

const EXPECTED = 'a method is one function expression `function (self, …) { … }`';

/** Why a parsed expression is not a method function, or undefined if it is one. */
function describeNonFunction(type: string): string {
  switch (type) {
    case 'SequenceExpression':
      return `found several comma-separated expressions; ${EXPECTED}`;
    case 'ClassExpression':
      return `found a class; ${EXPECTED}`;
    case 'CallExpression':
      return `found a call, not a function; ${EXPECTED} (do not call it yourself)`;
    default:
      return `found ${type.replace(/([a-z])([A-Z])/gu, '$1 $2').toLowerCase()}; ${EXPECTED}`;
  }
}

/** Parses `source` and checks it is exactly one method function. */
export function parseMethod(source: string): ShapeResult {
  const start = skipTrivia(source, 0);
  if (start >= source.length) {
    return {
      findings: [findingAt(source, 0, 'shape', 'error', `the source is empty; ${EXPECTED}`)],
    };
  }
  let expression;
  try {
    expression = parseExpressionAt(source, start, PARSE_OPTIONS);
  } catch (error) {
    return { findings: [notAnExpression(source, error as AcornSyntaxError)] };
  }
  const findings: MethodFinding[] = [];
  if (expression.type !== 'FunctionExpression' && expression.type !== 'ArrowFunctionExpression') {
    findings.push(
      findingAt(source, expression.start, 'shape', 'error', describeNonFunction(expression.type)),
    );
    return { findings };
  }
  const rest = skipTrivia(source, expression.end);
  if (rest < source.length) {
    const what = source[rest] === ';' ? "a ';'" : 'more code';
    findings.push(
      findingAt(
        source,
        rest,
        'shape',
        'error',
        `${what} after the end of the function; the source must hold that one function and nothing else`,
      ),
    );
  }
  if (expression.async || expression.generator) {
    const kind = expression.async ? 'async' : 'a generator';
    findings.push(
      findingAt(
        source,
        expression.start,
        'shape',
        'error',
        `the method is ${kind}; methods run synchronously and return a JSON value or an object reference`,
      ),
    );
  }
  findings.push(...checkSelfParam(source, expression));
  return { fn: expression, findings };
}

/**
 * Source that is not one expression: either it is statements (say which) or it does not
 * parse at all (report the parser's own message and place).
 */
function notAnExpression(source: string, error: AcornSyntaxError): MethodFinding {
  let statements: Statement[] | undefined;
  try {
    statements = parse(source, { ...PARSE_OPTIONS, allowReturnOutsideFunction: true }).body.filter(
      (s): s is Statement => s.type !== 'EmptyStatement',
    );
  } catch {
    statements = undefined;
  }
  const first = statements?.[0];
  if (first) {
    const extra = statements!.length > 1 ? ` (and ${statements!.length - 1} more)` : '';
    const text = `found ${describeStatement(first)}${extra}, not an expression; ${EXPECTED}`;
    return findingAt(source, first.start, 'shape', 'error', text);
  }
  const message = error.message.replace(/\s*\(\d+:\d+\)$/u, '');
  return findingAt(source, error.pos ?? 0, 'parse', 'error', `syntax error: ${message}`);
}

/** The first parameter must be a plain identifier named `self`. */
function checkSelfParam(source: string, fn: MethodFunction): MethodFinding[] {
  const first = fn.params[0];
  if (!first) {
    const text = 'the function has no parameters; the first must be `self`';
    return [findingAt(source, fn.start, 'self-param', 'error', text)];
  }
  if (first.type !== 'Identifier' || first.name !== 'self') {
    const found = first.type === 'Identifier' ? `'${first.name}'` : 'a pattern';
    const text = `the first parameter is ${found}; it must be the plain name \`self\``;
    return [findingAt(source, first.start, 'self-param', 'error', text)];
  }
  return [];
}
