import { describe, it } from 'vitest';
import type { ComplianceTestApi } from '../../src/testing/index.js';

/** The compliance suites of `@cairn-chain/cairn/testing`, run by vitest. */
export const vitestApi: ComplianceTestApi = {
  describe: (name, body) => describe(name, body),
  it: (name, body, timeoutMs) => it(name, body, timeoutMs),
};
