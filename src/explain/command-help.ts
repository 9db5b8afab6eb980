// `kproxy explain --help` and `kproxy status --help`: the flags these commands add, and examples for the
// questions operators bring (a working Service, one without endpoints, externalTrafficPolicy Local on a
// node without local endpoints, a Service the model rejected).

export const EXPLAIN_HELP = `Usage: kproxy explain --to IP:PORT[/TCP|UDP|SCTP] [--source IP] [--via ADDR] [-o text|json] [kube-proxy flags]

Says what this node does with one connection, and why: which Service port the destination matches and as
what (ClusterIP, NodePort on which address, ExternalIP, load-balancer ingress, localhost NodePort) or what
happens when nothing matches; every endpoint of that port with its state and why each unused one is not
used; the scheduler and, where the source alone decides, the endpoint it picks; and what the mode's packet
tracer finds in the rendered program (kernel objects, masquerade, reject or drop). It changes nothing.

State comes from --from PATH (manifests) or the API server (--kubeconfig/--master), read once; the usual
flags apply (--proxy-mode, --hostname-override, --cluster-cidr, --nodeport-addresses, ...).

Flags:
  --to IP:PORT[/PROTO]  the destination as the client sends it ([IPv6]:PORT for IPv6); protocol TCP by default
  --source IP           the client address; default: a pod on this node (from its pod CIDR or --cluster-cidr),
                        or with --via an outside client; a node address means the node itself connects
  --via ADDR            the connection arrives from outside the node on this node address
  --live                iptables and nftables modes, as root: are the traced rules (nftables: also the set
                        and map elements) in the kernel now, with their packet counters (iptables-save -c;
                        nft list table, on the rules kproxy gives a counter); says where the kernel
                        disagrees. ipvs and userspace: refused
  -o, --output FORMAT   text (default) or json (for scripts; carries "version": 1)

Examples:
  # A working Service: the match, every endpoint with its state, the pick
  kproxy explain --from manifests/ --hostname-override node-a --to 10.96.0.20:80
    service:    default/web:http (type ClusterIP), matched as ClusterIP 10.96.0.20:80
      used     10.244.0.5:8080        ready,serving,local
      not used 10.244.1.6:8080        not-ready,not-serving,node=node-b: not ready
    expected:   answered: 2 usable endpoint(s) under traffic policy Cluster

  # A Service with no endpoints: every connection is rejected
  kproxy explain --from manifests/ --to 10.96.0.30:80
    endpoints:  none (no EndpointSlice lists an endpoint for this port)
    expected:   rejected: the port has no usable endpoint anywhere ...

  # externalTrafficPolicy Local on a node without local endpoints: traffic from outside is dropped
  kproxy explain --from manifests/ --hostname-override node-b --via 192.0.2.11 --to 192.0.2.11:30080
      not used 10.244.0.8:8080        ready,serving,node=node-a: traffic policy Local and not on this node ...
    expected:   dropped: traffic policy Local and no usable endpoint on this node ("node-b") ...

  # A Service the model rejected: the input error, and that nothing serves the address
  kproxy explain --from manifests/ --to 10.96.0.40:80
    service:    none matches
    rejected:   Service default/broken claims this destination but the model rejected it:
      manifests/broken.yaml: Service default/broken: spec.ports[0].targetPort: got 70000, must be ...

  # --live in nftables mode (root): the traced chains, rules and elements in the kernel, with counters
  kproxy explain --from manifests/ --proxy-mode nftables --hostname-override node-a --to 10.96.0.20:80 --live
    live:       every traced rule is in the kernel
      [present, not counted] service-ips: 10.96.0.20 . tcp . 80 : goto cluster-ip-random-2
      [1 packets, 60 bytes] ip kproxy cluster-ip-random-2: meta l4proto tcp counter dnat ip to ...
`;

export const STATUS_HELP = `Usage: kproxy status [--from PATH | --kubeconfig FILE] [--metrics-bind-address ADDR] [-o text|json]

One line per service port: addresses, endpoints ready/serving/terminating/local, scheduler, when a change to
it was last applied, and the input errors for its Service; then the errors no port owns.

With --from or --kubeconfig/--master the state is read directly (nothing applied yet). Otherwise the
running kproxy is asked at http://METRICS-ADDRESS/status (--metrics-bind-address, default
127.0.0.1:10249), which shows what is in force.

Example:
  kproxy status --from manifests/ --hostname-override node-a
  kproxy status -o json
`;
