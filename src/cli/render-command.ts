// `kproxy render --proxy-mode=MODE --from PATH`: load the manifests, build one snapshot and print the program
// a full sync would apply, touching nothing. Input errors go to stderr and make the exit status 1, after the
// program for everything that did load is printed (so a CI check can fail on bad manifests).

import type { LoadedConfiguration } from '../config/load.js';
import { FileSource } from '../sources/file-source.js';
import { renderModel, serviceModelFor } from './render-program.js';
import { loggerFor } from './runtime.js';

export async function runRender(loaded: LoadedConfiguration): Promise<number> {
  const { kproxy } = loaded;
  if (kproxy.from.length === 0) {
    process.stderr.write('kproxy render: --from PATH is required (a manifest file or directory)\n');
    return 1;
  }
  const logger = loggerFor(loaded);
  const model = serviceModelFor(loaded);
  const errors: string[] = [];
  model.onError((e) => errors.push(e.message));
  const source = new FileSource({ paths: kproxy.from, logger });
  try {
    await source.start(model);
  } catch (err) {
    process.stderr.write(`kproxy render: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await source.stop();
  }
  const { dataPlane, program } = renderModel(loaded, model, { logger });
  const text = dataPlane.renderer.format(program);
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  for (const e of errors) process.stderr.write(`error: ${e}\n`);
  return errors.length > 0 ? 1 : 0;
}
