import { afterEach, describe, expect, it } from 'vitest';
import {
  chargedAtLeast,
  deepArrays,
  deepObjects,
  genesisOf,
  headerOn,
  headerHash,
  loudLines,
  logLines,
  postRaw,
  txText,
} from '../../support/attack.js';
import { ProcNet, type ProcNode } from '../../support/devnet-procs.js';
import { RawPeer } from '../../support/raw-peer.js';
import { waitFor } from '../../support/wait.js';

/**
 * Finding 1 of issue 10: a transaction payload nested ~7,000 deep (arrays: 14 KB, under the
 * 16 KiB transaction limit) overflowed the stack of every recursive walk (JSON.stringify in the
 * envelope check, the canonicalizer, deepFreeze). Through the sync path the RangeError escaped
 * and the node exited; through gossip it was logged at error level and the sender never
 * blamed; through the API it was a 500. Each input here must leave the node alive, cost its
 * sender a coded rejection, get a 4xx with a code from the API, and log one warning at most.
 */
const DEPTH = 7000;
const PAYLOADS = {
  arrays: `{"text":${deepArrays(DEPTH)}}`,
  objects: `{"text":${deepObjects(DEPTH)}}`,
};

/** A block on `parent` whose only transaction carries `payload`, as JSON text (its root covers nothing it could compute). */
function deepBlockText(parent: { hash: string; height: number; time: number }, payload: string) {
  // The root cannot be computed over a payload this process cannot encode; the old node crashed before checking it.
  const header = headerOn(parent, ['0'.repeat(64)]);
  return { header, hash: headerHash(header), text: `{"header":${JSON.stringify(header)},"txs":[${txText(payload)}]}` };
}

describe('attack: deep nesting on every path that carries JSON', () => {
  const net = new ProcNet();
  const peers: RawPeer[] = [];
  afterEach(async () => {
    for (const p of peers.splice(0)) p.close();
    await net.stop();
  });

  const attacker = async (node: ProcNode, claim?: Partial<{ height: number; work: string }>) => {
    const peer = await RawPeer.open(node.address);
    peers.push(peer);
    await peer.handshake(node.chainId, peer.claim(node.chainId, claim));
    return peer;
  };

  /** The node is still running and answering, after it had time to act on what it got. */
  const expectAlive = async (node: ProcNode, what: string) => {
    expect(node.proc.running, `${what}: the node process exited\n${node.proc.stderr.slice(-1500)}`).toBe(true);
    await expect(node.api.status(), `${what}: the node API answers`).resolves.toMatchObject({ chainId: node.chainId });
  };

  it('sync path: a peer claiming more work serves one valid header on genesis, then its block with a transaction nested 7,000 deep', async () => {
    for (const [shape, payload] of Object.entries(PAYLOADS)) {
      // A node of its own per shape: the first sync page stays unanswered, and a sync in progress asks no new headers.
      const node = await net.startNode({ mine: 'off', tracker: null });
      const genesis = await genesisOf(node);
      const logFrom = logLines(node).length;
      const peer = await attacker(node, { height: 1, work: 'f'.repeat(40) });
      const block = deepBlockText(genesis, payload);
      const getheaders = await peer.next('getheaders');
      expect(getheaders.locator).toContain(genesis.hash);
      await peer.sendSession({ t: 'headers', headers: [block.header] });
      const getblocks = await peer.next('getblocks');
      expect(getblocks.hashes).toEqual([block.hash]);
      await peer.sendSession(Buffer.from(`{"t":"blocks","blocks":[${block.text}],"req":${String(getblocks.req)}}`));
      // Charged, or dead: whichever comes first.
      await waitFor(
        `the node to judge the ${shape} block`,
        async () =>
          !node.proc.running ||
          (await chargedAtLeast(node, peer.key, 1, 100).then(
            () => true,
            () => false,
          )),
        8000,
        50,
      ).catch(() => undefined);
      await expectAlive(node, `${shape} nested ${DEPTH} deep through sync`);
      const judged = await chargedAtLeast(node, peer.key, 1);
      console.info(`sync path, ${shape}: the sender was charged ${JSON.stringify(judged.rejections)}`);
      const { warns, errors } = loudLines(node, logFrom);
      expect(errors.map((l) => l.raw.slice(0, 300))).toEqual([]);
      expect(warns.length).toBeLessThanOrEqual(1);
    }
  });

  it('gossip path: pushed txs and blocks carrying deep transactions, and whole messages nested deep, each cost their sender a coded rejection', async () => {
    const node = await net.startNode({ mine: 'off', tracker: null });
    const genesis = await genesisOf(node);
    const logFrom = logLines(node).length;
    const inputs: Array<[string, string]> = [];
    for (const [shape, payload] of Object.entries(PAYLOADS)) {
      inputs.push([`txs push, payload of ${shape}`, `{"t":"txs","txs":[${txText(payload)}]}`]);
      inputs.push([`blocks push, payload of ${shape}`, `{"t":"blocks","blocks":[${deepBlockText(genesis, payload).text}]}`]);
    }
    // Past the transaction bound (16) but within the message bound (32): the chain's own check must refuse it.
    inputs.push(['txs push, payload 24 deep', `{"t":"txs","txs":[${txText(`{"text":${deepArrays(24)}}`)}]}`]);
    inputs.push(['a whole message nested deep (arrays)', `{"t":"txs","txs":[${deepArrays(DEPTH)}]}`]);
    inputs.push(['a whole message nested deep (objects)', `{"t":"inv","blocks":${deepObjects(DEPTH)}}`]);
    inputs.push(['a deep message with a prototype key', `{"t":"txs","txs":[${'{"__proto__":'.repeat(3000)}0${'}'.repeat(3000)}]}`]);

    const senders: Array<[string, RawPeer]> = [];
    for (const [what, body] of inputs) {
      const peer = await attacker(node);
      await peer.sendSession(Buffer.from(body));
      senders.push([what, peer]);
    }
    for (const [what, peer] of senders) {
      const judged = await chargedAtLeast(node, peer.key, 1).catch((err: Error) => {
        throw new Error(`${what}: ${err.message}${node.proc.running ? '' : ' (the node exited)'}`);
      });
      console.info(`${what}: charged ${JSON.stringify(judged.rejections)}`);
    }
    await expectAlive(node, 'after the gossip inputs');
    const { warns, errors } = loudLines(node, logFrom);
    expect(
      errors.map((l) => l.raw.slice(0, 300)),
      'no error lines or stack traces',
    ).toEqual([]);
    expect(warns.length, 'one warning per input at most').toBeLessThanOrEqual(inputs.length);
  });

  it('API: POST /tx and POST /txs with deep bodies answer 4xx with a code, never 500', async () => {
    const node = await net.startNode({ mine: 'off', tracker: null });
    const logFrom = logLines(node).length;
    const requests: Array<[string, string, string]> = [];
    for (const [shape, payload] of Object.entries(PAYLOADS)) {
      requests.push([`POST /tx, payload of ${shape}`, '/tx', txText(payload)]);
      requests.push([`POST /txs, payload of ${shape}`, '/txs', `[${txText(payload)}]`]);
    }
    requests.push(['POST /tx, payload 24 deep', '/tx', txText(`{"text":${deepArrays(24)}}`)]);
    requests.push(['POST /txs, a body nested deep', '/txs', `[${deepArrays(DEPTH)}]`]);
    for (const [what, route, body] of requests) {
      const answer = await postRaw(node, route, body);
      const code = (answer.body as { error?: { code?: string } }).error?.code;
      console.info(`${what}: ${answer.status} ${code}`);
      expect(answer.status, `${what}: ${JSON.stringify(answer.body).slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      expect(answer.status, what).toBeLessThan(500);
      expect(code, what).toMatch(/^[A-Z][A-Z_]+$/);
    }
    await expectAlive(node, 'after the API requests');
    const { warns, errors } = loudLines(node, logFrom);
    expect(errors.map((l) => l.raw.slice(0, 300))).toEqual([]);
    expect(warns.length).toBeLessThanOrEqual(requests.length);
  });
});
