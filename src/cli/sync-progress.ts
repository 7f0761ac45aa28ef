/**
 * A one-line progress bar for a node far behind its peers, redrawn in place on a terminal and
 * silent elsewhere (a log file or a pipe gets the block lines, not a bar).
 */
export class SyncProgress {
  private shown = false;

  constructor(
    private readonly out: NodeJS.WriteStream,
    /** Below this many blocks behind, a bar is noise. */
    private readonly minBehind = 100,
  ) {}

  update(height: number, target: number): void {
    if (!this.out.isTTY) return;
    if (target - height < this.minBehind && !this.shown) return;
    const width = 30;
    const ratio = target > 0 ? Math.min(1, height / target) : 1;
    const filled = Math.round(ratio * width);
    this.out.write(`\rsyncing [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(ratio * 100).toFixed(0)}% ${height}/${target}`);
    this.shown = true;
    if (height >= target) {
      this.out.write('\n');
      this.shown = false;
    }
  }
}
