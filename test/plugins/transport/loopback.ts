import dgram from 'node:dgram';
import type { PeerAddress } from '../../../src/kernel/services.js';
import { seededRandom } from '../../../src/kernel/seeded-random.js';
import { waitUntil } from '../../../src/testing/index.js';

/** A free UDP port on loopback: bound, read, released. */
export async function deadUdpAddress(): Promise<PeerAddress> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return { host: '127.0.0.1', port };
}

export interface LossyProxyOptions {
  loss: number;
  duplicate?: number;
  /** Probability that a datagram is held back 1-5 ms, so later ones overtake it. */
  reorder?: number;
  seed?: number;
}

/**
 * A UDP relay between two endpoints on loopback that loses, duplicates and reorders datagrams in
 * both directions (NACKs too). Each endpoint sends to the proxy's address and sees the proxy as
 * its peer, so the transports under test run unmodified over a bad link.
 */
export class LossyProxy {
  private readonly socket = dgram.createSocket('udp4');
  private readonly random: () => number;
  private readonly timers = new Set<NodeJS.Timeout>();
  forwarded = 0;
  lost = 0;

  constructor(
    private readonly left: PeerAddress,
    private readonly right: PeerAddress,
    private readonly options: LossyProxyOptions,
  ) {
    this.random = seededRandom(options.seed ?? 1);
  }

  async start(): Promise<PeerAddress> {
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', resolve));
    this.socket.setRecvBufferSize(4 * 1024 * 1024);
    this.socket.setSendBufferSize(4 * 1024 * 1024);
    this.socket.on('message', (buf, rinfo) => {
      const to = rinfo.port === this.left.port ? this.right : rinfo.port === this.right.port ? this.left : undefined;
      if (!to) return;
      if (this.random() < this.options.loss) {
        this.lost++;
        return;
      }
      const copies = this.random() < (this.options.duplicate ?? 0) ? 2 : 1;
      for (let i = 0; i < copies; i++) {
        if (this.random() < (this.options.reorder ?? 0)) {
          const timer = setTimeout(
            () => {
              this.timers.delete(timer);
              this.forward(buf, to);
            },
            1 + Math.floor(this.random() * 5),
          );
          this.timers.add(timer);
        } else this.forward(buf, to);
      }
    });
    return { host: '127.0.0.1', port: this.socket.address().port };
  }

  private forward(buf: Buffer, to: PeerAddress): void {
    this.forwarded++;
    this.socket.send(buf, to.port, to.host);
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}

/** Polls until `condition` holds, with the argument order these transport tests were written in. */
export function until(condition: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  return waitUntil(condition, what, timeoutMs);
}
