import { ConfigError, type AppFault, type ChainApp } from '../../kernel/index.js';
import { appFaultContext } from './app-fault-context.js';
import { noArg } from './args.js';
import { FaultError } from './errors.js';
import { FAULT_BEHAVIOURS } from './registry.js';
import type { FaultBehaviour } from './types.js';

/** An app's fault as one of the plugin's behaviours: a transaction fault that acts on the network. */
export function fromAppFault(app: ChainApp, fault: AppFault): FaultBehaviour<unknown> {
  const invalid = (why: string) => new ConfigError('APP_INVALID', `app '${app.id}' ships a fault that ${why}`, { app: app.id });
  if (!fault || typeof fault.name !== 'string' || !/^[a-z][a-z0-9-]{0,63}$/.test(fault.name)) throw invalid('has no lowercase name');
  if (typeof fault.install !== 'function') throw invalid(`'${fault.name}' cannot install: it has no install function`);
  if (!Array.isArray(fault.codes)) throw invalid(`'${fault.name}' lists no rejection codes (an empty list when there are none)`);
  return {
    name: fault.name,
    group: 'tx',
    arg: fault.arg,
    summary: fault.summary,
    honestReaction: fault.honestReaction,
    codes: fault.codes,
    bans: fault.bans,
    needs: ['network'],
    parse(arg) {
      if (!fault.parse) return noArg(fault.name)(arg);
      try {
        return fault.parse(arg);
      } catch (err) {
        throw new FaultError('FAULT_BAD_ARG', `--fault ${fault.name}: ${(err as Error).message ?? String(err)}`, { fault: fault.name });
      }
    },
    install: (ctx, value) => fault.install(appFaultContext(ctx, app.id), value),
  };
}

/**
 * Every fault a node with these apps can commit: the plugin's own, then each app's, in order.
 * One name for two faults would make `--fault NAME` ambiguous, so it is refused.
 */
export function faultCatalogue(apps: readonly ChainApp[]): FaultBehaviour<unknown>[] {
  const catalogue = [...FAULT_BEHAVIOURS];
  const owner = new Map<string, string>(FAULT_BEHAVIOURS.map((b) => [b.name, 'the faults plugin']));
  for (const app of apps) {
    if (app.faults !== undefined && !Array.isArray(app.faults))
      throw new ConfigError('APP_INVALID', `app '${app.id}' has \`faults\` that are not a list`, { app: app.id });
    for (const fault of app.faults ?? []) {
      const behaviour = fromAppFault(app, fault);
      const other = owner.get(behaviour.name);
      if (other !== undefined)
        throw new ConfigError('APP_INVALID', `app '${app.id}' ships a fault '${behaviour.name}', which ${other} already has`, {
          app: app.id,
        });
      owner.set(behaviour.name, `app '${app.id}'`);
      catalogue.push(behaviour);
    }
  }
  return catalogue;
}
