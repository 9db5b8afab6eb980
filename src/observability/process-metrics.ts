// The process_* metrics every Go component exposes (client_golang's process collector), which operators
// already graph for kube-proxy, from prom-client's collectors of the same names. prom-client adds
// process_cpu_user/system_seconds_total and process_heap_bytes beside them (one collector writes each
// group). Its nodejs_* metrics are left out: no kube-proxy dashboard knows them, and their collectors keep
// a sampling timer and a GC observer running for the life of the process.

import type { Registry as PromRegistry } from 'prom-client';
import processCpuTotal from 'prom-client/lib/metrics/processCpuTotal.js';
import processStartTime from 'prom-client/lib/metrics/processStartTime.js';
import osMemoryHeap from 'prom-client/lib/metrics/osMemoryHeap.js';
import processOpenFileDescriptors from 'prom-client/lib/metrics/processOpenFileDescriptors.js';
import processMaxFileDescriptors from 'prom-client/lib/metrics/processMaxFileDescriptors.js';

export function registerProcessMetrics(registry: PromRegistry): void {
  for (const register of [processCpuTotal, processStartTime, osMemoryHeap, processOpenFileDescriptors, processMaxFileDescriptors]) register(registry);
}
