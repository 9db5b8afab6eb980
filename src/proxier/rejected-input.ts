// Every input the model rejects is logged and counted from the first object a source delivers: the
// initial read happens before the Proxier exists, and its errors (a manifest's file:line:column) are the
// ones an operator most needs to see.

import type { ServiceModel } from '../model/service-model.js';
import type { Logger } from '../observability/logger.js';
import type { ProxyMetrics } from '../observability/metrics.js';

export function reportRejectedInput(model: ServiceModel, metrics: ProxyMetrics, logger: Logger): void {
  model.onError((e) => {
    metrics.inputErrorsTotal.labels({ kind: e.code }).inc();
    logger.error('Rejected input', { err: e.message });
  });
}
