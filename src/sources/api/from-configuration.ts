// Builds the API source from kproxy's configuration the way kube-proxy builds its client: connection
// settings from --kubeconfig/--master (or in-cluster), the rate limit from clientConnection.qps/burst.

import type { LoadedConfiguration } from '../../config/load.js';
import type { Logger } from '../../observability/logger.js';
import { ApiClient } from './api-client.js';
import { ApiSource } from './api-source.js';
import { resolveClusterAccess } from './kubeconfig.js';
import { TokenBucket } from './token-bucket.js';

export interface ApiSourceSetup {
  loaded: LoadedConfiguration;
  hostname: string;
  logger: Logger;
  userAgent: string;
}

/** Throws KubeconfigError when the connection settings cannot be loaded. */
export async function createApiSource(setup: ApiSourceSetup): Promise<ApiSource> {
  const { loaded, logger } = setup;
  const { clientConnection } = loaded.config;
  const kubeconfig = clientConnection.kubeconfig || undefined;
  if (!kubeconfig && !loaded.master) {
    logger.warn('Neither --kubeconfig nor --master was specified. Using the inClusterConfig.  This might not work.');
  }
  const access = await resolveClusterAccess({ kubeconfig, master: loaded.master });
  if (clientConnection.contentType && clientConnection.contentType !== 'application/json') {
    logger.v(2).info('Requests use application/json; kproxy does not speak protobuf', { contentType: clientConnection.contentType });
  }
  const limiter = new TokenBucket({ qps: clientConnection.qps, burst: clientConnection.burst });
  const transport = new ApiClient({ access, limiter, userAgent: setup.userAgent });
  return new ApiSource({
    transport,
    hostname: setup.hostname,
    serviceProxyName: loaded.kproxy.serviceProxyName,
    logger,
    server: `${access.server.origin} (${access.source})`,
  });
}
