// Scenario objects on disk, the way kproxy's --from reads them: one YAML file per object, named after the
// object, so a step rewrites only what changed and deletes only what went away (an object never vanishes
// for a moment because an unrelated one changed). Also what the lab must provide for a set of scenarios.

import { readdir, rename, rm, writeFile, readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KubeObject } from '../../src/model/objects.js';
import { joinHostPort } from '../../src/lab/flow-wire.js';
import { allFlows, type Scenario } from './scenario.js';

function fileName(o: KubeObject): string {
  const ns = o.metadata.namespace ?? 'cluster';
  return `${(o.kind ?? 'object').toLowerCase()}-${ns}-${o.metadata.name}.yaml`;
}

/** Make `dir` hold exactly `objects`; files are replaced atomically so the watcher never reads half a file. */
export async function writeManifests(dir: string, objects: readonly KubeObject[]): Promise<void> {
  const wanted = new Map(objects.map((o) => [fileName(o), stringify(o)]));
  for (const name of await readdir(dir)) if (!wanted.has(name)) await rm(join(dir, name));
  for (const [name, text] of wanted) {
    const path = join(dir, name);
    const current = await readFile(path, 'utf8').catch(() => undefined);
    if (current === text) continue;
    // Hidden, non-YAML temporary name: a watcher reading *.yaml never picks it up.
    const tmp = join(dir, `.${name}.tmp`);
    await writeFile(tmp, text);
    await rename(tmp, path);
  }
}

export interface LabPlan {
  /** Every endpoint address (the pods namespace owns them). */
  podIPs: string[];
  /** Pods flows start from that are no endpoint (the clientpods namespace owns them). */
  clientPodIPs: string[];
  /** Every podIP:port the backend must answer on. */
  listen: string[];
}

/** What the lab needs so that every scenario's endpoints exist and answer. */
export function planLab(scenarios: readonly Scenario[]): LabPlan {
  const podIPs = new Set<string>();
  const senders = new Set<string>();
  const listen = new Set<string>();
  for (const s of scenarios) {
    const objects = [...s.objects, ...(s.steps ?? []).flatMap((st) => st.objects)];
    for (const o of objects) {
      if (o.kind !== 'EndpointSlice') continue;
      const ports = (o.ports ?? []).map((p) => p.port).filter((p): p is number => typeof p === 'number');
      for (const ip of (o.endpoints ?? []).flatMap((e) => e.addresses).filter((a) => isIP(a) !== 0)) {
        podIPs.add(ip);
        for (const p of ports) listen.add(joinHostPort(ip, p));
      }
    }
    for (const { flow } of allFlows(s)) if (flow.from === 'pod' && flow.fromIP) senders.add(flow.fromIP);
  }
  const clientPodIPs = [...senders].filter((ip) => !podIPs.has(ip));
  return { podIPs: [...podIPs].sort(), clientPodIPs: clientPodIPs.sort(), listen: [...listen].sort() };
}
