import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock, PeerAddress } from '../services.js';
import { TOKEN_BYTES } from './messages.js';

/** Cookies and nonces are valid in the epoch they were made and the next one. */
const EPOCH_MS = 60_000;

/**
 * The stateless half of the handshake (DTLS's HelloVerifyRequest cookie, QUIC's Retry
 * token): a value only this node can compute for one address and one minute. A cookie sent
 * to an address and echoed back proves the sender receives there; the node keeps nothing for
 * the address meanwhile, so a flood of spoofed hellos costs it no memory. The key is random
 * per process: a restart invalidates every outstanding cookie, which costs one round trip.
 */
export class HandshakeKeys {
  private readonly key = randomBytes(32);

  constructor(private readonly clock: Clock) {}

  /** What we ask an unproven source to echo (in our challenge). */
  cookie(address: PeerAddress): string {
    return this.mac('cookie', address, this.epoch()).toString('hex');
  }

  /** The challenge in our hello to `address`: its reply must echo it. */
  nonce(address: PeerAddress): string {
    return this.mac('nonce', address, this.epoch()).toString('hex');
  }

  isCookie(address: PeerAddress, value: string | undefined): boolean {
    return this.matches('cookie', address, value);
  }

  isNonce(address: PeerAddress, value: string | undefined): boolean {
    return this.matches('nonce', address, value);
  }

  private matches(label: string, address: PeerAddress, value: string | undefined): boolean {
    if (value === undefined || value.length !== TOKEN_BYTES * 2) return false;
    const given = Buffer.from(value, 'hex');
    const epoch = this.epoch();
    return timingSafeEqual(given, this.mac(label, address, epoch)) || timingSafeEqual(given, this.mac(label, address, epoch - 1));
  }

  private epoch(): number {
    return Math.floor(this.clock.now() / EPOCH_MS);
  }

  private mac(label: string, address: PeerAddress, epoch: number): Buffer {
    return createHmac('sha256', this.key).update(`${label}|${address.host}|${address.port}|${epoch}`).digest().subarray(0, TOKEN_BYTES);
  }
}

/** A fresh session token: what a peer must put in every session frame it sends us. */
export function newSessionToken(): Buffer {
  return randomBytes(TOKEN_BYTES);
}
