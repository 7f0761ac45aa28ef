import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../src/plugins/tracker/framing.js';
import { encodeMessage, TRACKER_PROTOCOL_VERSION } from '../../../src/plugins/tracker/messages.js';
import { CHAIN_A, CHAIN_B, Harness, key, keys, waitFor } from './helpers.js';

const h = new Harness();
afterEach(() => h.close());

const local = (port: number) => ({ host: '127.0.0.1', port });
const json = (value: unknown) => encodeFrame(Buffer.from(JSON.stringify(value)));
const register = (port: number, host?: string) => ({
  type: 'register',
  version: TRACKER_PROTOCOL_VERSION,
  chainId: CHAIN_A,
  ...(host === undefined ? {} : { host }),
  port,
});

describe('junk at the tracker port', () => {
  it('never crashes the tracker, and honest clients keep getting correct lists', async () => {
    const ttlMs = 400;
    const { server, address } = await h.tracker({ ttlMs, probeSchedule: { retryMs: 20, maxRetryMs: 40, attempts: 3 } });
    const alice = await h.node({ chainId: CHAIN_A, tracker: address, ttlMs });
    const bob = await h.node({ chainId: CHAIN_A, tracker: address, ttlMs });
    await waitFor(() => alice.client.peers().length === 1 && bob.client.peers().length === 1, 'alice and bob to meet');

    const closedWith = async (bytes: Buffer | Buffer[], code: string | undefined): Promise<void> => {
      const peer = await h.raw(address);
      for (const piece of Array.isArray(bytes) ? bytes : [bytes]) peer.write(piece);
      await waitFor(() => peer.closed, `a connection sending junk expecting ${code} to be closed`);
      if (code) expect(peer.errorCodes()).toEqual([code]);
    };
    const header = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(n >>> 0);
      return b;
    };

    for (let i = 0; i < 5; i++) await closedWith(Buffer.concat([Buffer.from([0xff]), randomBytes(200)]), 'FRAME_TOO_LARGE');
    await closedWith(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), 'FRAME_TOO_LARGE');
    await closedWith(header(0xffffffff), 'FRAME_TOO_LARGE');
    await closedWith(header(0), 'FRAME_EMPTY');
    await closedWith(encodeFrame(Buffer.from('{"type":"heartbeat"')), 'MESSAGE_MALFORMED');
    await closedWith(encodeFrame(Buffer.from([0xc3, 0x28])), 'MESSAGE_MALFORMED');
    for (const wrong of [
      [],
      'register',
      42,
      null,
      { type: 'SYN' },
      { type: 'register', port: '7003' },
      { ...register(7003), __proto__: null, x: 1 },
    ]) {
      await closedWith(json(wrong), 'MESSAGE_MALFORMED');
    }
    await closedWith(json({ type: 'peers', chainId: CHAIN_A, peers: [{ ...local(6666), reachable: true }] }), 'MESSAGE_UNEXPECTED');
    await closedWith(json({ type: 'error', code: 'X', message: 'y' }), 'MESSAGE_UNEXPECTED');
    // The host is the connection's source: any claimed host, good or bad, is a malformed message.
    for (const weird of ['127.0.0.1', '255.255.255.255', '224.0.0.1', 'ff02::1', '0.0.0.0', '-rf', 'a/b', 'x'.repeat(300), ''])
      await closedWith(json(register(7003, weird)), 'MESSAGE_MALFORMED');
    await closedWith(json({ ...register(7003), chainId: 'z'.repeat(64) }), 'MESSAGE_MALFORMED');
    await closedWith(json({ ...register(7003), transport: 'carrier-pigeon' }), 'MESSAGE_MALFORMED');
    await closedWith(json({ type: 'echo', token: 'not hex' }), 'MESSAGE_MALFORMED');
    await closedWith(json({ type: 'registered', host: '127.0.0.1', port: 1, reachable: true }), 'MESSAGE_UNEXPECTED');

    // Truncated: a header promising more than ever comes, then a hang-up.
    const truncated = await h.raw(address);
    truncated.write(Buffer.concat([header(100), Buffer.from('{"type":')]));
    truncated.close();
    // Truncated and left open: the TTL ends it, a byte-trickle does not keep it alive.
    const trickle = await h.raw(address);
    trickle.write(header(50));
    const trickleTimer = setInterval(() => trickle.write(Buffer.from(' ')), 50);
    try {
      await waitFor(() => trickle.closed, 'the trickling connection to be dropped', ttlMs * 5);
    } finally {
      clearInterval(trickleTimer);
    }
    expect(trickle.errorCodes()).toEqual(['HEARTBEAT_TIMEOUT']);

    // Valid input in awkward shapes is honoured: one frame in 1-byte writes, two frames in one write.
    const dribbler = await h.raw(address);
    for (const byte of encodeMessage(register(7003) as never)) {
      dribbler.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const coalesced = await h.raw(address);
    coalesced.write(
      Buffer.concat([encodeMessage(register(7004) as never), encodeMessage({ type: 'heartbeat' }), encodeMessage({ type: 'heartbeat' })]),
    );
    // A forged echo is ignored, not an error: the connection stays.
    coalesced.send({ type: 'echo', token: 'f'.repeat(32) });

    const expected = [key(alice.address), key(bob.address), '127.0.0.1:7003', '127.0.0.1:7004'].sort();
    await waitFor(() => keys(coalesced.lastPeers()?.peers ?? []).join() === expected.join(), 'the well-formed registrations to be listed');
    await waitFor(() => coalesced.messages.filter((m) => m.type === 'heartbeat').length === 2, 'both coalesced heartbeats answered');
    // Nobody answers at 7003 and 7004: listed, but not offered to alice and bob as peers.
    await waitFor(() => alice.client.status().trackerUnreachable === 2 && bob.client.status().trackerUnreachable === 2, 'both unverified');
    expect(keys(alice.client.peers())).toEqual([key(bob.address)]);
    expect(keys(bob.client.peers())).toEqual([key(alice.address)]);
    expect(coalesced.closed).toBe(false);
    expect(server.status()).toMatchObject({ listening: true, networks: 1, peers: 4, reachable: 2 });
    expect(server.status().echoesIgnored).toBeGreaterThanOrEqual(1);
  });

  it('survives random byte streams on many connections (property)', async () => {
    const { server, address } = await h.tracker({ ttlMs: 60_000 });
    const honest = (await h.node({ chainId: CHAIN_B, tracker: address })).client;
    const other = await h.node({ chainId: CHAIN_B, tracker: address });
    await waitFor(() => honest.peers().length === 1, 'the honest pair to meet');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ minLength: 1, maxLength: 64 }), { minLength: 1, maxLength: 8 }), async (pieces) => {
        const junk = await h.raw(address);
        for (const piece of pieces) junk.write(piece);
        junk.socket.end();
        await waitFor(() => junk.closed, 'the junk connection to close');
      }),
      { numRuns: 40 },
    );
    await waitFor(() => server.status().connections === 2, 'the junk connections to be gone');
    expect(other.client.status().reachable).toBe(true);
    expect(keys(honest.peers())).toEqual([key(other.address)]);
    expect(server.status().byNetwork[CHAIN_B]).toBe(2);
  });
});
