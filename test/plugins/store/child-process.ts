import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** Children cannot import the TypeScript sources, so they use classic-level directly. */
export const classicLevelUrl = pathToFileURL(createRequire(import.meta.url).resolve('classic-level')).href;

export interface ScriptChild {
  process: ChildProcess;
  /** Complete lines written to stdout so far. */
  lines: string[];
  /** Resolves with the first line that satisfies `match`; rejects if the child exits first. */
  waitForLine(match: (line: string) => boolean): Promise<string>;
  /** SIGKILL (no chance to flush or close), then wait until its output has all arrived. */
  kill(): Promise<void>;
}

/** Runs an inline ES module in a fresh Node process. */
export function spawnScript(source: string, env: Record<string, string>): ScriptChild {
  const child = spawn(process.execPath, ['--input-type=module', '-e', source], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  const waiters: { match: (line: string) => boolean; resolve: (line: string) => void; reject: (err: Error) => void }[] = [];
  const gone = new Promise<void>((resolve) => child.once('close', () => resolve()));

  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    // A line cut by SIGKILL was never acknowledged: only newline-terminated lines count.
    partial = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.match(line))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  void gone.then(() => {
    for (const waiter of waiters.splice(0))
      waiter.reject(new Error(`child exited early (${child.exitCode ?? child.signalCode}): ${stderr}`));
  });

  return {
    process: child,
    lines,
    waitForLine(match) {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      if (child.exitCode !== null || child.signalCode !== null) return Promise.reject(new Error(`child already exited: ${stderr}`));
      return new Promise((resolve, reject) => waiters.push({ match, resolve, reject }));
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await gone;
    },
  };
}
