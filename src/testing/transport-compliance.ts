import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { PeerAddress, Transport } from '../kernel/index.js';
import { codeOf, sleep, waitUntil, type ComplianceTestApi } from './compliance-api.js';

export interface TransportPair {
  /** Two transports, not yet started, that can reach each other. */
  a: Transport;
  b: Transport;
  /** A new, unstarted transport at `address`: proves a stopped transport gave its address back. */
  create(address: PeerAddress): Transport;
  /** An address nothing listens on. */
  deadAddress(): Promise<PeerAddress>;
}

export interface ReceivedMessage {
  from: PeerAddress;
  message: Buffer;
}

/** Every message `transport` hands to its handlers from now on, in arrival order. */
export function collectMessages(transport: Transport): ReceivedMessage[] {
  const got: ReceivedMessage[] = [];
  transport.onMessage((from, message) => got.push({ from, message }));
  return got;
}

/** The largest message the kernel sends is well under this; anything over it is the caller's bug. */
const SIZE_LIMIT = 8 * 1024 * 1024;
const SLOW_MS = 30_000;

/**
 * The properties every transport must have, whatever carries its bytes. `makePair` is called
 * once per case; every transport a case starts is stopped at its end, whatever happened.
 */
export function describeTransportCompliance(test: ComplianceTestApi, name: string, makePair: () => Promise<TransportPair>): void {
  const { describe, it } = test;

  const withPair = (body: (pair: TransportPair, open: (t: Transport) => Promise<Transport>) => Promise<void>) => async () => {
    const opened: Transport[] = [];
    const open = async (t: Transport) => {
      opened.push(t);
      await t.start?.();
      return t;
    };
    try {
      await body(await makePair(), open);
    } finally {
      for (const t of opened) await t.stop?.();
    }
  };

  describe(`${name} keeps the Transport contract`, () => {
    it(
      'delivers a small message, and a reply to its `from` reaches the sender',
      withPair(async ({ a, b }, open) => {
        await open(a);
        await open(b);
        const got = collectMessages(b);
        a.send(b.address, Buffer.from('hello'));
        await waitUntil(() => got.length === 1, 'the message', 10_000);
        assert.equal(got[0]!.message.toString(), 'hello');
        // `from` names whatever replies reach: the listening address on UDP, the connection on TCP.
        assert.equal(got[0]!.from.host, a.address.host);
        const back = collectMessages(a);
        b.send(got[0]!.from, Buffer.from('hi'));
        await waitUntil(() => back.length === 1, 'the reply', 10_000);
        assert.equal(back[0]!.message.toString(), 'hi');
      }),
    );

    it(
      'delivers an empty message',
      withPair(async ({ a, b }, open) => {
        await open(a);
        await open(b);
        const got = collectMessages(b);
        a.send(b.address, new Uint8Array(0));
        await waitUntil(() => got.length === 1, 'the empty message', 10_000);
        assert.equal(got[0]!.message.length, 0);
      }),
    );

    it(
      'sends the bytes of a view, not of the buffer under it',
      withPair(async ({ a, b }, open) => {
        await open(a);
        await open(b);
        const got = collectMessages(b);
        const whole = Buffer.from('0123456789abcdefghij');
        a.send(b.address, new Uint8Array(whole.buffer, whole.byteOffset + 5, 10));
        await waitUntil(() => got.length === 1, 'the view', 10_000);
        assert.equal(got[0]!.message.toString(), '56789abcde');
      }),
    );

    it(
      'delivers a 2 MiB message intact, once',
      withPair(async ({ a, b }, open) => {
        await open(a);
        await open(b);
        const got = collectMessages(b);
        const message = randomBytes(2 * 1024 * 1024);
        a.send(b.address, message);
        await waitUntil(() => got.length === 1, 'the 2 MiB message');
        assert.ok(got[0]!.message.equals(message), 'the 2 MiB message arrived changed');
        await sleep(200);
        assert.equal(got.length, 1);
      }),
      SLOW_MS,
    );

    it(
      'delivers all of a burst of 200 messages',
      withPair(async ({ a, b }, open) => {
        await open(a);
        await open(b);
        const got = collectMessages(b);
        for (let i = 0; i < 200; i++) a.send(b.address, Buffer.from(`message ${i} `.repeat(1 + (i % 50))));
        await waitUntil(() => got.length === 200, '200 messages');
        const numbers = new Set(got.map((r) => r.message.toString().split(' ')[1]));
        assert.equal(numbers.size, 200);
      }),
      SLOW_MS,
    );

    it(
      'stops idempotently and gives its address back',
      withPair(async ({ a, b, create }, open) => {
        await open(a);
        await open(b);
        const address = a.address;
        await Promise.all([a.stop?.(), a.stop?.()]);
        await a.stop?.();
        const again = await open(create(address));
        assert.deepEqual(again.address, address);
        const got = collectMessages(again);
        b.send(address, Buffer.from('after restart'));
        await waitUntil(() => got.length === 1, 'a message to the new transport', 10_000);
        assert.equal(got[0]!.message.toString(), 'after restart');
      }),
    );

    it(
      'starts idempotently, and knows its port once started',
      withPair(async ({ a }, open) => {
        await Promise.all([open(a), a.start?.()]);
        await a.start?.();
        assert.ok(a.address.port > 0, `port ${a.address.port} after start`);
      }),
    );

    it(
      'does not throw when sending to a dead address, and keeps working',
      withPair(async ({ a, b, deadAddress }, open) => {
        await open(a);
        await open(b);
        const dead = await deadAddress();
        assert.doesNotThrow(() => a.send(dead, Buffer.from('nobody')));
        assert.doesNotThrow(() => a.send(dead, randomBytes(300_000)));
        const got = collectMessages(b);
        await sleep(100);
        assert.doesNotThrow(() => a.send(dead, Buffer.from('nobody again')));
        a.send(b.address, Buffer.from('somebody'));
        await waitUntil(() => got.length === 1, 'the message to a live peer', 10_000);
      }),
    );

    it(
      'refuses a message over its size limit with TRANSPORT_MESSAGE_TOO_LARGE',
      withPair(async ({ a, b }, open) => {
        await open(a);
        await open(b);
        assert.throws(
          () => a.send(b.address, new Uint8Array(SIZE_LIMIT + 1)),
          (err: unknown) => codeOf(err) === 'TRANSPORT_MESSAGE_TOO_LARGE',
        );
      }),
    );

    it(
      'does not throw when sending after stop',
      withPair(async ({ a, b }, open) => {
        await open(a);
        await open(b);
        const to = b.address;
        await a.stop?.();
        assert.doesNotThrow(() => a.send(to, Buffer.from('late')));
      }),
    );
  });
}
