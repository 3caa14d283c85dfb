/**
 * The evaluation's method-writing tasks: an object set up with some slots, a selector it does
 * not understand, the call, and what the call must return. Each is what a person might ask
 * an object of theirs in chat; none needs more than the method contract. Some have later
 * calls, held out from the model: the same method sent other arguments, or to a clone with
 * other slots, once it is kept (what the repair loop is measured on).
 */
import type { Value } from '../../src/core/model/value.ts';

/** A call of the kept method the model was not asked about, and what it must return. */
export interface LaterCall {
  /** Sent to a clone of the task's object with these slots of its own, when given. */
  readonly slots?: Readonly<Record<string, Value>>;
  /** The call's arguments (the task's, when not given). */
  readonly args?: readonly Value[];
  readonly expected: Value;
}

export interface EvalTask {
  /** The selector the object does not understand, so the model writes it. */
  readonly selector: string;
  /** The object's own slots before the call. */
  readonly slots: Readonly<Record<string, Value>>;
  readonly args: readonly Value[];
  /** What the call must return (compared as JSON). */
  readonly expected: Value;
  /** Sent once the method is kept; each must return what it says, repaired if need be. */
  readonly later?: readonly LaterCall[];
}

const task = (
  selector: string,
  slots: Record<string, Value>,
  args: Value[],
  expected: Value,
  later?: LaterCall[],
): EvalTask => ({ selector, slots, args, expected, ...(later === undefined ? {} : { later }) });

export const EVAL_TASKS: readonly EvalTask[] = [
  task('total', { items: [3, 4, 5] }, [], 12, [{ slots: { items: [1, 2] }, expected: 3 }]),
  task('count_items', { items: ['a', 'b', 'c', 'd'] }, [], 4),
  task('largest', { numbers: [7, 2, 9, 4] }, [], 9),
  task('smallest', { numbers: [7, 2, 9, 4] }, [], 2),
  task('average', { scores: [2, 4, 6, 8] }, [], 5, [{ slots: { scores: [] }, expected: 0 }]),
  task('double', {}, [21], 42, [{ args: [5], expected: 10 }]),
  task('square', {}, [9], 81),
  task('add', {}, [2, 3], 5, [{ args: [10, -4], expected: 6 }]),
  task('greet', { name: 'Ada' }, [], 'Hello, Ada!'),
  task('shout', {}, ['hello'], 'HELLO'),
  task('reverse_text', {}, ['stressed'], 'desserts'),
  task('word_count', {}, ['the quick brown fox'], 4, [{ args: [''], expected: 0 }]),
  task('initials', { first: 'Grace', last: 'Hopper' }, [], 'GH'),
  task('full_name', { first: 'Alan', last: 'Turing' }, [], 'Alan Turing'),
  task('is_even', {}, [10], true),
  task('is_odd', {}, [10], false),
  task('is_empty', { items: [] }, [], true),
  task('contains', { items: ['red', 'green'] }, ['green'], true),
  task('first_item', { items: ['x', 'y', 'z'] }, [], 'x'),
  task('last_item', { items: ['x', 'y', 'z'] }, [], 'z'),
  task('sorted_numbers', { numbers: [3, 1, 2] }, [], [1, 2, 3]),
  task('unique_items', { items: ['a', 'b', 'a', 'c', 'b'] }, [], ['a', 'b', 'c']),
  task('evens', { numbers: [1, 2, 3, 4, 5, 6] }, [], [2, 4, 6]),
  task('doubled_all', { numbers: [1, 2, 3] }, [], [2, 4, 6]),
  task('sum_of_squares', { numbers: [1, 2, 3] }, [], 14),
  task('factorial', {}, [5], 120),
  task('fibonacci', {}, [10], 55),
  task('celsius_to_fahrenheit', {}, [100], 212),
  task('area', { width: 3, height: 4 }, [], 12),
  task('perimeter', { width: 3, height: 4 }, [], 14),
  task('age_next_year', { age: 41 }, [], 42),
  task('increment', { counter: 7 }, [], 8),
  task('add_item', { items: ['a'] }, ['b'], ['a', 'b']),
  task('price_with_tax', { price: 100, tax_rate: 0.2 }, [], 120),
  task('discounted', { price: 80 }, [25], 60),
  task('join_words', { words: ['to', 'be', 'or'] }, [], 'to be or', [
    { slots: { words: [] }, expected: '' },
  ]),
  task('count_vowels', {}, ['education'], 5),
  task('palindrome', {}, ['racecar'], true),
  task('capitalize', {}, ['ada'], 'Ada'),
  task('repeat_text', {}, ['ab', 3], 'ababab'),
  task('clamp', { low: 0, high: 10 }, [15], 10),
  task('percent', { done: 3, total: 4 }, [], 75),
  task('inventory_total', { stock: { apples: 3, pears: 5 } }, [], 8, [
    { slots: { stock: {} }, expected: 0 },
  ]),
  task('keys_of', { settings: { a: 1, b: 2 } }, [], ['a', 'b']),
];
