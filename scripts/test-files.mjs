// Test discovery and the import-cycle check used by scripts/test.mjs (plain JS: runs before any build).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';

export function listTestFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.test.js')) out.push(p);
    }
  };
  try {
    walk(dir);
  } catch {
    return [];
  }
  return out;
}

/** Every cycle of relative imports among the .ts files under `dir`, as lists of paths. */
export function checkImportCycles(dir) {
  const files = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts')) files.push(p);
    }
  };
  walk(dir);
  const edges = new Map();
  for (const f of files) {
    const src = readFileSync(f, 'utf8');
    const deps = [];
    // Type-only imports count too: they vanish at run time, but a cycle of types is still two modules
    // that cannot be read, changed or moved one without the other.
    for (const m of src.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)) {
      deps.push(resolve(dirname(f), m[1].replace(/\.js$/, '.ts')));
    }
    edges.set(f, deps);
  }
  const cycles = [];
  const state = new Map(); // 1 = on stack, 2 = done
  const stack = [];
  const visit = (f) => {
    state.set(f, 1);
    stack.push(f);
    for (const d of edges.get(f) ?? []) {
      if (state.get(d) === 1) cycles.push([...stack.slice(stack.indexOf(d)), d].map((p) => p.slice(dir.length + 1)));
      else if (!state.has(d) && edges.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, 2);
  };
  for (const f of files) if (!state.has(f)) visit(f);
  return cycles;
}
