// Runs inside user-mode Linux (the host kernel has no IPVS): mode sessions one after another, their specs
// given as a base64 JSON array,
//   node uml-entry.js BASE64_SPECS
// Progress and each case's result come out as tagged lines the host picks up (uml-session.ts).

import { runSession, type SessionSpec } from './session.js';

export const CASE_TAG = '@@KPBENCH-CASE ';
export const PROGRESS_TAG = '@@KPBENCH-PROGRESS ';

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const specs = JSON.parse(Buffer.from(process.argv[2] ?? '', 'base64').toString('utf8')) as SessionSpec[];
  const events = {
    progress: (m: string) => process.stdout.write(`${PROGRESS_TAG}${m}\n`),
    caseDone: (r: unknown) => process.stdout.write(`${CASE_TAG}${JSON.stringify(r)}\n`),
  };
  specs.reduce((done, spec) => done.then(() => runSession(spec, events)), Promise.resolve()).then(
    () => process.exit(0),
    (e: unknown) => {
      process.stdout.write(`${PROGRESS_TAG}session failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
