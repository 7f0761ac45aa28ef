import { isIPv4, isIPv6 } from 'node:net';

/**
 * The network an address belongs to, for spreading trust (Bitcoin Core's netgroup): one
 * operator usually holds many addresses of one group, rarely many groups. IPv4 groups are
 * /16s and IPv6 groups /32s; loopback addresses are their own group each, since tests and
 * devnets stand in for separate hosts with 127.x.y.z addresses. Names group by themselves.
 */
export function netGroup(host: string): string {
  if (isIPv4(host)) {
    if (host.startsWith('127.')) return host;
    const [a, b] = host.split('.');
    return `${a}.${b}`;
  }
  if (isIPv6(host)) {
    if (host === '::1') return host;
    const parts = host.toLowerCase().split(':');
    return `${parts[0] ?? ''}:${parts[1] ?? ''}`;
  }
  return host.toLowerCase();
}
