import type { TxProgress } from './tx-client.js';

/**
 * Shows a transaction on its way into a block. On a terminal one line is rewritten in place
 * (`mining… block 12 has not taken it yet`); elsewhere each new stage is one line, so a log or
 * a test sees every step once.
 */
export class ProgressLine {
  private last = '';
  private lastStage?: string;
  private open = false;

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly label = 'ballot',
  ) {}

  update = (progress: TxProgress): void => {
    // Said the moment it happens: a wait that fails later must not hide a key it left behind.
    if (progress.stage === 'submitted')
      for (const key of progress.createdKeys) this.line(`created key '${key.name}' (${key.publicKey}) in ${key.file}`);
    // Off a terminal a line cannot be rewritten: one line per stage (and per block that holds
    // the transaction), not one per block mined.
    const stage = progress.stage === 'submitted' || progress.stage === 'mining' ? 'waiting' : `${progress.stage} ${progress.blockHash}`;
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
      case 'confirming':
        return `in block ${p.height} (hash ${p.blockHash}): ${confirmations(p.confirmations)} of ${p.wanted}, waiting for more blocks`;
      case 'orphaned':
        return `block ${p.height} (hash ${p.blockHash}) left the best chain in a fork: ${this.label} ${id} is waiting for a block again`;
      case 'counted':
        return `counted in block ${p.height} (hash ${p.blockHash}) with ${confirmations(p.confirmations)}`;
    }
  }

  /** A line of its own, above the one rewritten in place. */
  private line(text: string): void {
    this.end();
    this.out.write(`${text}\n`);
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

export function confirmations(n: number): string {
  return `${n} confirmation${n === 1 ? '' : 's'}`;
}
