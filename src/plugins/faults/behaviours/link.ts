import { delay, peerList, probability, type Delay } from '../args.js';
import type { LinkFaults } from '../faulty-transport.js';
import type { FaultBehaviour } from '../types.js';

/** A condition on every link of this node, applied to each whole message it sends and receives. */
function linkFault<A>(spec: {
  name: string;
  arg: string;
  summary: string;
  honestReaction: string;
  codes?: string[];
  bans?: boolean;
  parse(arg: string | undefined): A;
  apply(link: LinkFaults, arg: A): void;
}): FaultBehaviour<A> {
  return {
    name: spec.name,
    group: 'network',
    arg: spec.arg,
    summary: spec.summary,
    honestReaction: spec.honestReaction,
    codes: spec.codes ?? [],
    bans: spec.bans ?? false,
    needs: ['transport'],
    parse: spec.parse,
    install: (ctx, arg) => spec.apply(ctx.transport.link, arg),
  };
}

export const drop = linkFault({
  name: 'drop',
  arg: 'P',
  summary: 'Loses each message it sends or receives with probability P (0.2 or 20%).',
  honestReaction:
    'Re-requests what it misses (stalled pages after 4 s, hellos every 5 s, parents of orphans); the network still agrees. No penalty beyond STALL.',
  parse: probability('drop'),
  apply: (link, p) => void (link.drop = p),
});

export const delayFault = linkFault<Delay>({
  name: 'delay',
  arg: 'MS[±J]',
  summary: 'Holds each message it sends or receives for MS milliseconds, give or take J.',
  honestReaction: 'Nothing to punish: late blocks are judged like any others and the network agrees once they land.',
  parse: delay('delay'),
  apply: (link, d) => {
    link.delayMs = d.ms;
    link.jitterMs = d.jitterMs;
  },
});

export const duplicate = linkFault({
  name: 'duplicate',
  arg: 'P',
  summary: 'Delivers each message it sends or receives twice with probability P.',
  honestReaction: 'Ignores the second copy (a known block or transaction is dropped quietly, BLOCK_KNOWN / TX_KNOWN, free).',
  parse: probability('duplicate'),
  apply: (link, p) => void (link.duplicate = p),
});

export const reorder = linkFault({
  name: 'reorder',
  arg: 'P',
  summary: 'Holds back each message with probability P so that later ones overtake it.',
  honestReaction: 'A child before its parent waits in the orphan pool and the parent is fetched; the network agrees.',
  parse: probability('reorder'),
  apply: (link, p) => void (link.reorder = p),
});

export const corrupt = linkFault({
  name: 'corrupt',
  arg: 'P',
  summary: 'Flips 1 to 3 random bytes of each message it sends or receives with probability P.',
  honestReaction:
    'A corrupted message fails its parse, schema or proof of work and is counted against its sender (MSG_NOT_JSON, MSG_INVALID, BLOCK_BAD_POW, ...), enough of them ban it; the corrupting node blames its peers for what it garbled on receipt, bans them and so cuts itself off.',
  // A flipped byte can land anywhere: in the JSON, a field the schema checks, a hash, a signature.
  codes: [
    'MSG_NOT_JSON',
    'MSG_INVALID',
    'MSG_UNKNOWN_TYPE',
    'WRONG_CHAIN',
    'HEADERS_INVALID',
    'BLOCK_MALFORMED',
    'BLOCK_BAD_POW',
    'BLOCK_BAD_TARGET',
    'BLOCK_BAD_HEIGHT',
    'BLOCK_BAD_TX_ROOT',
    'BLOCK_BAD_TX',
    'TX_MALFORMED',
    'TX_BAD_SIGNATURE',
    'TX_BAD_PAYLOAD',
  ],
  bans: false,
  parse: probability('corrupt'),
  apply: (link, p) => void (link.corrupt = p),
});

export const partition = linkFault({
  name: 'partition',
  arg: 'PEERS',
  summary: 'Neither sends to nor hears from the listed peers (HOST:PORT,HOST:PORT...).',
  honestReaction:
    'Both sides carry on alone (each mines and agrees within itself); through any path that remains, or when the partition ends, all agree on the heaviest tip.',
  parse: peerList('partition'),
  apply: (link, peers) => peers.forEach((p) => link.partition.add(p)),
});
