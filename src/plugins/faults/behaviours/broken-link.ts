import { noArg } from '../args.js';
import { randomHex } from '../rng.js';
import type { FaultBehaviour } from '../types.js';
import { inflatedClaim, inflatedStatus } from './claims.js';
import { ACT_MS } from './forged-blocks.js';

const CLAIMED_BLOCKS = 3;

/**
 * The original's second bad chain (which its script never managed to send): a chain whose
 * hash links are broken. The node claims more work than it has, and answers the headers
 * request that claim provokes with its real recent headers followed by one whose `prev` is
 * not the hash of the header before it.
 */
export const brokenLink: FaultBehaviour<undefined> = {
  name: 'broken-link',
  group: 'chain',
  summary: 'Claims a heavier chain and answers headers requests with a chain whose hash link is broken.',
  honestReaction:
    'Checks every header links to the one before it before fetching any body; rejects the run (HEADERS_INVALID) and bans the sender.',
  codes: ['HEADERS_INVALID'],
  bans: true,
  needs: ['network'],
  parse: noArg('broken-link'),
  install(ctx) {
    const chain = ctx.chain;
    ctx.transport.onOutbound((_to, m) =>
      m.t === 'status' || m.t === 'hello-ack' ? { ...m, ...inflatedClaim(chain, CLAIMED_BLOCKS) } : undefined,
    );
    ctx.transport.onInbound((from, m) => {
      if (m.t !== 'getheaders') return false;
      const peer = ctx.network.book.get(from);
      if (!peer) return true;
      const reader = chain.reader;
      const tip = chain.tip();
      const headers: unknown[] = [];
      for (let h = Math.max(1, tip.height - 2); h <= tip.height; h++) headers.push(reader.header(reader.hashAt(h)!)!);
      let prevHeader = tip.header;
      for (let i = 0; i < CLAIMED_BLOCKS; i++) {
        const header = {
          ...prevHeader,
          height: prevHeader.height + 1,
          prev: randomHex(ctx.random, 32),
          time: prevHeader.time + 1,
          nonce: 0,
        };
        headers.push(header);
        prevHeader = header;
      }
      ctx.send(peer, { t: 'headers', headers });
      return true;
    });
    ctx.everyPeer(ACT_MS, (peer) => ctx.send(peer, inflatedStatus(chain, CLAIMED_BLOCKS)));
  },
};
