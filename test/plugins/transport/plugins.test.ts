import { pino } from 'pino';
import { container } from 'tsyringe';
import { describe, expect, it } from 'vitest';
import type { PluginContext } from '../../../src/kernel/plugin.js';
import type { Transport } from '../../../src/kernel/services.js';
import { LOGGER, TRANSPORT } from '../../../src/kernel/tokens.js';
import { memoryTransport, MemoryNetwork } from '../../../src/plugins/transport-memory/index.js';
import { tcpTransport } from '../../../src/plugins/transport-tcp/index.js';
import { udpTransport } from '../../../src/plugins/transport-udp/index.js';

describe('transport plugins', () => {
  const network = new MemoryNetwork({ seed: 1 });
  const plugins = [udpTransport({ port: 0 }), tcpTransport({ host: '127.0.0.1' }), memoryTransport({ network, port: 4242 })];

  it.each(plugins.map((p) => [p.name, p] as const))('%s provides one transport per node container', async (name, plugin) => {
    expect(plugin.provides).toEqual([TRANSPORT]);
    const nodes = [container.createChildContainer(), container.createChildContainer()];
    const transports = nodes.map((c, i) => {
      c.register(LOGGER, { useValue: pino({ level: 'silent' }) });
      // Each node gets its own plugin value, as a node is built from its own options.
      const own = i === 0 ? plugin : name === 'transport-memory' ? memoryTransport({ network }) : plugin;
      own.register(c, {} as PluginContext);
      return c.resolve<Transport>(TRANSPORT);
    });
    expect(transports[0]).toBe(nodes[0]!.resolve(TRANSPORT));
    expect(transports[0]).not.toBe(transports[1]);
    for (const t of transports) await t.start?.();
    expect(transports[0]!.address.port).not.toBe(transports[1]!.address.port);
    if (name === 'transport-memory') expect(transports[0]!.address.port).toBe(4242);
    for (const t of transports) await t.stop?.();
  });
});
