import type { TxProgress } from './voting-client.js';

/**
 * Shows a transaction on its way into a block. On a terminal one line is rewritten in place
 * (`mining… block 12 has not taken it yet`); elsewhere each new stage is one line, so a log or
 * a test sees every step once.
 */
export class ProgressLine {
  private last = '';
  private lastStage?: 'waiting' | 'counted';
  private open = false;

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly label = 'ballot',
  ) {}

  update = (progress: TxProgress): void => {
    // Off a terminal a line cannot be rewritten: one line per stage, not one per block.
    const stage = progress.stage === 'counted' ? 'counted' : 'waiting';
    if (!this.out.isTTY && stage === this.lastStage) return;
    this.lastStage = stage;
    this.show(this.text(progress), progress.stage === 'counted');
  };

  /** Ends an in-place line (before printing a refusal or anything else). */
  end(): void {
    if (this.open) this.out.write('\n');
    this.open = false;
  }

  private text(p: TxProgress): string {
    const id = p.txId.slice(0, 12);
    switch (p.stage) {
      case 'submitted':
        return `mining… ${this.label} ${id} ${p.known ? 'was already' : 'is'} waiting for a block`;
      case 'mining':
        return `mining… ${this.label} ${id} is waiting for a block (tip at block ${p.tipHeight})`;
      case 'counted':
        return `counted in block ${p.height} (hash ${p.blockHash})`;
    }
  }

  private show(text: string, final: boolean): void {
    if (text === this.last && !final) return;
    this.last = text;
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[K${text}`);
      this.open = true;
      if (final) this.end();
    } else {
      this.out.write(`${text}\n`);
    }
  }
}
