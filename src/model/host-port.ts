// An address and port as one string, "ip:port" or "[ip]:port" for IPv6 (Go's net.JoinHostPort): how
// endpoints and virtual servers are named in programs, logs and explain's reports alike.

export function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
