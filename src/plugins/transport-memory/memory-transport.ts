import type { Logger } from 'pino';
import { inject, injectable } from 'tsyringe';
import { assertWired } from '../../kernel/index.js';
import type { PeerAddress, Transport } from '../../kernel/index.js';
import { LOGGER } from '../../kernel/index.js';
import { TransportError } from './errors.js';
import type { MemoryNetwork } from './memory-network.js';

/** Token for the options of one `memoryTransport()` plugin value, registered beside the transport in the node's container. */
export const MEMORY_TRANSPORT_OPTIONS = Symbol('cairn.transport-memory.options');

export interface MemoryTransportOptions {
  network: MemoryNetwork;
  /** Fake host (default 127.0.0.1). */
  host?: string;
  /** Fake port; 0 or absent takes the next free one on the network. */
  port?: number;
  /** Largest message `send` accepts (default 8 MiB, as the real transports). */
  maxMessageBytes?: number;
}

const DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

/** The transport contract on a `MemoryNetwork`: no sockets, seeded loss and latency, partitions on demand. */
@injectable()
export class MemoryTransport implements Transport {
  private bound?: PeerAddress;
  private attached = false;
  private readonly handlers: Array<(from: PeerAddress, message: Buffer) => void> = [];

  constructor(
    @inject(MEMORY_TRANSPORT_OPTIONS) private readonly options: MemoryTransportOptions,
    @inject(LOGGER) private readonly log: Logger,
  ) {
    assertWired('MemoryTransport', { options, log, network: options?.network });
  }

  get address(): PeerAddress {
    if (!this.bound) throw new TransportError('TRANSPORT_NOT_STARTED', 'the memory transport has no address until it is started');
    return { ...this.bound };
  }

  onMessage(handler: (from: PeerAddress, message: Buffer) => void): void {
    this.handlers.push(handler);
  }

  start(): void {
    if (this.attached) return;
    this.bound = this.options.network.attach((from, message) => this.receive(from, message), this.options.host, this.options.port);
    this.attached = true;
  }

  stop(): void {
    if (!this.attached) return;
    this.attached = false;
    this.options.network.detach(this.bound!);
  }

  send(to: PeerAddress, message: Uint8Array): void {
    const max = this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    if (message.length > max)
      throw new TransportError('TRANSPORT_MESSAGE_TOO_LARGE', `a message of ${message.length} bytes exceeds the ${max}-byte limit`);
    if (!this.attached) return;
    this.options.network.send(this.bound!, to, message);
  }

  private receive(from: PeerAddress, message: Buffer): void {
    for (const handler of this.handlers) {
      try {
        handler({ ...from }, message);
      } catch (err) {
        this.log.error({ from: `${from.host}:${from.port}`, err: (err as Error).message }, 'message handler failed');
      }
    }
  }
}
