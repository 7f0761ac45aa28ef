import { CairnError } from '../../kernel/index.js';
import { TxRefused } from '../tx/tx-client.js';

/** A voting transaction the node or the chain refused, in the voting app's words (see TxRefused). */
export class VoteRefused extends TxRefused {}

/** What the refused transaction was about, so the sentence can name the voter rather than a key. */
export interface RefusalContext {
  /** Key name of the signer, e.g. the voter id typed at the prompt. */
  signer?: string;
  election?: string;
  choice?: string;
  /** The transaction closes the election: a refusal is about the close, not about ballots. */
  closing?: boolean;
}

/**
 * Turns a node's refusal (an ApiError carrying the app's code and message) into one sentence
 * that names the voter by the name the user typed. Errors that are not refusals (the node is
 * down, a bad token) pass through unchanged: they already say what is wrong.
 */
export function explainRefusal(err: unknown, context: RefusalContext = {}): unknown {
  if (!(err instanceof CairnError)) return err;
  const who = context.signer ? `'${context.signer}'` : 'this key';
  const election = context.election ? `election '${context.election}'` : 'this election';
  const sentence = SENTENCES[err.code]?.(who, election, context, err.message);
  if (sentence === undefined) return err;
  return new VoteRefused(err.code, sentence, { ...err.details, cause: err.message });
}

type Sentence = (who: string, election: string, context: RefusalContext, original: string) => string;

const SENTENCES: Record<string, Sentence> = {
  BALLOT_DUPLICATE: (who, election) => `refused: ${who} has already voted in ${election}, and a voter gets one ballot`,
  BALLOT_NOT_ELIGIBLE: (who, election) => `refused: ${who} is not on the voter list of ${election}`,
  BALLOT_BAD_CHOICE: (_who, _election, _context, original) => `refused: ${original}`,
  ELECTION_UNKNOWN: (_who, election) => `refused: there is no ${election} on this node's chain`,
  ELECTION_CLOSED: (_who, _election, context, original) =>
    context.closing ? `refused: ${original}` : `refused: ${original}, so it takes no more ballots`,
  ELECTION_EXISTS: (_who, election) => `refused: ${election} already exists`,
  ELECTION_NOT_CREATOR: (who, election) => `refused: only the creator of ${election} may close it, and ${who} is not`,
  ELECTION_BAD_CLOSES_AT: (_who, _election, _context, original) => `refused: ${original}`,
  // Secret elections: the app's sentences name keys by their first digits; these name the key the user typed.
  ELECTION_BAD_SECRET: (_who, _election, _context, original) => `refused: ${original}`,
  ELECTION_SECRET: (_who, _election, _context, original) => `refused: ${original}`,
  ELECTION_NOT_SECRET: (_who, election) => `refused: ${election} has public ballots: vote with a plain choice (cairn vote cast --choice)`,
  ELECTION_NOT_READY: (_who, _election, _context, original) => `refused: ${original}`,
  TRUSTEE_UNKNOWN: (who, election) => `refused: ${who} is not a trustee of ${election}`,
  CEREMONY_WRONG_ROUND: (_who, _election, _context, original) => `refused: ${original}`,
  CEREMONY_DUPLICATE: (_who, _election, _context, original) => `refused: ${original}`,
  CEREMONY_BAD_KEY: (_who, _election, _context, original) => `refused: ${original}`,
  CEREMONY_BAD_DEAL: (_who, _election, _context, original) => `refused: ${original}`,
  CEREMONY_BAD_COMPLAINT: (_who, _election, _context, original) => `refused: ${original}`,
  BALLOT_MALFORMED: (_who, _election, _context, original) => `refused: ${original}`,
  BALLOT_BAD_PROOF: (_who, _election, _context, original) => `refused: ${original}`,
  DECRYPT_TOO_EARLY: (_who, _election, _context, original) =>
    `refused: ${original}; trustees decrypt after the close (cairn election close)`,
  DECRYPT_NOT_QUALIFIED: (who, election) => `refused: ${who} was disqualified in the key ceremony of ${election} and holds no key share`,
  DECRYPT_DUPLICATE: (who, election) => `refused: ${who} has already posted its decryption of ${election}`,
  DECRYPT_BAD_SHARE: (_who, _election, _context, original) => `refused: ${original}`,
  DECRYPT_DONE: (_who, election) => `refused: ${election} is decrypted already: its result is on the chain (cairn vote tally)`,
  TX_BAD_PAYLOAD: (_who, _election, _context, original) => `refused: the transaction is malformed (${original})`,
  TX_UNKNOWN_APP: () => `refused: this node's chain does not run the voting app (start it with --app voting)`,
  TX_BAD_SIGNATURE: () => `refused: the signature does not match this node's chain`,
  MEMPOOL_FULL: () => `refused for now: the node's mempool is full, try again in a moment`,
};

/** A query of a secret election's record about a public one: said for what the user asked. */
export function notSecretSentence(election: string): (err: unknown) => never {
  return (err) => {
    if (err instanceof CairnError && err.code === 'ELECTION_NOT_SECRET')
      throw new CairnError(
        err.code,
        `election '${election}' has public ballots: it has no secret-election record (its ballots and tally are on the chain in the clear)`,
      );
    throw err;
  };
}
