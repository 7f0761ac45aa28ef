import type { Logger } from 'pino';
import type { Clock, Discovery, PeerAddress, Transport } from '../services.js';
import type { AddressBook } from './address-book.js';
import type { EdgeCounters } from './edge-counters.js';
import type { HandshakeKeys } from './handshake-keys.js';
import {
  DecodeError,
  decodeHandshake,
  encodeHandshake,
  encodeSession,
  PROTOCOL_VERSION,
  type Hello,
  type SessionMessage,
} from './messages.js';
import type { PeerBook, PeerState } from './peer-book.js';

/** What the handshake needs of the node: its chain claim, and what to do with a new or failed peer. */
export interface HandshakeLink {
  chainClaim(): { version: number; chainId: string; tip: string; height: number; work: string };
  /** A peer's claim arrived (hello, hello-ack, status): returns false when it is for another chain (the peer was blamed). */
  onClaim(peer: PeerState, claim: { version: number; chainId: string; tip: string; height: number; work: string }): boolean;
  isSelf(address: PeerAddress): boolean;
}

/** Challenges per second to unproven sources, all together: bounds the CPU a flood of hellos can take. */
const CHALLENGES_PER_SECOND = 2000;
/** A source without a session gets a challenge for its session frames at most this often. */
const LOST_SESSION_EVERY_MS = 1000;
const LOST_SESSION_SOURCES = 1024;
/** We re-send our hello to a peer that says it lost our session at most this often. */
const REHELLO_EVERY_MS = 2000;

/**
 * The proof of address, both ways, in one and a half round trips:
 *
 *     A → B  hello {claim, nonce=N_A(B)}                     (handshake frame)
 *     B → A  challenge {cookie=C_B(A), echo=N_A(B)}          (smaller than the hello)
 *     A → B  hello {claim, nonce, cookie=C_B(A), session=S_A}
 *     B → A  [S_A] hello-ack {claim, session=S_B}            (session frame)
 *
 * A knows B receives at its address when the echo matches the nonce it sent there; B knows
 * A does when the cookie matches. Until a source has echoed a cookie it gets nothing larger
 * than what it sent, leaves no state (cookies and nonces are keyed hashes of the address and
 * the minute) and is charged nothing: any source address can be spoofed. From then on every
 * message travels in a session frame carrying the token the receiver chose, so a spoofed
 * datagram "from" a peer is dropped before it is parsed and never costs that peer score.
 */
export class Handshake {
  private challengeTokens = CHALLENGES_PER_SECOND;
  private challengeAt = 0;
  private readonly lostSessionAt = new Map<string, number>();

  constructor(
    private readonly keys: HandshakeKeys,
    private readonly book: PeerBook,
    private readonly addresses: AddressBook,
    private readonly transport: Transport,
    private readonly discovery: Discovery,
    private readonly clock: Clock,
    private readonly counters: EdgeCounters,
    private readonly log: Logger,
    private readonly link: HandshakeLink,
  ) {}

  /** Our first hello to an address (a dial): the reply must echo its nonce. */
  greet(address: PeerAddress): void {
    this.transport.send(address, encodeHandshake({ t: 'hello', ...this.link.chainClaim(), nonce: this.keys.nonce(address) }));
  }

  /** A handshake frame from anyone. */
  receive(from: PeerAddress, body: Buffer): void {
    let message;
    try {
      message = decodeHandshake(body);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      this.counters.badHandshakes++;
      return;
    }
    switch (message.t) {
      case 'hello':
        return this.onHello(from, message, body.length);
      case 'challenge':
        return this.onChallenge(from, message.cookie, message.echo);
      case 'probe':
        this.counters.probes++;
        return this.discovery.probed?.(message.token, from);
    }
  }

  /** A session frame from an address we hold no session with (or with a wrong token). */
  lostSession(from: PeerAddress, received: number): void {
    this.counters.unproven++;
    const key = `${from.host}:${from.port}`;
    const now = this.clock.now();
    const last = this.lostSessionAt.get(key) ?? 0;
    if (now - last < LOST_SESSION_EVERY_MS) return;
    if (this.lostSessionAt.size >= LOST_SESSION_SOURCES) this.lostSessionAt.delete(this.lostSessionAt.keys().next().value!);
    this.lostSessionAt.delete(key);
    this.lostSessionAt.set(key, now);
    // A peer that restarted forgot our session: the challenge lets it prove itself again in one trip.
    this.challenge(from, received);
  }

  private onHello(from: PeerAddress, hello: Hello, received: number): void {
    if (this.link.isSelf(from)) return;
    if (!this.keys.isCookie(from, hello.cookie) || hello.session === undefined) {
      this.challenge(from, received, hello.nonce);
      return;
    }
    // Proven: the source received our challenge at its address.
    const discovered = this.addresses.isDiscovered(from);
    const peer = this.book.open(from, discovered ? 'outbound' : 'inbound', discovered);
    if (!peer) {
      if (!this.book.isBanned(`${from.host}:${from.port}`)) this.counters.slotsFull++;
      return;
    }
    peer.present = Buffer.from(hello.session, 'hex');
    peer.lastHeard = this.clock.now();
    if (!this.link.onClaim(peer, hello)) return;
    this.sendSession(peer, { t: 'hello-ack', ...this.link.chainClaim(), session: peer.expect.toString('hex') });
  }

  private onChallenge(from: PeerAddress, cookie: string, echo: string | undefined): void {
    const existing = this.book.get(from);
    if (this.keys.isNonce(from, echo)) {
      // The echo proves the source received our hello: it is who we dialled.
      const peer = existing ?? this.book.open(from, 'outbound', this.addresses.isDiscovered(from));
      if (!peer) {
        this.counters.slotsFull++;
        return;
      }
      this.proveTo(peer, from, cookie);
      return;
    }
    // No echo: a peer of ours that restarted (or a spoof; either way we only resend our hello, rarely).
    if (!existing) return;
    const now = this.clock.now();
    if (now - existing.lastRehello < REHELLO_EVERY_MS) return;
    existing.lastRehello = now;
    this.proveTo(existing, from, cookie);
  }

  private proveTo(peer: PeerState, to: PeerAddress, cookie: string): void {
    const hello: Hello = {
      t: 'hello',
      ...this.link.chainClaim(),
      nonce: this.keys.nonce(to),
      cookie,
      session: peer.expect.toString('hex'),
    };
    this.transport.send(to, encodeHandshake(hello));
  }

  /** A challenge only when it is no larger than what the source sent, and within the global rate. */
  private challenge(to: PeerAddress, received: number, echo?: string): void {
    const bytes = encodeHandshake({ t: 'challenge', cookie: this.keys.cookie(to), ...(echo ? { echo } : {}) });
    if (bytes.length > received || !this.takeChallengeToken()) {
      this.counters.amplificationGuard++;
      return;
    }
    this.counters.challenges++;
    this.transport.send(to, bytes);
  }

  private takeChallengeToken(): boolean {
    const now = this.clock.now();
    this.challengeTokens = Math.min(
      CHALLENGES_PER_SECOND,
      this.challengeTokens + ((now - this.challengeAt) / 1000) * CHALLENGES_PER_SECOND,
    );
    this.challengeAt = now;
    if (this.challengeTokens < 1) return false;
    this.challengeTokens--;
    return true;
  }

  sendSession(peer: PeerState, message: SessionMessage): void {
    if (peer.present) this.transport.send(peer.address, encodeSession(peer.present, message));
  }

  /** The claim a hello carries: the version check is the chain check's twin. */
  static speaksOurs(claim: { version: number; chainId: string }, chainId: string): boolean {
    return claim.version === PROTOCOL_VERSION && claim.chainId === chainId;
  }
}
