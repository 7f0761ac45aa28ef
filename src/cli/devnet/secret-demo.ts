import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { verifyElectionRecord } from '../../apps/voting/index.js';
import { CairnError, Keystore } from '../../kernel/index.js';
import { shortHash } from '../node-assembly.js';
import { runTrusteeCeremony } from '../voting/ceremony-run.js';
import { SecretElectionClient } from '../voting/secret-client.js';
import { VotingClient } from '../voting/voting-client.js';
import type { DemoDevnet, DemoOptions } from './demo-types.js';
import { waitForOneTip, waitUntilAllCounted } from './demo-wait.js';
import { printSecretDemoResult } from './secret-demo-report.js';
import {
  SECRET_DEMO_AUDIT,
  SECRET_DEMO_BALLOTS,
  SECRET_DEMO_CHOICES,
  SECRET_DEMO_OFFICER,
  SECRET_DEMO_OFFLINE,
  SECRET_DEMO_REVOTE,
  SECRET_DEMO_THRESHOLD,
  SECRET_DEMO_TRUSTEES,
  secretDemoExpected,
} from './secret-demo-script.js';
import type { SecretDemoBallot, SecretDemoNode, SecretDemoResult } from './secret-demo-types.js';

interface Run {
  clients: VotingClient[];
  secrets: SecretElectionClient[];
  /** Node indices, one per client. */
  indices: number[];
  election: string;
  deadline: number;
  human: (line: string) => void;
}

/**
 * `cairn devnet --demo --secret`: a secret election from open to verified record, every step
 * through the nodes' APIs as `cairn trustee` and `cairn vote` would take it. It passes when every
 * node decrypted the expected counts on one tip, finds every tracking code as its voter saw it,
 * and the exported record verifies.
 */
export async function runSecretDemo(devnet: DemoDevnet, options: DemoOptions = {}): Promise<SecretDemoResult> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const human = options.json ? () => undefined : log;
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? 180_000);
  if (devnet.nodes.some((n) => n.malicious))
    throw new CairnError(
      'DEMO_SECRET_MALICIOUS',
      '--secret runs its demo on honest nodes only: leave out --malicious (the secret-ballot faults run with --fault alone)',
    );
  const keyDir = mkdtempSync(path.join(tmpdir(), 'cairn-demo-keys-'));
  try {
    const keystore = new Keystore(keyDir);
    // Made up front, so every node's client signs with the same keys (the audit's voter included).
    for (const name of [...SECRET_DEMO_TRUSTEES, ...SECRET_DEMO_BALLOTS.map((b) => b.voter)]) keystore.create(name);
    const clients = devnet.nodes.map((n) => new VotingClient(devnet.client(n.index), keystore));
    const run: Run = {
      clients,
      secrets: clients.map((c) => new SecretElectionClient(c)),
      indices: devnet.nodes.map((n) => n.index),
      election: `secret-${randomBytes(4).toString('hex')}`,
      deadline,
      human,
    };
    await devnet.waitUntilConnected?.(30_000);
    await openElection(run);
    const qualified = await ceremony(run);
    const { ballots, audit } = await castBallots(run);
    await closeElection(run);
    const decryptedBy = await decrypt(run);
    const result = await judge(run, { ballots, audit, qualified, decryptedBy }, started);
    if (options.json) log(JSON.stringify({ event: 'demo', ...result }));
    else printSecretDemoResult(result, log);
    return result;
  } finally {
    rmSync(keyDir, { recursive: true, force: true });
  }
}

/** The client of the i-th node, round robin. */
const via = (run: Run, i: number) => i % run.clients.length;

async function everywhere(run: Run, txs: Array<{ voter: string; txId: string }>, what: string): Promise<void> {
  const missing = await waitUntilAllCounted(new Map(run.clients.map((c, i) => [run.indices[i]!, c])), txs, run.deadline);
  if (missing.length > 0) throw new CairnError('DEMO_TIMEOUT', `${what} did not reach every node in time: ${missing[0]}`);
}

async function openElection(run: Run): Promise<void> {
  const trustees = SECRET_DEMO_TRUSTEES.map((t) => run.clients[0]!.publicKeyOf(t));
  const opened = await run.clients[0]!.open(
    {
      id: run.election,
      title: 'Devnet demo (secret ballots)',
      choices: SECRET_DEMO_CHOICES,
      secret: { trustees, threshold: SECRET_DEMO_THRESHOLD, revote: true },
    },
    SECRET_DEMO_OFFICER,
    { timeoutMs: run.deadline - Date.now() },
  );
  await everywhere(run, [{ voter: SECRET_DEMO_OFFICER, txId: opened.txId }], 'the election');
  run.human(
    `demo: opened secret election '${run.election}' (${SECRET_DEMO_CHOICES.join(', ')}): ${SECRET_DEMO_TRUSTEES.length} trustees, any ${SECRET_DEMO_THRESHOLD} decrypt, revoting allowed`,
  );
}

/** Each trustee runs its ceremony through its own node until the key is fixed, as `cairn trustee ceremony` does. */
async function ceremony(run: Run): Promise<number[]> {
  await Promise.all(
    SECRET_DEMO_TRUSTEES.map((trustee, t) => {
      const node = run.indices[via(run, t)];
      return runTrusteeCeremony(run.secrets[via(run, t)]!, run.election, trustee, {
        timeoutMs: run.deadline - Date.now(),
        onStep: (step) => {
          if (!('posted' in step)) return;
          const against = step.complaints.length ? `, complaining about trustee ${step.complaints.join(', ')}` : '';
          run.human(`  ${trustee}  via node ${node}  posted its ${step.posted.replace('trustee.', '')}${against}`);
        },
      });
    }),
  );
  const view = await run.secrets[0]!.view(run.election);
  if (view.phase !== 'voting') throw new CairnError('DEMO_FAILED', `the key ceremony failed: ${view.failure}`);
  run.human(`demo: the election key is fixed (${shortHash(view.key!)}), qualified trustees ${view.qualified.join(', ')}`);
  return view.qualified;
}

async function castBallots(run: Run): Promise<{ ballots: SecretDemoBallot[]; audit: SecretDemoResult['audit'] }> {
  const a = SECRET_DEMO_AUDIT;
  const challenged = await run.secrets[0]!.audit(run.election, [a.choice], a.voter);
  run.human(
    `  ${a.voter.padEnd(6)} audits a ballot first (${shortHash(challenged.tracking)}): it opens to '${challenged.selections.join(', ')}', ${challenged.matches ? 'as her device claimed' : 'NOT what her device claimed'}; spoiled, not cast`,
  );
  const ballots: SecretDemoBallot[] = [];
  const cast = async (voter: string, choice: string, i: number) => {
    const node = via(run, i);
    const { tracking, submitted } = await run.secrets[node]!.cast(run.election, [choice], voter, { timeoutMs: run.deadline - Date.now() });
    const ballot = {
      voter,
      choice,
      node: run.indices[node]!,
      tracking,
      txId: submitted.txId,
      height: submitted.counted!.height,
      replaced: false,
    };
    ballots.push(ballot);
    run.human(`  ${voter.padEnd(6)} via node ${ballot.node}  tracking code ${shortHash(tracking)}  counted in block ${ballot.height}`);
  };
  await Promise.all(SECRET_DEMO_BALLOTS.map((b, i) => cast(b.voter, b.choice, i)));
  const r = SECRET_DEMO_REVOTE;
  const first = ballots.find((b) => b.voter === r.voter)!;
  run.human(`  ${r.voter} changes his mind and votes again through another node: his first ballot is replaced`);
  await cast(r.voter, r.choice, SECRET_DEMO_BALLOTS.length + 1);
  first.replaced = true;
  await everywhere(run, ballots, 'a ballot');
  return { ballots, audit: { voter: a.voter, matches: challenged.matches, tracking: challenged.tracking } };
}

async function closeElection(run: Run): Promise<void> {
  const closed = await run.clients[0]!.close(run.election, SECRET_DEMO_OFFICER, { timeoutMs: run.deadline - Date.now() });
  await everywhere(run, [{ voter: SECRET_DEMO_OFFICER, txId: closed.txId }], 'the close');
  run.human(`demo: election closed; ${SECRET_DEMO_OFFLINE} is offline, so the other trustees decrypt`);
}

async function decrypt(run: Run): Promise<string[]> {
  const online = SECRET_DEMO_TRUSTEES.filter((t) => t !== SECRET_DEMO_OFFLINE);
  const posted = await Promise.all(
    online.map(async (trustee) => {
      const t = SECRET_DEMO_TRUSTEES.indexOf(trustee);
      const submitted = await run.secrets[via(run, t)]!.decrypt(run.election, trustee, { timeoutMs: run.deadline - Date.now() });
      run.human(`  ${trustee}  via node ${run.indices[via(run, t)]}  posted its decryption shares with proofs`);
      return { voter: trustee, txId: submitted.txId };
    }),
  );
  await everywhere(run, posted, 'a decryption');
  return online;
}

async function judge(
  run: Run,
  done: Omit<SecretDemoResult, 'passed' | 'failures' | 'election' | 'choices' | 'expected' | 'nodes' | 'elapsedMs'>,
  started: number,
): Promise<SecretDemoResult> {
  const expected = secretDemoExpected();
  const agreement = await waitForOneTip(run.clients, run.deadline);
  const nodes = await Promise.all(run.secrets.map((s, i) => inspect(s, run, i, expected, done.ballots)));
  const failures: string[] = [];
  if (!agreement.tip) failures.push(`the nodes did not reach one tip: ${agreement.seen}`);
  for (const n of nodes)
    if (!n.agrees)
      failures.push(
        `node ${n.index} ${n.error ? `did not answer: ${n.error.message}` : `decrypted ${JSON.stringify(n.counts)}, not ${JSON.stringify(expected)}, or lost a tracking code`}`,
      );
  if (done.audit && !done.audit.matches) failures.push('the audited ballot did not open to what the device claimed');
  let verify;
  try {
    // From the last node, not the one that opened the election: any node's record is the election's.
    verify = verifyElectionRecord(await run.secrets[run.secrets.length - 1]!.record(run.election));
    if (!verify.ok) failures.push(`the election record does not verify: ${verify.check}: ${verify.message}`);
  } catch (err) {
    failures.push(`the election record could not be exported: ${(err as Error).message}`);
  }
  return {
    passed: failures.length === 0,
    failures,
    election: run.election,
    choices: SECRET_DEMO_CHOICES,
    expected,
    ...done,
    nodes,
    ...(verify ? { verify } : {}),
    elapsedMs: Date.now() - started,
  };
}

async function inspect(
  client: SecretElectionClient,
  run: Run,
  i: number,
  expected: number[],
  ballots: SecretDemoBallot[],
): Promise<SecretDemoNode> {
  const index = run.indices[i]!;
  try {
    const [status, view] = await Promise.all([client.voting.status(), client.view(run.election)]);
    const codes = await Promise.all(ballots.map((b) => client.tracking(run.election, b.tracking)));
    const tracked = codes.every((c, k) => c.found && (c.replacedAt !== null) === ballots[k]!.replaced);
    const counts = view.result?.counts ?? null;
    return {
      index,
      height: status.height,
      tip: status.tip,
      counts,
      agrees: tracked && JSON.stringify(counts) === JSON.stringify(expected),
    };
  } catch (err) {
    const e = err as CairnError;
    return { index, agrees: false, error: { code: e.code ?? 'ERROR', message: e.message } };
  }
}
