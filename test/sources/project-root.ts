// Tests run from the compiled tree (dist/ or a .build-* directory); the examples live in the source tree.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest directory above this file holding package.json and examples/. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!(existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'examples')))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the project root (package.json next to examples/) above the tests');
    dir = up;
  }
  return dir;
}
