// A stand-in "proxy" for the harness self-test: plain iptables DNAT rules written by hand, no kproxy. With
// the right rules a scenario's flows must be answered; with none the same flows must fail. That proves the
// lab, backend, client and judging can tell a working data plane from a missing one.

import { spawnSync } from 'node:child_process';
import type { Lab } from '../../src/lab/node-lab.js';
import { splitHostPort } from '../../src/lab/flow-wire.js';
import type { ModeAdapter, RunningProxy } from './mode-adapter.js';

export interface DnatRule {
  proto: 'tcp' | 'udp';
  /** The service address to capture (IP:PORT). */
  from: string;
  /** Where to send it (podIP:port). */
  to: string;
}

export class StaticDnatAdapter implements ModeAdapter {
  readonly mode = 'static-dnat';
  readonly stateCommands = [['iptables-save']] as const;

  constructor(private readonly rules: readonly DnatRule[]) {}

  requirements(): string | undefined {
    return spawnSync('sh', ['-c', 'command -v iptables'], { stdio: 'ignore' }).status === 0 ? undefined : 'needs iptables';
  }

  async start(lab: Lab): Promise<RunningProxy> {
    const installed: string[] = [];
    for (const r of this.rules) {
      const svc = splitHostPort(r.from, 'DnatRule.from');
      const args = ['-t', 'nat', '-A', 'PREROUTING', '-p', r.proto, '-d', svc.ip, '--dport', String(svc.port), '-j', 'DNAT', '--to-destination', r.to];
      await lab.exec('node', 'iptables', args);
      installed.push(`iptables ${args.join(' ')}`);
    }
    return {
      waitForSync: async () => undefined, // the rules are in force once iptables returned
      stop: async () => {
        await lab.exec('node', 'iptables', ['-t', 'nat', '-F', 'PREROUTING']);
      },
      logs: () => (installed.length > 0 ? installed.join('\n') : '(no rules installed)'),
    };
  }
}
