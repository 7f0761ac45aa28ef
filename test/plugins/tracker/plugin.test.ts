import { pino } from 'pino';
import { container as rootContainer } from 'tsyringe';
import { afterEach, describe, expect, it } from 'vitest';
import { CairnError, ConfigError } from '../../../src/kernel/errors.js';
import { chainIdOf } from '../../../src/kernel/params.js';
import { paramsFromFlags } from '../../../src/kernel/chain-params.js';
import type { Transport } from '../../../src/kernel/services.js';
import { DISCOVERY, LOGGER, TRANSPORT } from '../../../src/kernel/tokens.js';
import { formatHostPort, parseHostPort, trackerDiscovery, TrackerClient } from '../../../src/plugins/tracker/index.js';
import { deliverProbes, Harness, key, keys, udpTransport, waitFor } from './helpers.js';

const h = new Harness();
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  await h.close();
});

const params = paramsFromFlags({ difficulty: 'fixed', blockTime: 1, apps: [] });

/**
 * A node's container as the kernel builds it: a logger, a started transport, then the plugin;
 * probes reach discovery as the kernel's Network hands them over.
 */
async function nodeContainer(options: Parameters<typeof trackerDiscovery>[0]) {
  const container = rootContainer.createChildContainer();
  const transport: Transport = await h.transport(udpTransport());
  container.register(LOGGER, { useValue: pino({ level: 'silent' }) });
  container.register(TRANSPORT, { useValue: transport });
  trackerDiscovery(options).register(container, { config: { transport: 'udp' } as never, params });
  deliverProbes(transport, (token, from) => container.resolve<TrackerClient>(DISCOVERY).probed(token, from));
  return { container, address: transport.address };
}

describe('trackerDiscovery plugin', () => {
  it('provides discovery from the transport’s address and the chain id of the params', async () => {
    const { server, address } = await h.tracker();
    const plugin = trackerDiscovery({ tracker: formatHostPort(address) });
    expect(plugin).toMatchObject({ name: 'tracker', provides: [DISCOVERY], needs: [TRANSPORT, LOGGER] });

    const { container: one, address: oneAddress } = await nodeContainer({ tracker: formatHostPort(address), peers: ['127.0.0.1:9001'] });
    const { container: two, address: twoAddress } = await nodeContainer({ tracker: formatHostPort(address) });
    const a = one.resolve<TrackerClient>(DISCOVERY);
    const b = two.resolve<TrackerClient>(DISCOVERY);
    expect(a).toBeInstanceOf(TrackerClient);
    expect(one.resolve(DISCOVERY)).toBe(a);
    expect(b).not.toBe(a);
    stops.push(
      () => a.stop(),
      () => b.stop(),
    );
    a.start();
    b.start();
    await waitFor(() => server.status().byNetwork[chainIdOf(params)] === 2, 'both nodes registered under the chain id');
    await waitFor(() => a.peers().length === 2, 'node one to see node two and its static peer');
    expect(keys(a.peers())).toEqual([key(twoAddress), '127.0.0.1:9001'].sort());
    expect(keys(b.peers())).toEqual([key(oneAddress)]);
    expect(a.status().reachable && b.status().reachable).toBe(true);
  });

  it('fails on bad addresses when the flags are read, not when the node starts', () => {
    expect(() => trackerDiscovery({ tracker: 'localhost' })).toThrow(ConfigError);
    expect(() => trackerDiscovery({ peers: ['127.0.0.1:1', 'nope:'] })).toThrow(/'nope:' is not a HOST:PORT address/);
    expect(() => trackerDiscovery({ ttlMs: 5 })).toThrow(ConfigError);
  });
});

describe('parseHostPort', () => {
  it.each([
    ['127.0.0.1:60825', { host: '127.0.0.1', port: 60825 }],
    ['tcp://tracker.example:1', { host: 'tracker.example', port: 1 }],
    ['[::1]:8000', { host: '::1', port: 8000 }],
    [' localhost:65535 ', { host: 'localhost', port: 65535 }],
  ])('reads %s', (text, expected) => {
    expect(parseHostPort(text)).toEqual(expected);
    expect(parseHostPort(formatHostPort(expected))).toEqual(expected);
  });

  it.each([
    '',
    '127.0.0.1',
    '127.0.0.1:',
    ':80',
    '127.0.0.1:0',
    '127.0.0.1:65536',
    '127.0.0.1:8o',
    '::1:80',
    'a b:80',
    '[nope]:80',
    'http://x:80',
    '1.2.3:80',
  ])('refuses %j with ADDRESS_INVALID', (text) => {
    let error: unknown;
    try {
      parseHostPort(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as CairnError).code).toBe('ADDRESS_INVALID');
  });
});
