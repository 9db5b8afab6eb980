// Structural equality for plain data (API objects as parsed from JSON/YAML, and the model's own value
// objects). Change tracking hinges on it: an update equal to what is stored must not cause a sync.

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  // Keys whose value is undefined count as absent, as they would after a JSON round trip.
  let countA = 0;
  for (const key in ra) {
    if (ra[key] === undefined) continue;
    countA++;
    if (!deepEqual(ra[key], rb[key])) return false;
  }
  let countB = 0;
  for (const key in rb) if (rb[key] !== undefined) countB++;
  return countA === countB;
}
