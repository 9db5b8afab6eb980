// `kproxy render --proxy-mode=MODE --from PATH`: load the manifests, build one snapshot and print the program
// a full sync would apply, touching nothing. Input errors go to stderr and make the exit status 1, after the
// program for everything that did load is printed (so a CI check can fail on bad manifests).

import type { LoadedConfiguration } from '../config/load.js';
import { createDataPlane } from '../dataplane/registry.js';
import { defaultSchedulerFor } from '../schedulers/scheduler-table.js';
import { ServiceModel } from '../model/service-model.js';
import { createProxyMetrics } from '../observability/metrics.js';
import { FileSource } from '../sources/file-source.js';
import { detectNodeIPs, isRoot, loggerFor, resolveHostname, resolveMode } from './runtime.js';

export async function runRender(loaded: LoadedConfiguration): Promise<number> {
  const { config, kproxy } = loaded;
  if (kproxy.from.length === 0) {
    process.stderr.write('kproxy render: --from PATH is required (a manifest file or directory)\n');
    return 1;
  }
  const logger = loggerFor(loaded);
  const mode = resolveMode(loaded);
  const model = new ServiceModel({
    hostname: resolveHostname(loaded),
    defaultScheduler: defaultSchedulerFor(mode, config.ipvs.scheduler),
    serviceProxyName: kproxy.serviceProxyName,
    allowLoopbackEndpoints: mode === 'userspace',
  });
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
  const nodeIPs = detectNodeIPs(loaded, model.node().addresses, logger);
  const dataPlane = createDataPlane(mode, { config, kproxy, logger, metrics: createProxyMetrics(), nodeIPs, isRoot: isRoot() });
  const snapshot = model.buildSnapshot();
  const program = dataPlane.renderer.render({ snapshot, previous: undefined, full: true });
  const text = dataPlane.renderer.format(program);
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  for (const e of errors) process.stderr.write(`error: ${e}\n`);
  return errors.length > 0 ? 1 : 0;
}
