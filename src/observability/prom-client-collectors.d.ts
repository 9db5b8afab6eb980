// prom-client's default process collectors, one module each (process-metrics.ts says which and why).
// prom-client offers them only all together (collectDefaultMetrics); its modules take the registry to
// register in. The version is pinned exactly and the recorded-metrics test names what they write, so a
// change of these paths or names cannot pass unseen.

declare module 'prom-client/lib/metrics/*.js' {
  import type { Registry } from 'prom-client';
  const register: (registry: Registry) => void;
  export default register;
}
