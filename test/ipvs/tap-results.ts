// Reads node's TAP reporter output (as `node --test --test-reporter=tap` prints it inside user-mode Linux)
// into one result per leaf test, with the failure's diagnostic block.

export interface TapResult {
  /** Enclosing suite names and the test's own, joined with " > ". */
  readonly name: string;
  readonly ok: boolean;
  /** The SKIP reason, when skipped. */
  readonly skip: string | undefined;
  readonly details: string;
}

const RESULT = /^(\s*)(not )?ok \d+ - (.*?)(?: # (SKIP|TODO)\b ?(.*))?$/;
const SUBTEST = /^(\s*)# Subtest: (.*)$/;

export function parseTap(text: string): TapResult[] {
  const lines = text.split('\n');
  const out: TapResult[] = [];
  const hasChild = new Map<number, boolean>();
  const names = new Map<number, string>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const sub = SUBTEST.exec(line);
    if (sub) {
      const indent = sub[1]?.length ?? 0;
      hasChild.set(indent, false);
      names.set(indent, sub[2] ?? '');
      continue;
    }
    const m = RESULT.exec(line);
    if (!m) continue;
    const indent = m[1]?.length ?? 0;
    if (indent >= 4) hasChild.set(indent - 4, true);
    if (hasChild.get(indent)) continue; // a suite: its leaves carry the results
    const path: string[] = [];
    for (let d = 0; d < indent; d += 4) if (names.has(d) && d > 0) path.push(names.get(d) ?? '');
    const details: string[] = [];
    if (lines[i + 1]?.trim() === '---') {
      for (let j = i + 2; j < lines.length && lines[j]?.trim() !== '...'; j++) details.push(lines[j] ?? '');
    }
    out.push({
      name: [...path, m[3] ?? ''].join(' > '),
      ok: m[2] === undefined,
      skip: m[4] === 'SKIP' ? (m[5] ?? '').trim() || 'skipped' : undefined,
      details: details.join('\n'),
    });
  }
  return out;
}
