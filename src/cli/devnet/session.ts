import { VOTING_APP_ID } from '../../apps/voting/index.js';
import { CairnError, ConfigError, createLogger, type LogLevel } from '../../kernel/index.js';
import { lineEmitter, type Emit } from '../emit.js';
import { installLastDefence } from '../last-defence.js';
import type { VotePromptResult } from '../voting/vote-prompt.js';
import { runDevnetPrompt } from './demo-prompt.js';
import type { DemoResult } from './demo-types.js';
import { runSecretDemo } from './secret-demo.js';
import type { SecretDemoResult } from './secret-demo-types.js';
import { runDevnetDemo } from './demo.js';
import type { DevnetOptions } from './devnet-options.js';
import { Devnet, type DevnetExit } from './devnet.js';
import { LiveStatus, type StatusOutput } from './live-status.js';
import { announceDevnet, reportStopped, type DevnetMode } from './session-report.js';
import { DevnetSignals } from './signals.js';

export interface DevnetSessionOptions {
  /** `--demo` or `--no-demo`; neither: the demo when `out` is not a terminal, else the vote prompt. */
  demo?: boolean;
  json: boolean;
  logLevel: LogLevel;
  /** Your keystore: the vote prompt's voters are your keys, as with `cairn vote`. */
  keystore: string;
  /** `--secret`: the demo runs a secret election instead (needs the demo). */
  secret?: boolean;
  /** Where the lines and the live status go. [default: process.stdout] */
  out?: StatusOutput & { isTTY?: boolean };
}

/** A running devnet and what the session shows of it. */
interface Session {
  devnet: Devnet;
  signals: DevnetSignals;
  live: LiveStatus;
  json: boolean;
  emit: Emit;
  keystore: string;
  secret: boolean;
}

/**
 * `cairn devnet`: starts the devnet, announces it, runs the demo, the vote prompt or the live
 * status until that ends or a signal comes, then stops every child and says so. Throws
 * DEMO_FAILED when the demo found something wrong, DEVNET_DOWN when every node exited.
 */
export async function runDevnetSession(options: DevnetOptions, session: DevnetSessionOptions): Promise<void> {
  const out = session.out ?? process.stdout;
  const json = session.json;
  const emit = lineEmitter(out);
  const devnet = new Devnet(options);
  const signals = new DevnetSignals(devnet);
  installLastDefence(createLogger(session.logLevel), 'devnet', () => devnet.stop());
  signals.install();
  try {
    if (!(await startDevnet(devnet, signals, json, emit))) return;
    const mode = chooseMode(
      session.demo ?? (session.secret ? true : undefined),
      devnet.appIds.includes(VOTING_APP_ID),
      Boolean(out.isTTY),
      json,
    );
    if (mode === 'no-voting') {
      await devnet.stop();
      throw new ConfigError('CONFIG_INVALID', '--demo casts ballots, so the devnet must run the voting app (add --app voting)');
    }
    const live = new LiveStatus(devnet, out, json ? 'json' : out.isTTY ? 'tty' : 'lines');
    announceDevnet(json, emit, devnet, mode);
    const result = await runWhileUp(
      { devnet, signals, live, json, emit, keystore: session.keystore, secret: Boolean(session.secret) },
      mode,
    );
    live.stop();
    await devnet.stop();
    reportStopped(json, emit, signals.signal, devnet);
    if (mode === 'demo' && !signals.signal && result && 'passed' in result && !result.passed)
      throw new CairnError('DEMO_FAILED', `the devnet demo failed: ${result.failures.join('; ')}`);
    // A signal during the prompt leaves inquirer reading the terminal: nothing else is left to run.
    if (mode === 'prompt' && signals.signal) process.exit(0);
  } finally {
    signals.dispose();
  }
}

/**
 * `--demo`: the scripted vote; `--no-demo`: the live status only. Neither: in a terminal, the
 * vote prompt of node 0 (when the chain runs voting); elsewhere the scripted vote, which ends.
 */
export function chooseMode(demo: boolean | undefined, voting: boolean, tty: boolean, json: boolean): DevnetMode | 'no-voting' {
  if (demo === true) return voting ? 'demo' : 'no-voting';
  if (demo === false || !voting) return 'watch';
  if (!tty) return 'demo';
  return json ? 'watch' : 'prompt';
}

/** Starts the devnet; false when a signal cut the start short (the stop is reported then). */
async function startDevnet(devnet: Devnet, signals: DevnetSignals, json: boolean, emit: Emit): Promise<boolean> {
  try {
    await devnet.start();
    signals.started = true;
    return true;
  } catch (err) {
    if (signals.signal) {
      await devnet.stop();
      reportStopped(json, emit, signals.signal, devnet);
      return false;
    }
    throw err;
  }
}

/** What runs while the devnet is up: until a signal (watch), or until the demo or the prompt ends. */
async function runWhileUp(s: Session, mode: DevnetMode): Promise<DemoResult | SecretDemoResult | VotePromptResult | void> {
  const down = untilAllExited(s);
  let task: Promise<DemoResult | SecretDemoResult | VotePromptResult | void>;
  if (mode === 'demo' && s.secret) task = runSecretDemo(s.devnet, { json: s.json, log: (line) => s.emit(line) });
  else if (mode === 'demo') task = runDevnetDemo(s.devnet, { json: s.json, log: (line) => s.emit(line) });
  else if (mode === 'prompt') {
    s.signals.promptActive = true;
    task = runDevnetPrompt(s.devnet, s.keystore);
  } else {
    s.live.start();
    task = new Promise<void>(() => undefined);
  }
  try {
    return await Promise.race([task, s.signals.stopRequested, down]);
  } catch (err) {
    s.live.stop();
    await s.devnet.stop();
    throw err;
  } finally {
    s.signals.promptActive = false;
  }
}

/** Notes every child that exits; rejects with DEVNET_DOWN once no node is left running. */
function untilAllExited({ devnet, live, json, emit }: Session): Promise<never> {
  let allGone: (err: Error) => void = () => undefined;
  const down = new Promise<never>((_, reject) => (allGone = reject));
  down.catch(() => undefined);
  devnet.on('exit', (e: DevnetExit) => {
    if (json) emit({ event: 'exited', ...e });
    else live.note(`${e.name} exited unexpectedly: ${e.reason}`);
    if (devnet.nodes.every((n) => !n.child.running))
      allGone(new CairnError('DEVNET_DOWN', `every node of the devnet has exited; logs are in ${devnet.dir}`));
  });
  return down;
}
