// Mining throughput against OpenSSL's own SHA-256 rate, scaling over cores, the parent's
// event-loop lag while every core mines, and how fast an abort takes effect.
import { execFileSync } from 'node:child_process';
import { hash } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatRate, percentile } from './table.mjs';

export const title = 'hashing: proof-of-work sealing';

const SECONDS = Number(process.env.BENCH_HASH_SECONDS ?? 3);
const ABORT_ROUNDS = Number(process.env.BENCH_ABORT_ROUNDS ?? 40);
const IMPOSSIBLE = '0'.repeat(64);

function header() {
  return { version: 1, height: 1, prev: 'ab'.repeat(32), txRoot: 'cd'.repeat(32), time: Date.now(), target: IMPOSSIBLE, nonce: 0 };
}

/**
 * OpenSSL's 64-byte SHA-256 rate in hashes/s (two compressions, like the 118-byte header), or
 * null without the binary. `-elapsed` divides by wall time, as every other figure here does;
 * openssl's default of CPU time would flatter it whenever other processes share the cores.
 */
function opensslRate() {
  try {
    const out = execFileSync('openssl', ['speed', '-elapsed', '-evp', 'sha256', '-bytes', '64', '-seconds', '2'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const match = /^sha256\s+([\d.]+)k/m.exec(out);
    return match ? (Number(match[1]) * 1000) / 64 : null;
  } catch {
    return null;
  }
}

/** The ceiling for Node on one core: crypto.hash over a reused 118-byte buffer in a tight loop. */
function rawNodeRate(ms = 2000) {
  const buf = Buffer.alloc(118, 7);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 20_000; i++) {
      buf[117] = n & 255;
      buf[116] = (n >>> 8) & 255;
      n++;
      if (hash('sha256', buf, 'hex') <= IMPOSSIBLE) throw new Error('impossible');
    }
  }
  return n / ((performance.now() - t0) / 1000);
}

/** Seals at an impossible target for `seconds`, after a warm-up that spawns the miners and warms their JIT. */
async function poolRate(PowConsensus, miners, seconds, { niceness, onMeasure = () => undefined } = {}) {
  const pow = new PowConsensus({
    consensus: { policy: 'fixed', blockTimeMs: 1000, initialTarget: IMPOSSIBLE, halfLifeMs: 1000 },
    miners,
    niceness,
  });
  try {
    await sealFor(pow, 500);
    const before = pow.hashes;
    const t0 = performance.now();
    const stopMeasure = onMeasure();
    await sealFor(pow, seconds * 1000);
    stopMeasure?.();
    return (pow.hashes - before) / ((performance.now() - t0) / 1000);
  } finally {
    await pow.stop();
  }
}

async function sealFor(pow, ms) {
  const controller = new AbortController();
  const sealing = pow.seal(header(), controller.signal);
  await sleep(ms);
  controller.abort();
  await sealing;
  await pow.minersIdle();
}

async function abortLatency(PowConsensus, miners, rounds) {
  const pow = new PowConsensus({ consensus: { policy: 'fixed', blockTimeMs: 1000, initialTarget: IMPOSSIBLE, halfLifeMs: 1000 }, miners });
  const resolved = [];
  const quiet = [];
  try {
    await sealFor(pow, 300);
    for (let i = 0; i < rounds; i++) {
      const controller = new AbortController();
      const sealing = pow.seal(header(), controller.signal);
      await sleep(20 + Math.random() * 60);
      const t0 = performance.now();
      controller.abort();
      await sealing;
      resolved.push(performance.now() - t0);
      await pow.minersIdle();
      quiet.push(performance.now() - t0);
    }
  } finally {
    await pow.stop();
  }
  return { resolved: resolved.sort((a, b) => a - b), quiet: quiet.sort((a, b) => a - b) };
}

export async function run() {
  const { PowConsensus } = await import('../dist/plugins/consensus-pow/index.js');
  const cores = availableParallelism();
  const notes = [];
  const [load] = loadavg();
  if (load > 0.5) notes.push(`load average ${load.toFixed(2)} before the run: other processes compete, and niced miners yield to them`);

  const openssl = opensslRate();
  const raw = rawNodeRate();
  const reference = openssl ?? raw;
  if (openssl === null) notes.push('no openssl binary: the reference is a raw single-process crypto.hash loop instead');

  // Capacity at the priority openssl runs at; responsiveness at the default niceness.
  const one = await poolRate(PowConsensus, 1, SECONDS, { niceness: 0 });
  const all = await poolRate(PowConsensus, cores, SECONDS, { niceness: 0 });
  const lag = monitorEventLoopDelay({ resolution: 1 });
  const allNiced = await poolRate(PowConsensus, cores, SECONDS, {
    onMeasure: () => {
      lag.enable();
      return () => lag.disable();
    },
  });
  const aborts = await abortLatency(PowConsensus, cores, ABORT_ROUNDS);

  const ms = (v) => `${v.toFixed(1)} ms`;
  const rows = [
    [openssl === null ? 'reference: raw crypto.hash loop' : 'openssl speed sha256, 64 B, 1 core', formatRate(reference), ''],
    ['raw crypto.hash loop, 118 B, 1 core', formatRate(raw), ''],
    ['miner pool, 1 process', formatRate(one), ''],
    ['  ratio to the reference', (one / reference).toFixed(2), '>= 0.60'],
    [`miner pool, ${cores} processes`, formatRate(all), ''],
    ['  scaling over 1 process', `${(all / one).toFixed(2)}x`, cores > 1 ? `>= ${(0.9 * cores).toFixed(1)}x` : ''],
    [`miner pool, ${cores} processes, niceness 10 (default)`, formatRate(allNiced), ''],
    ['  parent event-loop lag p99', ms(lag.percentile(99) / 1e6), '< 20 ms'],
    ['  parent event-loop lag max', ms(lag.max / 1e6), ''],
    ['abort -> seal resolves null, p50 / p99', `${ms(percentile(aborts.resolved, 50))} / ${ms(percentile(aborts.resolved, 99))}`, ''],
    ['abort -> all miners quiet, p50 / p99', `${ms(percentile(aborts.quiet, 50))} / ${ms(percentile(aborts.quiet, 99))}`, '< 50 ms'],
  ];
  notes.push(`${SECONDS} s per rate, ${ABORT_ROUNDS} aborts; capacity rows at niceness 0 like openssl; ~10 ms hashing batches`);
  return { rows, notes };
}
