// The program a full sync would apply for a set of objects, built the way the daemon builds it: one
// ServiceModel with the daemon's options, the node IPs detected from the same places, the mode's renderer
// from the registry. `kproxy render` prints it, `kproxy explain` traces connections through it, and the
// explain tests check those traces against the flow suite's real packets; one function keeps all three
// looking at the same program.

import type { LoadedConfiguration } from '../config/load.js';
import { createDataPlane } from '../dataplane/registry.js';
import type { DataPlane, ProxyMode } from '../dataplane/types.js';
import { defaultSchedulerFor } from '../schedulers/scheduler-table.js';
import type { KubeObject } from '../model/objects.js';
import { ServiceModel } from '../model/service-model.js';
import type { Snapshot } from '../model/types.js';
import type { InterfaceAddress } from '../host/node-addresses.js';
import type { Logger } from '../observability/logger.js';
import { createProxyMetrics } from '../observability/metrics.js';
import { detectNodeIPs, isRoot, loggerFor, resolveHostname, resolveMode } from './runtime.js';

/** An empty model with the options the daemon gives it for this configuration. */
export function serviceModelFor(loaded: LoadedConfiguration): ServiceModel {
  const mode = resolveMode(loaded);
  return new ServiceModel({
    hostname: resolveHostname(loaded),
    defaultScheduler: defaultSchedulerFor(mode, loaded.config.ipvs.scheduler),
    serviceProxyName: loaded.kproxy.serviceProxyName,
    allowLoopbackEndpoints: mode === 'userspace',
  });
}

export interface RenderedProgram {
  readonly mode: ProxyMode;
  readonly dataPlane: DataPlane;
  readonly snapshot: Snapshot;
  /** What the mode's renderer returned for a full sync of `snapshot` (a value of the mode's program type). */
  readonly program: unknown;
  /** The node's IPs as the daemon would detect them (primary first). */
  readonly nodeIPs: readonly string[];
}

export interface RenderOptions {
  readonly logger?: Logger;
  /** The node's interface addresses when it is not this machine (default: read from this machine). */
  readonly interfaceAddresses?: readonly InterfaceAddress[];
}

/** Render what `model` holds now as a full sync in the configured mode. Touches nothing. */
export function renderModel(loaded: LoadedConfiguration, model: ServiceModel, o: RenderOptions = {}): RenderedProgram {
  const { config, kproxy } = loaded;
  const mode = resolveMode(loaded);
  const logger = o.logger ?? loggerFor(loaded);
  const nodeIPs = detectNodeIPs(loaded, model.node().addresses, logger);
  const host = o.interfaceAddresses ? { interfaceAddresses: o.interfaceAddresses } : {};
  const dataPlane = createDataPlane(mode, { config, kproxy, logger, metrics: createProxyMetrics(), nodeIPs, isRoot: isRoot(), ...host });
  const snapshot = model.buildSnapshot();
  const program = dataPlane.renderer.render({ snapshot, previous: undefined, full: true });
  return { mode, dataPlane, snapshot, program, nodeIPs };
}

export interface RenderedObjects extends RenderedProgram {
  /** Objects the model refused, one message each (the rest is rendered). */
  readonly errors: readonly string[];
}

/** Render `objects` (as one source holding exactly these) in the configured mode. */
export function renderObjects(loaded: LoadedConfiguration, objects: readonly KubeObject[], o: RenderOptions = {}): RenderedObjects {
  const model = serviceModelFor(loaded);
  const errors: string[] = [];
  model.onError((e) => errors.push(e.message));
  model.replace('objects', objects);
  return { ...renderModel(loaded, model, o), errors };
}
