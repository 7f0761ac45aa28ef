import { verdictOf } from '../../kernel/index.js';
import { shortHash } from '../node-assembly.js';
import type { Devnet, NodeStatusResult } from './devnet.js';

/**
 * How the status is shown: `tty` redraws one line per node in place; `lines` prints a node's
 * line only when it changes (logs, pipes); `json` prints a `status` object when any node changes.
 */
export type LiveStatusMode = 'tty' | 'lines' | 'json';

export interface StatusOutput {
  write(text: string): unknown;
  columns?: number;
}

/** What a status line shows of a node; equal summaries print nothing new. */
export interface NodeSummary {
  index: number;
  height?: number;
  tip?: string;
  peers?: number;
  mempool?: number;
  syncing?: boolean;
  rejections?: number;
  error?: string;
}

export function summarize(r: NodeStatusResult): NodeSummary {
  if (!r.status) return { index: r.index, error: r.error?.code ?? 'NO_ANSWER' };
  const s = r.status;
  // An ignore verdict (a block it had already, from a race) is routine on a healthy devnet: only count what blamed the sender.
  const rejections = Object.entries(s.rejections).reduce((sum, [code, n]) => (verdictOf(code) === 'reject' ? sum + n : sum), 0);
  return { index: r.index, height: s.height, tip: s.tip, peers: s.peers, mempool: s.mempool, syncing: s.syncing, rejections };
}

export function statusLine(s: NodeSummary, width = 1): string {
  const name = `node ${String(s.index).padStart(width)}`;
  if (s.error !== undefined) return `${name}  ${s.error === 'NODE_EXITED' ? 'exited' : `not answering (${s.error})`}`;
  const parts = [
    name,
    `height ${String(s.height).padStart(4)}`,
    `tip ${shortHash(s.tip ?? '')}`,
    `peers ${String(s.peers).padStart(2)}`,
    `mempool ${String(s.mempool).padStart(3)}`,
    s.syncing ? 'syncing' : 'synced',
  ];
  if (s.rejections) parts.push(`rejections ${s.rejections}`);
  return parts.join('  ');
}

const ESC = '\x1b[';

/** Polls every node's status about once a second and shows it; `stop()` ends the polling. */
export class LiveStatus {
  private timer?: NodeJS.Timeout;
  private running = false;
  private lines: string[] = [];
  private rendered = 0;
  private previous: string[] = [];
  private previousJson = '';

  constructor(
    private readonly devnet: Devnet,
    private readonly out: StatusOutput,
    private readonly mode: LiveStatusMode,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.poll();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  /** Prints a line of its own; on a terminal, above the redrawn status lines. */
  note(line: string): void {
    if (this.mode !== 'tty' || this.rendered === 0) {
      this.out.write(`${line}\n`);
      return;
    }
    this.out.write(`${ESC}${this.rendered}A\r${ESC}J${line}\n`);
    this.rendered = 0;
    this.draw();
  }

  /** One poll and display; exposed so a caller can show the state right now. */
  async poll(): Promise<void> {
    try {
      const results = await this.devnet.statuses();
      if (!this.running) return;
      this.show(results.map(summarize));
    } finally {
      if (this.running) this.timer = setTimeout(() => void this.poll(), this.intervalMs);
    }
  }

  private show(summaries: NodeSummary[]): void {
    if (this.mode === 'json') {
      const text = JSON.stringify({ event: 'status', nodes: summaries });
      if (text !== this.previousJson) this.out.write(`${text}\n`);
      this.previousJson = text;
      return;
    }
    const width = String(summaries.length - 1).length;
    this.lines = summaries.map((s) => statusLine(s, width));
    if (this.mode === 'lines') {
      this.lines.forEach((line, i) => {
        if (line !== this.previous[i]) this.out.write(`${line}\n`);
      });
      this.previous = this.lines;
      return;
    }
    this.draw();
  }

  private draw(): void {
    // A line wider than the terminal wraps and would break the cursor arithmetic: cut it.
    const columns = this.out.columns && this.out.columns > 1 ? this.out.columns - 1 : Infinity;
    const up = this.rendered > 0 ? `${ESC}${this.rendered}A` : '';
    const body = this.lines.map((l) => `\r${ESC}2K${l.slice(0, columns)}\n`).join('');
    this.out.write(`${up}${body}${ESC}J`);
    this.rendered = this.lines.length;
  }
}
