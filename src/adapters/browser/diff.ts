/** A line diff of two method versions, for the object page. */

/** One line of a diff: kept, added (in the second only) or removed (in the first only). */
export interface DiffLine {
  readonly kind: 'same' | 'add' | 'del';
  readonly text: string;
}

/** The lines of `a` and `b` in order, marked by a longest common subsequence. */
export function lineDiff(a: string, b: string): DiffLine[] {
  const x = a.split('\n');
  const y = b.split('\n');
  // lengths[i][j]: the longest common subsequence of x[i..] and y[j..].
  const lengths = Array.from({ length: x.length + 1 }, () =>
    new Array<number>(y.length + 1).fill(0),
  );
  for (let i = x.length - 1; i >= 0; i -= 1)
    for (let j = y.length - 1; j >= 0; j -= 1)
      lengths[i]![j] =
        x[i] === y[j]
          ? lengths[i + 1]![j + 1]! + 1
          : Math.max(lengths[i + 1]![j]!, lengths[i]![j + 1]!);
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      lines.push({ kind: 'same', text: x[i]! });
      i += 1;
      j += 1;
    } else if (j < y.length && (i === x.length || lengths[i]![j + 1]! >= lengths[i + 1]![j]!)) {
      lines.push({ kind: 'add', text: y[j]! });
      j += 1;
    } else {
      lines.push({ kind: 'del', text: x[i]! });
      i += 1;
    }
  }
  return lines;
}
