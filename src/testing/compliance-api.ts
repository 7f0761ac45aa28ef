/**
 * What a compliance suite needs from a test runner: named groups and named async cases. vitest's
 * and mocha's `describe`/`it` fit as they are, so the suites depend on no runner; they assert
 * with node:assert and clean up inside each case, so no hooks are needed.
 */
export interface ComplianceTestApi {
  describe(name: string, body: () => void): void;
  /** `timeoutMs` is a hint for runners that take one (vitest's third argument). */
  it(name: string, body: () => Promise<void>, timeoutMs?: number): void;
}

/** Polls until `condition` holds; fails naming `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What `promise` rejects with; fails when it resolves. */
export async function rejectionOf(promise: Promise<unknown>, what: string): Promise<unknown> {
  let failure: unknown;
  let rejected = false;
  await promise.then(
    () => undefined,
    (e: unknown) => {
      rejected = true;
      failure = e;
    },
  );
  if (!rejected) throw new Error(`expected ${what} to fail, and it succeeded`);
  return failure;
}

/** The `code` of an error, when it has one. */
export function codeOf(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
}
