import { isIP } from 'node:net';
import { pino, type Logger } from 'pino';
import type { PeerAddress, Transport } from '../../kernel/index.js';
import type { TransportKind } from './messages.js';

/** Where a reachability probe goes: the registration's address, over the transport it registered. */
export interface ProbeTarget extends PeerAddress {
  transport: TransportKind;
}

/** Sends one probe (an encoded gossip `probe` message); must not throw and may drop: the tracker retries. */
export type ProbeSender = (target: ProbeTarget, bytes: Uint8Array) => void;

/**
 * Makes a standalone transport of a kind, bound to `host` on a free port. The tracker plugin
 * does not import the transport plugins (a plugin imports no other plugin); whoever assembles a
 * tracker hands it this (the CLI's is `openProbeTransport` in src/cli/probe-transports.ts).
 */
export type ProbeTransportFactory = (kind: TransportKind, host: string, log: Logger) => ProbeTransport;

/** What the prober uses of a transport. */
export interface ProbeTransport {
  start(): Promise<void>;
  stop(): Promise<void>;
  send: Transport['send'];
}

export interface TransportProberOptions {
  open: ProbeTransportFactory;
  logger?: Logger;
  /** How long a TCP probe's connection is kept open for the bytes to get out (default 3 s). */
  tcpLingerMs?: number;
  /** TCP probes in flight at once; more are dropped until one finishes (default 64). */
  maxTcpProbes?: number;
}

/**
 * Sends reachability probes the way a peer would: through cairn's own transports, so a probe
 * arrives framed exactly like gossip and the node's `Network` hands it to its discovery.
 *
 * UDP: one standalone `UdpTransport` per address family, bound to the tracker's host, so the
 * probe comes from the host clients dialled (a client accepts probes only from there).
 * TCP: a `TcpTransport` per probe, stopped after a short linger, because the transport keeps
 * every connection it dials and a tracker must not hold one open to each TCP member.
 */
export class TransportProber {
  private readonly log: Logger;
  private readonly tcpLingerMs: number;
  private readonly maxTcpProbes: number;
  private readonly open: ProbeTransportFactory;
  private readonly udp = new Map<4 | 6, ProbeTransport>();
  private readonly tcp = new Set<ProbeTransport>();
  private host = '127.0.0.1';
  private stopped = false;
  private counters = { sent: 0, dropped: 0 };

  constructor(options: TransportProberOptions) {
    this.open = options.open;
    this.log = options.logger ?? pino({ level: 'silent' });
    this.tcpLingerMs = options.tcpLingerMs ?? 3000;
    this.maxTcpProbes = options.maxTcpProbes ?? 64;
  }

  /**
   * Binds the UDP sockets. `host` is the tracker's bound address (an IP literal): a specific
   * address is used for its family; `0.0.0.0` / `::` mean every interface, `::` of both families.
   */
  async start(host: string): Promise<void> {
    this.host = host;
    const family = isIP(host);
    const binds: Array<[4 | 6, string]> =
      family === 6
        ? host === '::'
          ? [
              [4, '0.0.0.0'],
              [6, '::'],
            ]
          : [[6, host]]
        : [[4, family === 4 ? host : '0.0.0.0']];
    for (const [fam, bindHost] of binds) {
      const transport = this.open('udp', bindHost, this.log);
      try {
        await transport.start();
        this.udp.set(fam, transport);
      } catch (err) {
        // A machine without IPv6 still probes IPv4 members; with no socket at all nothing is verified.
        if (binds.length === 1) throw err;
        this.log.warn({ host: bindHost, err: (err as Error).message }, 'no probe socket for this address family');
      }
    }
  }

  /** Bound as an arrow so it can be handed to the server as its `probe` function. */
  readonly send: ProbeSender = (target, bytes) => {
    if (this.stopped) return;
    try {
      if (target.transport === 'tcp') this.sendTcp(target, bytes);
      else this.sendUdp(target, bytes);
    } catch (err) {
      this.counters.dropped++;
      this.log.debug({ to: `${target.host}:${target.port}`, err: (err as Error).message }, 'probe not sent');
    }
  };

  stats(): { sent: number; dropped: number; tcpInFlight: number } {
    return { ...this.counters, tcpInFlight: this.tcp.size };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.udp.values(), ...this.tcp].map((t) => t.stop()));
    this.udp.clear();
    this.tcp.clear();
  }

  private sendUdp(target: ProbeTarget, bytes: Uint8Array): void {
    const transport = this.udp.get(isIP(target.host) === 6 ? 6 : 4);
    if (!transport) {
      this.counters.dropped++;
      return;
    }
    transport.send({ host: target.host, port: target.port }, bytes);
    this.counters.sent++;
  }

  private sendTcp(target: ProbeTarget, bytes: Uint8Array): void {
    if (this.tcp.size >= this.maxTcpProbes) {
      this.counters.dropped++;
      return;
    }
    const sameFamily = isIP(this.host) === isIP(target.host) || (isIP(this.host) === 6 && this.host === '::');
    const bindHost = sameFamily ? this.host : isIP(target.host) === 6 ? '::' : '0.0.0.0';
    const transport = this.open('tcp', bindHost, this.log);
    this.tcp.add(transport);
    const finish = (): void => {
      this.tcp.delete(transport);
      void transport.stop().catch(() => undefined);
    };
    transport
      .start()
      .then(() => {
        if (this.stopped) return finish();
        transport.send({ host: target.host, port: target.port }, bytes);
        this.counters.sent++;
        setTimeout(finish, this.tcpLingerMs).unref();
      })
      .catch((err: unknown) => {
        this.log.debug({ err: (err as Error).message }, 'no TCP probe transport');
        finish();
      });
  }
}
