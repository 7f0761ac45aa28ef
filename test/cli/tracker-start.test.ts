import { afterEach, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { pino } from 'pino';
import { decodeMessage as decodeGossip } from '../../src/kernel/net/messages.js';
import { encodeMessage, TRACKER_PROTOCOL_VERSION, TrackerClient } from '../../src/plugins/tracker/index.js';
import { UdpTransport } from '../../src/plugins/transport-udp/udp-transport.js';
import { CairnProcess, runCairn } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

const CHAIN = 'ab'.repeat(32);

describe('cairn tracker start', () => {
  const processes: CairnProcess[] = [];
  const clients: TrackerClient[] = [];
  const transports: UdpTransport[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.stop()));
    await Promise.all(transports.splice(0).map((t) => t.stop()));
    await Promise.all(processes.splice(0).map((p) => p.kill('SIGKILL')));
  });

  const start = (args: string[]) => {
    const tracker = new CairnProcess(['tracker', 'start', ...args]);
    processes.push(tracker);
    return tracker;
  };
  /** A UDP transport and a tracker client, with probes handed over as a node's Network does. */
  const join = async (trackerPort: number) => {
    const transport = new UdpTransport({ host: '127.0.0.1', port: 0 }, pino({ level: 'silent' }));
    transports.push(transport);
    await transport.start();
    const client = new TrackerClient({
      chainId: CHAIN,
      localAddress: transport.address,
      tracker: { host: '127.0.0.1', port: trackerPort },
    });
    transport.onMessage((from, bytes) => {
      const message = decodeGossip(bytes);
      if (message.t === 'probe') client.probed(message.token, from);
    });
    clients.push(client);
    client.start();
    return { client, port: transport.address.port };
  };

  it('prints where it listens and a line per join and leave, and stops cleanly on SIGINT', async () => {
    const tracker = start(['--port', '0']);
    const port = Number(/^tracker listening on 127\.0\.0\.1:(\d+)/m.exec(await tracker.waitForLine(/^tracker listening on /))![1]);
    const first = await join(port);
    const second = await join(port);
    await tracker.waitForLine(new RegExp(`^joined +127\\.0\\.0\\.1:${second.port} +network abababababab +2 peers$`));
    await tracker.waitForLine(new RegExp(`^reachable +127\\.0\\.0\\.1:${second.port} +network abababababab +2 peers$`));
    await waitFor('the list to reach a client', () => first.client.peers().length === 1);
    await first.client.stop();
    await tracker.waitForLine(new RegExp(`^left +127\\.0\\.0\\.1:${first.port} +network abababababab +1 peer$`));
    expect(await tracker.kill('SIGINT')).toBe(0);
    expect(tracker.stdout).toMatch(/^stopped \(SIGINT\): 1 peers in 1 network released$/m);
    expect(tracker.stderr).toBe('');
  });

  it('with --json prints one object per line, evictions included', async () => {
    const tracker = start(['--port', '0', '--json', '--ttl-ms', '300']);
    const started = JSON.parse(await tracker.waitForLine(/"event":"started"/)) as { address: string; port: number; ttlMs: number };
    expect(started).toMatchObject({ address: `127.0.0.1:${started.port}`, ttlMs: 300 });
    // A raw connection that registers and then says nothing more is evicted after the TTL.
    const socket = connect({ host: '127.0.0.1', port: started.port });
    socket.on('error', () => undefined);
    socket.write(encodeMessage({ type: 'register', version: TRACKER_PROTOCOL_VERSION, chainId: CHAIN, port: 40_103 }));
    await tracker.waitForLine(/"event":"evicted"/, 5000);
    socket.destroy();
    expect(await tracker.kill('SIGTERM')).toBe(0);
    const events = tracker.jsonLines<{ event: string; peer?: string; reason?: string }>();
    expect(events.map((e) => e.event)).toEqual(['started', 'joined', 'evicted', 'stopped']);
    expect(events[2]).toMatchObject({ peer: '127.0.0.1:40103', reason: 'HEARTBEAT_TIMEOUT' });
  });

  it('a port in use or a bad host is one sentence and exit 1', async () => {
    const tracker = start(['--port', '0', '--json']);
    const { port } = JSON.parse(await tracker.waitForLine(/"event":"started"/)) as { port: number };
    for (const args of [
      ['--port', String(port)],
      ['--host', 'not a host'],
      ['--port', '70000'],
    ]) {
      const run = await runCairn(['tracker', 'start', ...args], { timeoutMs: 20_000 });
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr.trim().split('\n'), run.stderr).toHaveLength(1);
      expect(run.stderr).toMatch(/^Error: .+\((TRACKER_LISTEN_FAILED|CONFIG_INVALID)\)\n$/);
    }
    const inUse = await runCairn(['tracker', 'start', '--port', String(port), '--json'], { timeoutMs: 20_000 });
    expect(JSON.parse(inUse.stdout)).toMatchObject({
      error: { code: 'TRACKER_LISTEN_FAILED', message: expect.stringContaining('already in use') },
    });
  });
});
