// Reads the cluster state once, as `render` does, for the commands that explain instead of proxy: from
// --from manifests or from the API server (--kubeconfig/--master), through a RecordingSink so the raw
// objects stay at hand, into a model built with the same options the running proxy would use.

import type { LoadedConfiguration } from '../config/load.js';
import { RecordingSink } from '../explain/recording-sink.js';
import type { ServiceModel } from '../model/service-model.js';
import type { Logger } from '../observability/logger.js';
import { createApiSource } from '../sources/api/from-configuration.js';
import { FileSource } from '../sources/file-source.js';
import type { Source } from '../sources/types.js';
import { serviceModelFor } from './render-program.js';
import { kproxyVersion } from './version.js';

export interface LoadedState {
  readonly model: ServiceModel;
  readonly recorded: RecordingSink;
}

/** Loads and stops the source again; throws with the source's own message when it cannot be read. */
export async function loadStateOnce(loaded: LoadedConfiguration, hostname: string, logger: Logger): Promise<LoadedState> {
  const { kproxy } = loaded;
  const model = serviceModelFor(loaded);
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
