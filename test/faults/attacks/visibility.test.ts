import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeDataHeader } from '../../../src/plugins/transport-udp/frame.js';
import { ProcNet } from '../../support/devnet-procs.js';
import { runCairn } from '../../support/processes.js';
import { RawPeer, sessionFrame } from '../../support/raw-peer.js';
import { waitFor } from '../../support/wait.js';

/**
 * Finding 10 of issue 10: datagrams that failed the transport's framing were counted only
 * inside the UDP transport, and nothing at the edge was counted at all: `cairn node status`
 * showed an operator nothing of junk, spoofs or floods. After junk of every kind, the status
 * command (a real CLI process, as an operator runs it) must show the transport's and the
 * edge's counters, each junk kind counted where it was turned away.
 */
describe('attack: junk is visible in node status', () => {
  const net = new ProcNet();
  const peers: RawPeer[] = [];
  afterEach(async () => {
    for (const p of peers.splice(0)) p.close();
    await net.stop();
  });

  it('after junk datagrams, `cairn node status --json` shows the transport and edge counters', async () => {
    const node = await net.startNode({ mine: 'off', tracker: null });
    const junk = await RawPeer.open(node.address);
    peers.push(junk);
    const N = 5;
    for (let i = 0; i < N; i++) {
      // Not the transport's framing at all (the magic is wrong): transport.malformed.
      await junk.sendDatagram(Buffer.concat([Buffer.from([0x00]), randomBytes(40)]));
      // Framed, but a DATA header that lies about its payload: transport.malformed.
      await junk.sendDatagram(
        Buffer.concat([encodeDataHeader({ id: 900 + i, total: 500, fragSize: 500, index: 0, count: 1 }), randomBytes(10)]),
      );
      // A whole message that is no cairn frame: edge.unframed.
      await junk.sendBytes(Buffer.concat([Buffer.from([0x07]), randomBytes(30)]));
      // A handshake frame that does not decode: edge.badHandshakes.
      await junk.sendBytes(Buffer.from('{"t":"hello","version":"two"}'));
      // A session frame from a source without a session: edge.unproven (answered at most once a second,
      // and only when the answer is no larger: this one is smaller than a challenge, so edge.amplificationGuard).
      await junk.sendBytes(sessionFrame(randomBytes(16), Buffer.from('{"t":"getpeers"}')));
    }
    // A hello from an unproven source: edge.challenges.
    await junk.hello(junk.claim(node.chainId));

    type Status = { edge?: Record<string, number>; transport?: Record<string, number> };
    let status: Status = {};
    const expected = { malformed: 2 * N, unframed: N, badHandshakes: N, unproven: N, amplificationGuard: 1, challenges: 1 };
    const seen = (s: Status) => ({
      malformed: s.transport?.malformed ?? 0,
      unframed: s.edge?.unframed ?? 0,
      badHandshakes: s.edge?.badHandshakes ?? 0,
      unproven: s.edge?.unproven ?? 0,
      amplificationGuard: s.edge?.amplificationGuard ?? 0,
      challenges: s.edge?.challenges ?? 0,
    });
    const enough = (s: Status) => Object.entries(expected).every(([k, v]) => seen(s)[k as keyof typeof expected] >= v);
    // The node counts them as they come; the CLI is asked once they are in (a few tries at most).
    await waitFor(
      'node status to show every junk kind',
      async () => {
        const run = await runCairn(['node', 'status', '--json', '--data-dir', node.dir], { timeoutMs: 30_000 });
        expect(run.code, run.stderr).toBe(0);
        status = JSON.parse(run.stdout) as Status;
        return enough(status);
      },
      10_000,
      200,
    ).catch((err: Error) => {
      throw new Error(`${err.message}: expected at least ${JSON.stringify(expected)}, status shows ${JSON.stringify(seen(status))}`);
    });
    console.info(`node status --json: edge ${JSON.stringify(status.edge)}, transport ${JSON.stringify(status.transport)}`);
    // The human-readable status names them too.
    const text = await runCairn(['node', 'status', '--data-dir', node.dir], { timeoutMs: 30_000 });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/edge/);
    expect(text.stdout).toMatch(/malformed/);
    expect(node.proc.running).toBe(true);
  });
});
