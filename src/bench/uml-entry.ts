// Runs inside user-mode Linux (the host kernel has no IPVS): one mode session, spec given as base64 JSON,
//   node uml-entry.js BASE64_SPEC
// Progress and each case's result come out as tagged lines the host picks up (uml-session.ts).

import { runSession, type SessionSpec } from './session.js';

export const CASE_TAG = '@@KPBENCH-CASE ';
export const PROGRESS_TAG = '@@KPBENCH-PROGRESS ';

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const spec = JSON.parse(Buffer.from(process.argv[2] ?? '', 'base64').toString('utf8')) as SessionSpec;
  runSession(spec, {
    progress: (m) => process.stdout.write(`${PROGRESS_TAG}${m}\n`),
    caseDone: (r) => process.stdout.write(`${CASE_TAG}${JSON.stringify(r)}\n`),
  }).then(
    () => process.exit(0),
    (e: unknown) => {
      process.stdout.write(`${PROGRESS_TAG}session failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
