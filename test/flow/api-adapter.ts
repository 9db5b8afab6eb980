// Flow adapters whose proxy reads a real kube-apiserver (api-cluster.ts) instead of manifest files: upstream
// kube-proxy, the oracle the scenarios' expectations are checked against, and kproxy itself, which proves it
// converges against the real API server with nothing in between. Both run in the lab's node namespace with
// the same flags, so where they differ on a scenario the difference is the proxies', not the set-up's.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { ApiCluster } from './api-cluster.js';
import { commonProxyFlags, kproxyCliPath, startProxyProcess, type ModeAdapter } from './mode-adapter.js';
import { API_SOURCE, upstreamMode, type KernelMode } from './scenario.js';

/** Set in a namespace, nf_conntrack_max is not writable: both proxies leave conntrack sizing alone. */
const NAMESPACE_FLAGS = ['--conntrack-max-per-core=0'];

const STATE_COMMANDS: Record<KernelMode, readonly (readonly string[])[]> = {
  iptables: [['iptables-save'], ['ip6tables-save']],
  nftables: [['nft', 'list', 'ruleset']],
};

const TOOLS: Record<KernelMode, readonly string[]> = { iptables: ['iptables-restore', 'ip6tables-restore'], nftables: ['nft'] };

function missingTools(mode: KernelMode): string | undefined {
  const missing = TOOLS[mode].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' }).status !== 0);
  return missing.length > 0 ? `needs ${missing.join(', ')}` : undefined;
}

/** What both API-backed adapters share: the cluster as object feed and its set-up per test file. */
function apiBacked(cluster: ApiCluster): Pick<ModeAdapter, 'feed' | 'setUp' | 'tearDown'> {
  return {
    feed: { load: (objects) => cluster.load(objects), replace: (objects) => cluster.replace(objects) },
    setUp: (lab) => cluster.setUp(lab),
    tearDown: () => cluster.tearDown(),
  };
}

/** Upstream kube-proxy v1.30.3 (the shared kube folder's) in `mode`. */
export function upstreamAdapter(cluster: ApiCluster, mode: KernelMode): ModeAdapter {
  const gates = mode === 'nftables' ? ['--feature-gates=NFTablesProxyMode=true'] : [];
  return {
    mode: upstreamMode(mode),
    follows: [mode, API_SOURCE],
    label: `upstream kube-proxy ${mode}`,
    stateCommands: STATE_COMMANDS[mode],
    ...apiBacked(cluster),
    requirements: () => cluster.requirements() ?? missingTools(mode),
    async start(lab, _manifestsDir, nodeName, scenarioFlags: readonly string[] = []) {
      const args = [
        '--kubeconfig',
        cluster.proxyKubeconfig,
        `--proxy-mode=${mode}`,
        ...gates,
        ...commonProxyFlags(nodeName),
        ...NAMESPACE_FLAGS,
        ...scenarioFlags,
      ];
      return startProxyProcess(lab, join(cluster.bin, 'kube-proxy'), args);
    },
  };
}

/** kproxy in `mode`, reading the same kube-apiserver as upstream does (user system:kube-proxy). */
export function kproxyApiAdapter(cluster: ApiCluster, mode: KernelMode): ModeAdapter {
  return {
    mode,
    follows: [API_SOURCE],
    label: `${mode} via kube-apiserver`,
    stateCommands: STATE_COMMANDS[mode],
    ...apiBacked(cluster),
    requirements: () =>
      (existsSync(kproxyCliPath()) ? undefined : `kproxy CLI not built (${kproxyCliPath()} missing)`) ?? cluster.requirements() ?? missingTools(mode),
    async start(lab, _manifestsDir, nodeName, scenarioFlags: readonly string[] = []) {
      const args = [
        kproxyCliPath(),
        `--proxy-mode=${mode}`,
        '--kubeconfig',
        cluster.proxyKubeconfig,
        ...commonProxyFlags(nodeName),
        ...NAMESPACE_FLAGS,
        ...scenarioFlags,
      ];
      return startProxyProcess(lab, process.execPath, args);
    },
  };
}
