// Flags kube-proxy once had and no longer accepts, with when and why, so an old command line fails with
// a message that says what to use instead rather than a bare "unknown flag".

export interface RemovedFlag {
  readonly name: string;
  readonly removedIn: string;
  readonly why: string;
  readonly instead: string;
}

/** klog's own flags, removed from Kubernetes components by KEP-2845. */
const KLOG_FLAGS = [
  'add-dir-header', 'alsologtostderr', 'log-backtrace-at', 'log-dir', 'log-file', 'log-file-max-size',
  'logtostderr', 'one-output', 'skip-headers', 'skip-log-headers', 'stderrthreshold',
];

export const REMOVED_FLAGS: readonly RemovedFlag[] = [
  { name: 'resource-container', removedIn: 'v1.16', why: 'the proxy no longer moves itself into a cgroup',
    instead: 'nothing: run the proxy in the cgroup you want (e.g. via systemd or a Pod)' },
  { name: 'cleanup-iptables', removedIn: 'v1.16', why: 'renamed', instead: '--cleanup' },
  { name: 'conntrack-max', removedIn: 'v1.16', why: 'replaced by per-core scaling',
    instead: '--conntrack-max-per-core and --conntrack-min' },
  { name: 'cleanup-ipvs', removedIn: 'v1.21', why: '--cleanup always flushes IPVS rules now', instead: '--cleanup' },
  { name: 'udp-timeout', removedIn: 'v1.26', why: "it configured upstream's removed userspace proxy",
    instead: "nothing: kproxy's userspace mode manages UDP flow idle timeouts itself; for conntrack use --conntrack-udp-timeout" },
  { name: 'proxy-port-range', removedIn: 'v1.26', why: "it configured upstream's removed userspace proxy",
    instead: 'nothing: the userspace mode listens on the service ports themselves' },
  ...KLOG_FLAGS.map((name) => ({
    name, removedIn: 'v1.26', why: 'klog-specific flags were removed from Kubernetes components (KEP-2845)',
    instead: 'stdout/stderr redirection, --logging-format, -v and --vmodule',
  })),
];

/** Flags that exist only in the Windows build of kube-proxy. */
export const WINDOWS_ONLY_FLAGS: readonly string[] = ['windows-service'];

const BY_NAME = new Map(REMOVED_FLAGS.map((f) => [f.name, f]));

export function removedFlag(name: string): RemovedFlag | undefined {
  return BY_NAME.get(name);
}
