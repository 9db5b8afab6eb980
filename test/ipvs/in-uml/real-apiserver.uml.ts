// Inside user-mode Linux: kproxy's IPVS mode against a real kube-apiserver started in the guest from the
// folder the host prepared (KPROXY_KUBE_PREPARED, set by ipvs.flow.test.ts when the shared kube folder is
// there). iptables in the guest is the legacy back end.
import { realApiserverSuite, UML_API_PORT } from '../../kube/real-apiserver-suite.js';

const preparedDir = process.env['KPROXY_KUBE_PREPARED'];
realApiserverSuite({
  apiserverPort: UML_API_PORT,
  modes: { ipvs: ['--iptables-backend=legacy'] },
  clusterChecks: false,
  ...(preparedDir ? { preparedDir } : { skip: 'the host prepared no control plane (needs the shared kube folder)' }),
});
