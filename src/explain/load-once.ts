// Reads the cluster state once, as `render` does, for the commands that explain instead of proxy: from
// --from manifests or from the API server (--kubeconfig/--master), through a RecordingSink so the raw
// objects stay at hand, into a model built with the same options the running proxy would use.

import type { LoadedConfiguration } from '../config/load.js';
import type { ProxyMode } from '../dataplane/types.js';
import { ServiceModel } from '../model/service-model.js';
import { defaultSchedulerFor } from '../schedulers/scheduler-table.js';
import { createApiSource } from '../sources/api/from-configuration.js';
import { FileSource } from '../sources/file-source.js';
import type { Source } from '../sources/types.js';
import type { Logger } from '../observability/logger.js';
import { kproxyVersion } from '../cli/version.js';
import { RecordingSink } from './recording-sink.js';

export interface LoadedState {
  readonly model: ServiceModel;
  readonly recorded: RecordingSink;
}

/** Loads and stops the source again; throws with the source's own message when it cannot be read. */
export async function loadStateOnce(loaded: LoadedConfiguration, mode: ProxyMode, hostname: string, logger: Logger): Promise<LoadedState> {
  const { config, kproxy } = loaded;
  const model = new ServiceModel({
    hostname,
    defaultScheduler: defaultSchedulerFor(mode, config.ipvs.scheduler),
    serviceProxyName: kproxy.serviceProxyName,
    allowLoopbackEndpoints: mode === 'userspace',
  });
  const recorded = new RecordingSink(model);
  const source: Source =
    kproxy.from.length > 0
      ? new FileSource({ paths: kproxy.from, logger })
      : await createApiSource({ loaded, hostname, logger, userAgent: `kproxy/${kproxyVersion()}` });
  try {
    await source.start(recorded);
  } finally {
    await source.stop();
  }
  return { model, recorded };
}
