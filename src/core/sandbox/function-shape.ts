/**
 * A light scan of a method source that finds where its function ends, so that `check` can
 * name the problem when the source is not exactly one function expression. It knows strings,
 * template literals, comments and regular expression literals well enough for that; QuickJS
 * then checks the syntax itself, and the worker verifies the compiled function's own source
 * text, so a misjudged corner only costs a clear message, never safety.
 */

/** What is wrong with the shape of a method source, or undefined when it is one function expression. */
export function shapeProblem(source: string): string | undefined {
  const scanner = new Scanner(source);
  const first = scanner.next();
  if (first === 'async') return 'a method must be synchronous: drop "async"';
  if (first !== 'function') {
    if (source.includes('=>'))
      return 'a method must be `function (self, ...args) { ... }`, not an arrow function';
    return 'a method must be one function expression: `function (self, ...args) { ... }`';
  }
  let token = scanner.next();
  if (token === '*') return 'a method must not be a generator';
  if (token !== '(' && token !== undefined && /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(token))
    token = scanner.next();
  if (token !== '(') return 'expected the parameter list after "function"';
  if (!scanner.closeTo(0)) return scanner.problem ?? 'unbalanced parameter list';
  if (scanner.next() !== '{') return 'expected the function body after the parameters';
  if (!scanner.closeTo(0)) return scanner.problem ?? 'the function body is not closed';
  const rest = scanner.next();
  if (rest !== undefined)
    return `unexpected "${rest}" after the function: a method is one function expression and nothing else`;
  return scanner.problem;
}

const REGEX_AFTER_WORDS = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
]);
/** Far beyond sensible code, well within what the parser handles. */
const MAX_NESTING = 40;
const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** Tokens at bracket level granularity: strings, numbers, regexes and templates come back as one token. */
class Scanner {
  private index = 0;
  /** Open brackets; '${' marks a template substitution. */
  private readonly stack: string[] = [];
  private regexAllowed = true;
  /** The previous token, to tell `x.import` from `import`. */
  private last = '';
  problem: string | undefined;

  constructor(private readonly text: string) {}

  /** Reads tokens until the bracket depth drops to `depth`; false at the end of the text. */
  closeTo(depth: number): boolean {
    while (this.stack.length > depth) {
      if (this.next() === undefined) return false;
    }
    return this.problem === undefined;
  }

  /** The next token, or undefined at the end (or after a problem). */
  next(): string | undefined {
    this.skipSpaceAndComments();
    if (this.problem !== undefined || this.index >= this.text.length) return undefined;
    const text = this.text;
    const start = this.index;
    const c = text[this.index]!;
    if (c === '"' || c === "'") {
      this.skipString(c);
      return this.value(start);
    }
    if (c === '`') {
      this.index += 1;
      this.skipTemplate();
      return this.value(start);
    }
    if (c === '/' && this.regexAllowed) {
      this.skipRegex();
      return this.value(start);
    }
    if (/[\p{L}\p{N}_$\\.]/u.test(c) && !(c === '.' && !/\d/.test(text[this.index + 1] ?? ''))) {
      while (this.index < text.length && /[\p{L}\p{N}_$\\]/u.test(text[this.index]!))
        this.index += 1;
      const word = text.slice(start, this.index);
      if (word === 'import' && this.last !== '.') this.problem = 'methods cannot import anything';
      this.regexAllowed = REGEX_AFTER_WORDS.has(word);
      return (this.last = word);
    }
    this.index += 1;
    if (c in OPENERS) {
      this.stack.push(c);
      if (this.stack.length > MAX_NESTING)
        this.problem = `brackets nest more than ${MAX_NESTING} deep`;
    } else if (c === ')' || c === ']' || c === '}') {
      const open = this.stack.pop();
      if (open === '${' && c === '}') {
        this.skipTemplate();
        return this.value(start);
      }
      if (open === undefined || OPENERS[open] !== c) {
        this.problem = `unbalanced "${c}"`;
        return undefined;
      }
    }
    this.regexAllowed = c !== ')' && c !== ']';
    return (this.last = c);
  }

  private value(start: number): string {
    this.regexAllowed = false;
    return (this.last = this.text.slice(start, this.index));
  }

  private skipSpaceAndComments(): void {
    const text = this.text;
    for (;;) {
      while (this.index < text.length && /\s/u.test(text[this.index]!)) this.index += 1;
      if (text.startsWith('//', this.index)) {
        const end = text.indexOf('\n', this.index);
        this.index = end === -1 ? text.length : end;
      } else if (text.startsWith('/*', this.index)) {
        const end = text.indexOf('*/', this.index + 2);
        if (end === -1) this.problem = 'unterminated comment';
        this.index = end === -1 ? text.length : end + 2;
      } else {
        return;
      }
    }
  }

  private skipString(quote: string): void {
    const text = this.text;
    this.index += 1;
    while (this.index < text.length && text[this.index] !== quote) {
      if (text[this.index] === '\n') break;
      this.index += text[this.index] === '\\' ? 2 : 1;
    }
    if (text[this.index] !== quote) this.problem = 'unterminated string';
    this.index += 1;
  }

  /** Skips template text up to the closing backtick or into a `${` substitution. */
  private skipTemplate(): void {
    const text = this.text;
    while (this.index < text.length) {
      const c = text[this.index]!;
      if (c === '\\') {
        this.index += 2;
      } else if (c === '`') {
        this.index += 1;
        return;
      } else if (c === '$' && text[this.index + 1] === '{') {
        this.index += 2;
        this.stack.push('${');
        return;
      } else {
        this.index += 1;
      }
    }
    this.problem = 'unterminated template literal';
  }

  private skipRegex(): void {
    const text = this.text;
    let inClass = false;
    this.index += 1;
    while (this.index < text.length) {
      const c = text[this.index]!;
      if (c === '\n') break;
      this.index += c === '\\' ? 2 : 1;
      if (c === '[') inClass = true;
      else if (c === ']') inClass = false;
      else if (c === '/' && !inClass) {
        while (this.index < text.length && /[a-z]/.test(text[this.index]!)) this.index += 1;
        return;
      }
    }
    this.problem = 'unterminated regular expression';
  }
}
