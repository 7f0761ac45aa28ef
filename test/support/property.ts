import fc from 'fast-check';

/**
 * One seed for every property of a run: `CAIRN_PROP_SEED=N` replays a failure exactly, and a
 * run without it picks a fresh seed so repeated runs explore new inputs. `CAIRN_PROP_RUNS=K`
 * multiplies every property's run count, for a longer soak than CI affords.
 */
function readSeed(): number {
  const text = process.env.CAIRN_PROP_SEED;
  if (text === undefined || text.trim() === '') return (Date.now() ^ Math.floor(Math.random() * 0x1_0000_0000)) | 0;
  const seed = Number(text);
  if (!Number.isInteger(seed)) throw new Error(`CAIRN_PROP_SEED must be an integer, not '${text}'`);
  return seed | 0;
}

function readScale(): number {
  const text = process.env.CAIRN_PROP_RUNS;
  if (text === undefined || text.trim() === '') return 1;
  const scale = Number(text);
  if (!(scale > 0)) throw new Error(`CAIRN_PROP_RUNS must be a positive number, not '${text}'`);
  return scale;
}

export const PROPERTY_SEED = readSeed();
const SCALE = readScale();

function withReplayHint(err: unknown): never {
  // fast-check's own report already names `{ seed, path }`; the env var is what a person types to replay.
  if (err instanceof Error) err.message = `Replay with CAIRN_PROP_SEED=${PROPERTY_SEED}\n${err.message}`;
  throw err;
}

function options(numRuns: number): fc.Parameters<unknown> {
  return { seed: PROPERTY_SEED, numRuns: Math.max(1, Math.round(numRuns * SCALE)) };
}

/** `fc.assert` with the run's seed; a failure message starts with the line that replays it. */
export function check<Ts extends [unknown, ...unknown[]]>(property: fc.IProperty<Ts>, numRuns: number): void {
  try {
    fc.assert(property, options(numRuns) as fc.Parameters<Ts>);
  } catch (err) {
    withReplayHint(err);
  }
}

export async function checkAsync<Ts extends [unknown, ...unknown[]]>(property: fc.IAsyncProperty<Ts>, numRuns: number): Promise<void> {
  try {
    await fc.assert(property, options(numRuns) as fc.Parameters<Ts>);
  } catch (err) {
    withReplayHint(err);
  }
}
