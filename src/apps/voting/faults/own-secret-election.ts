import type { AppFaultContext, AppFaultKey, Tx } from '../../../kernel/index.js';
import { closeElection, openElection, secretCall } from '../calls.js';
import { secretElection, type SecretElectionView } from '../secret/queries.js';
import { decryptionStep, nextCeremonyStep, type TrusteeIdentity } from '../secret/trustee.js';
import { sealBallot } from '../secret/voter.js';
import { stateKeys, type ElectionRecord } from '../state-keys.js';

/** How often a driver looks at the tip for its next step: a ceremony round needs a block, so this only bounds the wait. */
export const ADVANCE_MS = 1000;
/**
 * How often a secret-election fault sends its invalid transaction to each peer. An app rule
 * costs 2 points and scores decay by 1 a second, so one every 3 s is counted every time and
 * never adds up to a ban.
 */
export const SEND_MS = 3000;

export const OWN_CHOICES = ['yes', 'no', 'maybe'];
/** Trustees of a fault's own election, any 2 of which decrypt. */
export const OWN_TRUSTEES = 3;
const THRESHOLD = 2;

export interface FaultTrustee {
  /** Its place in the trustee list, from 1. */
  j: number;
  key: AppFaultKey;
  identity: TrusteeIdentity;
}

/** A ceremony step as `nextCeremonyStep` builds it, before it is signed. */
export interface CeremonyCall {
  type: string;
  payload: unknown;
}

/** Lets a fault rewrite one of its trustees' ceremony steps before it is signed (a bad deal). */
export type StepEdit = (trustee: FaultTrustee, call: CeremonyCall) => CeremonyCall;

/** 32 bytes of the seeded source, as hex. */
function seededHex(random: () => number, bytes = 32): string {
  return Array.from({ length: bytes }, () =>
    Math.floor(random() * 256)
      .toString(16)
      .padStart(2, '0'),
  ).join('');
}

/**
 * A secret election the faulty node opens and runs itself: it holds the creator's key and all
 * three trustees' keys (threshold 2), so it can act as a trustee, which a fault with only fresh
 * keys could not do in anyone else's election. Every valid step goes through the node's own
 * mempool (`ctx.submit`), so it is relayed and mined as any transaction; each step is posted
 * once, and again only if the node refused it.
 */
export class OwnSecretElection {
  readonly id: string;
  readonly creator: AppFaultKey;
  readonly trustees: readonly FaultTrustee[];
  private readonly posted = new Set<string>();

  constructor(
    private readonly ctx: AppFaultContext,
    label: string,
    private readonly edit: StepEdit = (_, call) => call,
  ) {
    this.id = `fault-${label}-${Math.floor(ctx.random() * 1e9)}`;
    this.creator = ctx.newKey();
    this.trustees = Array.from({ length: OWN_TRUSTEES }, (_, i) => {
      const key = ctx.newKey();
      // An AppFaultKey keeps its private key to itself. A trustee's ceremony secrets need only a
      // seed that this node alone holds (trusteeSecrets derives them from it as it would from a
      // private key); the seeded source makes a run replay.
      return { j: i + 1, key, identity: { publicKey: key.publicKey, privateKey: seededHex(ctx.random) } };
    });
  }

  /** The election at the tip; undefined until its opening is mined. */
  view(): SecretElectionView | undefined {
    if (!this.ctx.state().has(stateKeys.election(this.id))) return undefined;
    return secretElection(this.ctx.state(), { election: this.id }) as SecretElectionView;
  }

  closed(): boolean {
    return this.ctx.state().get<ElectionRecord>(stateKeys.election(this.id))?.closed ?? false;
  }

  /**
   * One step towards an election with its key: opens it, then posts each trustee's next
   * ceremony message. Returns the view once the ceremony is over (phase voting or failed).
   */
  async advance(): Promise<SecretElectionView | undefined> {
    const view = this.view();
    if (!view) {
      const open = openElection({
        id: this.id,
        title: 'Secret election (fault)',
        choices: OWN_CHOICES,
        secret: { trustees: this.trustees.map((t) => t.key.publicKey), threshold: THRESHOLD },
      });
      await this.once('open', () => this.creator.sign(open));
      return undefined;
    }
    if (view.phase === 'voting' || view.phase === 'failed') return view;
    for (const t of this.trustees) {
      const step = nextCeremonyStep(this.ctx.chainId, view, t.identity);
      if ('type' in step) await this.once(`${view.phase}:${t.j}`, () => t.key.sign(secretCall(this.edit(t, step))));
    }
    return undefined;
  }

  /** A valid ballot from a fresh voter, once. */
  async castHonest(view: SecretElectionView, choice = OWN_CHOICES[0]!): Promise<void> {
    await this.once('ballot', () => honestBallot(this.ctx, view, choice));
  }

  async close(): Promise<void> {
    await this.once('close', () => this.creator.sign(closeElection(this.id)));
  }

  /** Trustee j's valid decryption, once. */
  async decrypt(view: SecretElectionView, j: number): Promise<void> {
    const t = this.trustees[j - 1]!;
    await this.once(`decrypt:${j}`, () =>
      t.key.sign(secretCall({ type: 'trustee.decrypt', payload: decryptionStep(this.ctx.chainId, view, t.identity) })),
    );
  }

  private async once(step: string, build: () => Tx): Promise<void> {
    if (this.posted.has(step)) return;
    this.posted.add(step);
    try {
      await this.ctx.submit(build());
    } catch (err) {
      this.posted.delete(step);
      this.ctx.log.warn({ election: this.id, step, err: (err as Error).message }, 'fault: own secret election step refused');
    }
  }
}

/** A valid encrypted ballot for one choice, from a fresh voter. */
export function honestBallot(ctx: AppFaultContext, view: SecretElectionView, choice = view.choices[0]!): Tx {
  const voter = ctx.newKey();
  const { payload } = sealBallot(ctx.chainId, view, voter.publicKey, [choice]);
  return voter.sign(secretCall({ type: 'ballot.encrypted', payload }));
}

/** The same transactions to every ready peer, past the node's own checks. */
export function toEveryPeer(ctx: AppFaultContext, txs: readonly Tx[]): void {
  for (const peer of ctx.peers()) ctx.sendTxs(peer, txs);
}
