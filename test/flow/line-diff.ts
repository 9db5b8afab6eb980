// A unified-style line diff for test failures: two rule dumps that should be equal are shown as the lines
// only one side has, with a little context, instead of two walls of text to compare by eye.

/** '-' lines only `a` has, '+' lines only `b` has, ' ' shared ones; `context` shared lines kept around changes. */
export function lineDiff(a: readonly string[], b: readonly string[], context = 2): string {
  // Longest common subsequence table, from the end (rule dumps are a few hundred lines: n*m is fine).
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const ops: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push(`  ${a[i++]}`);
      j++;
    } else if (j < b.length && (i >= a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      ops.push(`+ ${b[j++]}`);
    } else {
      ops.push(`- ${a[i++]}`);
    }
  }
  const near = (k: number) => ops.slice(Math.max(0, k - context), k + context + 1).some((l) => !l.startsWith(' '));
  const shown: string[] = [];
  ops.forEach((line, k) => {
    if (near(k)) shown.push(line);
    else if (shown.at(-1) !== '  ...') shown.push('  ...');
  });
  return shown.join('\n');
}
