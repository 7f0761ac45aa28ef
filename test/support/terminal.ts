import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

// Escape sequences are control characters by definition: that is what this pattern strips.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]/g;

/** Whether util-linux `script` is here to give a command a pseudo-terminal. */
export const HAS_SCRIPT = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

export const KEY = { enter: '\r', down: '\x1b[B', up: '\x1b[A', ctrlC: '\x03' } as const;

function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * A command in a real pseudo-terminal (`script -qfec CMD /dev/null`): its stdin and stdout are
 * a TTY, so prompts behave as for a person. Keys are written to the terminal; the screen text
 * (ANSI codes removed) is read in order with `expect`.
 */
export class TerminalSession {
  readonly child: ChildProcess;
  raw = '';
  private cursor = 0;
  readonly exited: Promise<number | null>;

  constructor(argv: string[], env: NodeJS.ProcessEnv = {}) {
    const command = `stty cols 120 rows 40; exec ${argv.map(shellQuote).join(' ')}`;
    this.child = spawn('script', ['-qfec', command, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, TERM: 'xterm', ...env },
    });
    this.child.stdout!.on('data', (d) => (this.raw += d));
    this.child.stderr!.on('data', (d) => (this.raw += d));
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code)));
  }

  /** Everything shown so far, without colours and cursor moves. */
  get text(): string {
    return this.raw.replace(ANSI, '');
  }

  /** Waits for `pattern` after the previous match and moves past it; returns the match. */
  async expect(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = this.text.slice(this.cursor);
      const match = pattern.exec(rest);
      if (match) {
        this.cursor += match.index + match[0].length;
        return match;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} on the terminal; it shows:\n${rest.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 30));
    }
  }

  type(keys: string): void {
    this.child.stdin!.write(keys);
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
