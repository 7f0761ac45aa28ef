import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Every CLI process a test starts inherits this CAIRN_HOME, so no test reads or writes the
 * keystore, config or data dir of the user who runs the suite.
 */
export default function setup(): () => void {
  const home = mkdtempSync(path.join(tmpdir(), 'cairn-test-home-'));
  process.env.CAIRN_HOME = home;
  return () => rmSync(home, { recursive: true, force: true });
}
