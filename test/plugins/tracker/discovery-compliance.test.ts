import { pino } from 'pino';
import { container as rootContainer } from 'tsyringe';
import { chainIdOf, DISCOVERY, LOGGER, paramsFromFlags, TRANSPORT, type PeerAddress, type Transport } from '../../../src/kernel/index.js';
import { formatHostPort, TrackerClient, trackerDiscovery, type TrackerDiscoveryOptions } from '../../../src/plugins/tracker/index.js';
import { describeDiscoveryCompliance, type DiscoveryUnderTest } from '../../../src/testing/index.js';
import { vitestApi } from '../vitest-compliance.js';
import { deliverProbes, Harness, udpTransport } from './helpers.js';

const params = paramsFromFlags({ difficulty: 'fixed', blockTime: 1, apps: [] });
const STATIC: PeerAddress[] = [
  { host: '127.0.0.1', port: 4001 },
  { host: '127.0.0.1', port: 4002 },
];
/** TrackerClient's default bound on exchanged peers; the tracker's own list is capped apart. */
const MAX_EXCHANGE_PEERS = 1000;

/** The discovery as the kernel builds it: resolved from a node container the plugin registered in. */
function fromPlugin(options: TrackerDiscoveryOptions, transport: Transport): TrackerClient {
  const container = rootContainer.createChildContainer();
  container.register(LOGGER, { useValue: pino({ level: 'silent' }) });
  container.register(TRANSPORT, { useValue: transport });
  trackerDiscovery(options).register(container, { config: { transport: 'udp' } as never, params });
  const client = container.resolve<TrackerClient>(DISCOVERY);
  deliverProbes(transport, (token, from) => client.probed(token, from));
  return client;
}

const exchange = (client: TrackerClient) => (entries: readonly unknown[]) => void client.addPeers(entries);

describeDiscoveryCompliance(vitestApi, 'tracker discovery, static peers only', async (): Promise<DiscoveryUnderTest> => {
  const self = { host: '127.0.0.1', port: 4000 };
  // Only the address is read: a discovery without a tracker sends nothing.
  const transport = { address: self, send() {}, onMessage() {} } satisfies Transport;
  const discovery = fromPlugin({ peers: [...STATIC, self].map(formatHostPort) }, transport);
  return { discovery, self, expected: STATIC, offer: exchange(discovery), maxPeers: STATIC.length + MAX_EXCHANGE_PEERS };
});

describeDiscoveryCompliance(vitestApi, 'tracker discovery, with a tracker and two members', async (): Promise<DiscoveryUnderTest> => {
  const h = new Harness();
  const { address: tracker } = await h.tracker();
  const members = await Promise.all([1, 2].map(() => h.node({ chainId: chainIdOf(params), tracker })));
  const transport = await h.transport(udpTransport());
  const discovery = fromPlugin({ tracker: formatHostPort(tracker), peers: STATIC.map(formatHostPort) }, transport);
  return {
    discovery,
    self: transport.address,
    expected: [...STATIC, ...members.map((m) => m.address)],
    offer: exchange(discovery),
    maxPeers: STATIC.length + members.length + MAX_EXCHANGE_PEERS,
    dispose: () => h.close(),
  };
});
