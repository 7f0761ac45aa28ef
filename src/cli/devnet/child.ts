import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CairnError } from '../../kernel/index.js';

/** The cairn executable that runs this code, so children are the same build as their parent. */
export const CAIRN_BIN = fileURLToPath(new URL('../../../bin/run.js', import.meta.url));

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface CairnChildOptions {
  /** Who this is in messages: `tracker`, `node 2`. */
  name: string;
  /** Arguments after `cairn`; the child runs with `--json` so its lines can be read. */
  args: string[];
  /**
   * The child's own log file (it writes it itself); what else it says that only the devnet
   * sees, its `{"error": ...}` line and stderr text such as a crash, is appended here too.
   */
  logFile: string;
  env?: NodeJS.ProcessEnv;
}

/** How many stdout lines a child keeps, to explain a failure. */
const KEPT_LINES = 50;
/** How long an exit waits for the child's last stdout lines (its error) to be read. */
const LAST_LINES_MS = 1000;

/**
 * A cairn command run as a child process with `--json`: its stdout lines are parsed as they
 * come (`line` events), it writes its logs to its file, and its stderr goes there too. The child leads its own process group, so a
 * Ctrl-C at the terminal reaches only the devnet, which stops its children in order, and a
 * kill of the group also reaches the child's own children (miner processes).
 */
export class CairnChild extends EventEmitter<{ line: [Record<string, unknown>]; exit: [ChildExit] }> {
  readonly name: string;
  readonly process: ChildProcess;
  readonly logFile: string;
  /** The last stdout lines, newest last. */
  readonly lines: string[] = [];
  exit?: ChildExit;
  private readonly exited: Promise<ChildExit>;

  constructor(options: CairnChildOptions) {
    super();
    this.name = options.name;
    this.logFile = options.logFile;
    this.process = spawn(process.execPath, [CAIRN_BIN, ...options.args, '--json'], {
      // The child stops by itself if this process dies without stopping it (see untilStopSignal).
      env: { ...process.env, ...options.env, CAIRN_PARENT_PID: String(process.pid) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    createInterface({ input: this.process.stderr! }).on('line', (text) => this.keepStderr(text));
    let stdoutClosed = false;
    const lines = createInterface({ input: this.process.stdout! });
    lines.once('close', () => (stdoutClosed = true));
    lines.on('line', (text) => {
      this.lines.push(text);
      // The log keeps what the child said of its own failure, next to its structured logs.
      if (text.startsWith('{"error":')) this.keepInLog(text);
      if (this.lines.length > KEPT_LINES) this.lines.shift();
      if (!text.startsWith('{')) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return;
      }
      if (parsed && typeof parsed === 'object') this.emit('line', parsed as Record<string, unknown>);
    });
    this.exited = new Promise((resolve) => {
      // 'exit' may come before the last stdout lines are read, and they say why it ended.
      this.process.once('exit', (code, signal) => {
        const settle = () => {
          clearTimeout(timer);
          if (this.exit) return;
          this.exit = { code, signal };
          resolve(this.exit);
          this.emit('exit', this.exit);
        };
        const timer = setTimeout(settle, LAST_LINES_MS);
        if (stdoutClosed) settle();
        else lines.once('close', settle);
      });
      // A failed spawn has no exit event of its own.
      this.process.once('error', (err) => {
        if (this.exit) return;
        this.exit = { code: null, signal: null };
        this.lines.push(JSON.stringify({ error: { code: 'SPAWN_FAILED', message: err.message } }));
        resolve(this.exit);
        this.emit('exit', this.exit);
      });
    });
  }

  /**
   * A line of the child's stderr: a log line is in its file already (the child wrote it there
   * as well); anything else, a stack trace or a warning printed before its logger existed, is
   * kept as a log line of its own, so the file stays one JSON object per line.
   */
  private keepStderr(text: string): void {
    if (text.trim() === '' || isLogLine(text)) return;
    this.keepInLog(JSON.stringify({ level: 50, time: Date.now(), pid: this.pid, stream: 'stderr', msg: text }));
  }

  private keepInLog(text: string): void {
    try {
      appendFileSync(this.logFile, `${text}\n`);
    } catch {
      // the devnet's temp dir is already gone: the line is still in `lines`
    }
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** Resolves with the child's `{"event":"started",...}` line; rejects if it exits or is slow. */
  started(timeoutMs: number): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.off('line', onLine);
        this.off('exit', onExit);
      };
      const onLine = (line: Record<string, unknown>) => {
        if (line.event !== 'started') return;
        done();
        resolve(line);
      };
      const onExit = () => {
        done();
        reject(new CairnError('DEVNET_START_FAILED', `${this.name} failed to start: ${this.failure()}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new CairnError('DEVNET_START_FAILED', `${this.name} did not start within ${timeoutMs / 1000} s (its log: ${this.logFile})`));
      }, timeoutMs);
      this.on('line', onLine);
      this.on('exit', onExit);
      if (!this.running) onExit();
    });
  }

  /** Why the child ended, in a few words: its own error sentence when it printed one. */
  failure(): string {
    for (let i = this.lines.length - 1; i >= 0; i--) {
      try {
        const { error } = JSON.parse(this.lines[i]!) as { error?: { code?: string; message?: string } };
        if (error?.message) return `${error.message}${error.code ? ` (${error.code})` : ''}`;
      } catch {
        // not an error line
      }
    }
    const how = this.exit?.signal ? `killed by ${this.exit.signal}` : `exit code ${this.exit?.code ?? 'unknown'}`;
    return `${how} (its log: ${this.logFile})`;
  }

  /** SIGTERM, then SIGKILL to its whole process group after `graceMs`; resolves once it has exited. */
  async stop(graceMs: number): Promise<ChildExit> {
    if (!this.running) return this.exited;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.kill(), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
      // Grandchildren (miners) exit when their parent's channel closes; a group kill makes sure.
      this.killGroup();
    }
  }

  /** SIGKILL the child and its process group at once. Synchronous: safe in an `exit` handler. */
  kill(): void {
    this.killGroup();
    this.signal('SIGKILL');
  }

  private signal(signal: NodeJS.Signals): void {
    if (!this.running) return;
    try {
      this.process.kill(signal);
    } catch {
      // already gone
    }
  }

  private killGroup(): void {
    if (this.pid === undefined) return;
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // no such group: everyone in it has exited
    }
  }
}

/** A pino line: a JSON object with a numeric level and a time. */
function isLogLine(text: string): boolean {
  if (!text.startsWith('{')) return false;
  try {
    const parsed = JSON.parse(text) as { level?: unknown; time?: unknown };
    return typeof parsed.level === 'number' && typeof parsed.time === 'number';
  } catch {
    return false;
  }
}
