import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { PeerAddress, Transport } from '../../../src/kernel/services.js';

export interface TransportPair {
  /** Two transports, not yet started. */
  a: Transport;
  b: Transport;
  /** A new, unstarted transport at `address`: proves a stopped transport gave its address back. */
  create(address: PeerAddress): Transport;
  /** An address nothing listens on. */
  deadAddress(): Promise<PeerAddress>;
}

export interface Received {
  from: PeerAddress;
  message: Buffer;
}

export function collect(transport: Transport): Received[] {
  const got: Received[] = [];
  transport.onMessage((from, message) => got.push({ from, message }));
  return got;
}

export async function until(condition: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The properties every transport must have, whatever carries its bytes. */
export function describeTransportCompliance(name: string, makePair: () => Promise<TransportPair>): void {
  describe(`${name} transport compliance`, () => {
    const opened: Transport[] = [];
    const open = async (t: Transport) => {
      opened.push(t);
      await t.start?.();
      return t;
    };

    afterEach(async () => {
      for (const t of opened.splice(0)) await t.stop?.();
    });

    it('delivers a small message, and a reply to its `from` reaches the sender', async () => {
      const { a, b } = await makePair();
      await open(a);
      await open(b);
      const got = collect(b);
      a.send(b.address, Buffer.from('hello'));
      await until(() => got.length === 1, 10_000, 'the message');
      expect(got[0]!.message.toString()).toBe('hello');
      // `from` names whatever replies reach: the listening address on UDP, the connection on TCP.
      expect(got[0]!.from.host).toBe(a.address.host);
      // and back, to the address it came from
      const back = collect(a);
      b.send(got[0]!.from, Buffer.from('hi'));
      await until(() => back.length === 1, 10_000, 'the reply');
      expect(back[0]!.message.toString()).toBe('hi');
    });

    it('delivers an empty message', async () => {
      const { a, b } = await makePair();
      await open(a);
      await open(b);
      const got = collect(b);
      a.send(b.address, new Uint8Array(0));
      await until(() => got.length === 1, 10_000, 'the empty message');
      expect(got[0]!.message.length).toBe(0);
    });

    it('delivers a 2 MiB message intact, once', async () => {
      const { a, b } = await makePair();
      await open(a);
      await open(b);
      const got = collect(b);
      const message = randomBytes(2 * 1024 * 1024);
      a.send(b.address, message);
      await until(() => got.length === 1, 20_000, 'the 2 MiB message');
      expect(got[0]!.message.equals(message)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(got.length).toBe(1);
    });

    it('delivers all of a burst of 200 messages', async () => {
      const { a, b } = await makePair();
      await open(a);
      await open(b);
      const got = collect(b);
      for (let i = 0; i < 200; i++) a.send(b.address, Buffer.from(`message ${i} `.repeat(1 + (i % 50))));
      await until(() => got.length === 200, 20_000, '200 messages');
      const texts = new Set(got.map((r) => r.message.toString().split(' ')[1]));
      expect(texts.size).toBe(200);
    });

    it('stops idempotently and gives its address back', async () => {
      const { a, b, create } = await makePair();
      await open(a);
      await open(b);
      const address = a.address;
      await Promise.all([a.stop?.(), a.stop?.()]);
      await a.stop?.();
      const again = await open(create(address));
      expect(again.address).toEqual(address);
      const got = collect(again);
      b.send(address, Buffer.from('after restart'));
      await until(() => got.length === 1, 10_000, 'a message to the new transport');
      expect(got[0]!.message.toString()).toBe('after restart');
    });

    it('starts idempotently', async () => {
      const { a } = await makePair();
      await Promise.all([open(a), a.start?.()]);
      await a.start?.();
      expect(a.address.port).toBeGreaterThan(0);
    });

    it('does not throw when sending to a dead address, and keeps working', async () => {
      const { a, b, deadAddress } = await makePair();
      await open(a);
      await open(b);
      const dead = await deadAddress();
      expect(() => a.send(dead, Buffer.from('nobody'))).not.toThrow();
      expect(() => a.send(dead, randomBytes(300_000))).not.toThrow();
      const got = collect(b);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(() => a.send(dead, Buffer.from('nobody again'))).not.toThrow();
      a.send(b.address, Buffer.from('somebody'));
      await until(() => got.length === 1, 10_000, 'the message to a live peer');
    });

    it('refuses a message over its size limit with a coded error', async () => {
      const { a, b } = await makePair();
      await open(a);
      await open(b);
      expect(() => a.send(b.address, new Uint8Array(8 * 1024 * 1024 + 1))).toThrow(
        expect.objectContaining({ code: 'TRANSPORT_MESSAGE_TOO_LARGE' }),
      );
    });

    it('does not throw when sending after stop', async () => {
      const { a, b } = await makePair();
      await open(a);
      await open(b);
      const to = b.address;
      await a.stop?.();
      expect(() => a.send(to, Buffer.from('late'))).not.toThrow();
    });
  });
}
