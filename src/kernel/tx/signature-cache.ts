/**
 * Signatures this node has already verified, keyed by transaction id and signature (the id
 * covers everything signed, chain id included). A transaction is verified when it enters the
 * mempool and would be verified again in every block that carries it, on every competing
 * branch: Bitcoin Core keeps the same kind of cache for the same reason. Two generations
 * bound the memory: when the young one is full it becomes the old one, so recent entries
 * survive a turnover, and a miss only costs one more verify.
 */
export class SignatureCache {
  private young = new Set<string>();
  private old = new Set<string>();

  constructor(private readonly generation = 50_000) {}

  has(id: string, sig: string): boolean {
    const key = id + sig;
    return this.young.has(key) || this.old.has(key);
  }

  add(id: string, sig: string): void {
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Set();
    }
    this.young.add(id + sig);
  }
}
