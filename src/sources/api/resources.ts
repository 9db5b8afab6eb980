// The three collections kproxy lists and watches, with the selectors kube-proxy uses (cmd/kube-proxy
// server.go) so the API server filters for us instead of sending objects the proxy would ignore:
// - Services: no foreign service-proxy-name (or exactly ours with --service-proxy-name), not headless,
//   and spec.clusterIP!=None;
// - EndpointSlices: not labelled headless;
// - Nodes: only this node (metadata.name=NAME).

import { LABEL_HEADLESS, LABEL_SERVICE_PROXY_NAME, type ObjectKind } from '../../model/objects.js';

export interface ResourceSpec {
  kind: ObjectKind;
  apiVersion: string;
  /** Cluster-wide collection path, e.g. /api/v1/services. */
  path: string;
  /** How client-go names the type in its log lines: *v1.Service. */
  typeName: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** --service-proxy-name '' (kube-proxy's only behaviour): Services without the label; else exactly NAME. */
export function serviceLabelSelector(serviceProxyName: string): string {
  const proxyName = serviceProxyName === '' ? `!${LABEL_SERVICE_PROXY_NAME}` : `${LABEL_SERVICE_PROXY_NAME}=${serviceProxyName}`;
  return `${proxyName},!${LABEL_HEADLESS}`;
}

export function apiResources(hostname: string, serviceProxyName: string): ResourceSpec[] {
  return [
    {
      kind: 'Service',
      apiVersion: 'v1',
      path: '/api/v1/services',
      typeName: '*v1.Service',
      labelSelector: serviceLabelSelector(serviceProxyName),
      fieldSelector: 'spec.clusterIP!=None',
    },
    {
      kind: 'EndpointSlice',
      apiVersion: 'discovery.k8s.io/v1',
      path: '/apis/discovery.k8s.io/v1/endpointslices',
      typeName: '*v1.EndpointSlice',
      labelSelector: `!${LABEL_HEADLESS}`,
    },
    {
      kind: 'Node',
      apiVersion: 'v1',
      path: '/api/v1/nodes',
      typeName: '*v1.Node',
      fieldSelector: `metadata.name=${hostname}`,
    },
  ];
}
