import { checkbox, input, select } from '@inquirer/prompts';
import { MAX_CHOICE_LENGTH, type ElectionSummary } from '../../apps/voting/index.js';
import { CairnError } from '../../kernel/index.js';
import { validateKeyName } from '../../kernel/index.js';
import { ProgressLine } from '../tx/progress-line.js';
import { isOpenAt, renderTally } from './tally-table.js';
import { SecretElectionClient } from './secret-client.js';
import type { VotingClient } from './voting-client.js';

export interface VotePromptOptions {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Lines printed once before the first menu (devnet lists its other nodes here). */
  banner?: string[];
  /** Election offered first; `default` is the devnet's write-in election. */
  defaultElection?: string;
}

export interface VotePromptResult {
  /** Ballots counted during the session. */
  counted: number;
  /** `quit` from the menu, or `interrupted` by Ctrl-C at a prompt. */
  ended: 'quit' | 'interrupted';
}

type Action = 'add' | 'display' | 'quit';

/**
 * The original project's prompt ("'a' add record, 'd' display tally, 'q' quit"), kept as a
 * loop of @inquirer/prompts: a ballot is signed by the voter's own key and the prompt waits
 * until the chain counts it or says why it was refused. Ctrl-C at any prompt ends the session
 * cleanly; during the wait for a block it only stops the wait.
 */
export async function runVotePrompt(client: VotingClient, options: VotePromptOptions = {}): Promise<VotePromptResult> {
  const output = options.output ?? process.stdout;
  const context = { input: options.input, output };
  const say = (line = '') => output.write(`${line}\n`);
  const defaultElection = options.defaultElection ?? 'default';
  let lastVoter: string | undefined;
  let counted = 0;

  const status = await client.status();
  for (const line of options.banner ?? []) say(line);
  say(`cairn vote: node ${client.api.url}, chain ${status.chainId.slice(0, 12)} at block ${status.height}`);
  say(`voter ids are key names in ${client.keystore.dir} (a new name gets a new key)`);

  const pickElection = async (elections: ElectionSummary[], message: string): Promise<ElectionSummary> => {
    if (elections.length === 1) {
      say(`election ${elections[0]!.id}: ${elections[0]!.title} (the only one)`);
      return elections[0]!;
    }
    const id = await select(
      {
        message,
        choices: elections.map((e) => ({ name: `${e.id}: ${e.title}`, value: e.id })),
        default: elections.some((e) => e.id === defaultElection) ? defaultElection : undefined,
      },
      context,
    );
    return elections.find((e) => e.id === id)!;
  };

  const addBallot = async () => {
    const voter = (
      await input(
        {
          message: 'Voter id (a key name):',
          default: lastVoter,
          validate: (name) => {
            try {
              validateKeyName(name.trim());
              return true;
            } catch (err) {
              return (err as Error).message;
            }
          },
        },
        context,
      )
    ).trim();
    lastVoter = voter;

    const tip = (await client.status()).height;
    const open = (await client.elections()).filter((e) => isOpenAt(e, tip));
    if (open.length === 0) {
      say('no election is open on this chain: open one with `cairn election open`');
      return;
    }
    const election = await pickElection(open, 'Election:');
    if (election.secret) {
      await addSecretBallot(voter, election);
      return;
    }
    const choice = election.writeIn
      ? (
          await input(
            {
              message: 'Your choice (write-in):',
              validate: (text) => {
                const t = text.trim();
                if (t === '') return 'type a choice';
                return t.length <= MAX_CHOICE_LENGTH || `a choice has at most ${MAX_CHOICE_LENGTH} characters`;
              },
            },
            context,
          )
        ).trim()
      : await select({ message: 'Your choice:', choices: election.choices.map((c) => ({ name: c, value: c })) }, context);

    const progress = new ProgressLine(output);
    const stop = new AbortController();
    const onSigint = () => stop.abort();
    process.on('SIGINT', onSigint);
    try {
      await client.cast(election.id, choice, voter, { onProgress: progress.update, signal: stop.signal });
      counted++;
      say(`'${voter}' voted '${choice}' in election ${election.id}`);
    } catch (err) {
      progress.end();
      if (err instanceof CairnError && err.code === 'WAIT_STOPPED') {
        say(
          `stopped waiting: the ballot may still be counted; check with \`cairn vote receipt --election ${election.id} --voter ${voter}\``,
        );
      } else throw err;
    } finally {
      process.off('SIGINT', onSigint);
    }
  };

  /** The choices stay here: the ballot is encrypted before it leaves, and its tracking code is shown first. */
  const addSecretBallot = async (voter: string, election: ElectionSummary) => {
    const { min, max } = election.secret!;
    const chosen =
      min === 1 && max === 1
        ? [await select({ message: 'Your choice (secret):', choices: election.choices.map((c) => ({ name: c, value: c })) }, context)]
        : await checkbox(
            {
              message: `Your choices (secret, ${min === max ? min : `${min} to ${max}`}):`,
              choices: election.choices.map((c) => ({ name: c, value: c })),
              validate: (picked) => (picked.length >= min && picked.length <= max) || `select from ${min} to ${max} choices`,
            },
            context,
          );
    const progress = new ProgressLine(output);
    const stop = new AbortController();
    const onSigint = () => stop.abort();
    process.on('SIGINT', onSigint);
    let tracking = '';
    try {
      await new SecretElectionClient(client).cast(election.id, chosen, voter, {
        onProgress: progress.update,
        signal: stop.signal,
        onSealed: (code) => {
          tracking = code;
          say(`encrypted ballot, tracking code ${code}`);
        },
      });
      counted++;
      say(`'${voter}' cast a secret ballot in election ${election.id}; its tracking code is ${tracking}`);
    } catch (err) {
      progress.end();
      if (err instanceof CairnError && err.code === 'WAIT_STOPPED') {
        say(
          `stopped waiting: the ballot may still be counted; check with \`cairn vote receipt --election ${election.id} --tracking ${tracking}\``,
        );
      } else throw err;
    } finally {
      process.off('SIGINT', onSigint);
    }
  };

  const displayTally = async () => {
    const elections = await client.elections();
    if (elections.length === 0) {
      say('no elections on this chain yet');
      return;
    }
    const election = await pickElection(elections, 'Tally of which election?');
    const [tally, details, now] = await Promise.all([client.tally(election.id), client.election(election.id), client.status()]);
    for (const line of renderTally(tally, details, now.height)) say(line);
  };

  for (;;) {
    let action: Action;
    try {
      action = await select<Action>(
        {
          message: 'What would you like to do?',
          choices: [
            { name: 'Add a ballot', value: 'add' },
            { name: 'Display the tally', value: 'display' },
            { name: 'Quit', value: 'quit' },
          ],
        },
        context,
      );
      if (action === 'quit') return { counted, ended: 'quit' };
      if (action === 'add') await addBallot();
      else await displayTally();
    } catch (err) {
      if (isPromptExit(err)) {
        say();
        return { counted, ended: 'interrupted' };
      }
      // A refusal or a node that went away: say why in one sentence and offer the menu again.
      say(err instanceof CairnError ? `${err.message} (${err.code})` : `Error: ${(err as Error).message ?? String(err)}`);
    }
  }
}

/** Ctrl-C (or a closed input) inside an inquirer prompt. */
function isPromptExit(err: unknown): boolean {
  return err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError');
}
