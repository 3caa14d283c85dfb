import { MethodSourceError } from './errors.ts';
import { shapeProblem } from './function-shape.ts';
import { syntaxError } from './syntax-checker.ts';

/**
 * Throws a {@link MethodSourceError} naming the problem unless `source` is one function
 * expression of the method contract that QuickJS compiles, within `maxSourceBytes`.
 */
export function checkMethodSource(source: string, maxSourceBytes: number): void {
  if (typeof source !== 'string')
    throw new MethodSourceError('not-a-string', 'a method source must be a string');
  const bytes = Buffer.byteLength(source);
  if (bytes > maxSourceBytes) {
    throw new MethodSourceError(
      'too-large',
      `the method source is ${bytes} bytes; at most ${maxSourceBytes} are allowed`,
    );
  }
  const shape = shapeProblem(source);
  if (shape?.startsWith('brackets nest')) throw new MethodSourceError('too-deep', shape);
  // The wrapper is the one the worker compiles with, so the lines are the source's own.
  const syntax = syntaxError(`'use strict';(${source}\n)`);
  // A contract problem ("not a function") says more than the syntax error it causes.
  if (shape?.startsWith('a method')) throw new MethodSourceError('shape', shape);
  if (syntax !== undefined) throw new MethodSourceError('syntax', `syntax error: ${syntax}`);
  if (shape !== undefined) throw new MethodSourceError('shape', shape);
}
