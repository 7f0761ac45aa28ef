// Secret-ballot cryptography per core: encryption and verification of a ballot against the
// point multiplications it needs, at the multiplication rates measured in this same run; the
// tally's discrete logarithm for large electorates; the size of a ballot.
import {
  encodeBallot,
  fixedBase,
  encryptBallot,
  G,
  publicMul,
  randomScalar,
  secretMul,
  smallDiscreteLog,
  smallMul,
  verifyBallot,
} from '../dist/apps/voting/crypto/index.js';

export const title = 'elections: secret ballots (ristretto255, one core)';

const SECONDS = Number(process.env.BENCH_ELECTION_SECONDS ?? 1.5);
const CTX = { chainId: 'c'.repeat(64), electionId: 'bench', signer: 'a'.repeat(64) };

/** Calls of `fn` per second over about `seconds`, after a warm-up. */
function rate(fn, seconds = SECONDS) {
  for (let i = 0; i < 5; i++) fn(i);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) fn(n++);
  return n / ((performance.now() - t0) / 1000);
}

function multiplicationRates() {
  const scalars = Array.from({ length: 64 }, () => randomScalar());
  const key = fixedBase(secretMul(G, randomScalar()));
  // A fresh point each time, as a ballot's ciphertexts are: no table helps.
  const fresh = Array.from({ length: 64 }, () => secretMul(G, randomScalar()));
  return {
    ctBase: rate((i) => secretMul(G, scalars[i % 64])),
    ctKey: rate((i) => secretMul(key, scalars[i % 64])),
    fastBase: rate((i) => publicMul(G, scalars[i % 64])),
    fastKey: rate((i) => publicMul(key, scalars[i % 64])),
    fastFresh: rate((i) => publicMul(fresh[i % 64], scalars[(i + 1) % 64])),
  };
}

/**
 * Seconds a ballot of n choices (one selected) cannot beat, from what it multiplies. Each of
 * its 2n + 1 proof branches (two per selection, one for the count) checks s·G − c·a and
 * s·Y − c·(b − m·G): a product by G, one by the election key Y (both with tables) and two by
 * the ballot's own points. Encrypting also computes r·G and r·Y per selection and w·G, w·Y per
 * true branch in constant time (secrets), and simulates the n false branches (public values).
 */
function bounds(n, r) {
  const branch = 1 / r.fastBase + 1 / r.fastKey + 2 / r.fastFresh;
  return {
    encrypt: (2 * n + 1) * (1 / r.ctBase + 1 / r.ctKey) + n * branch,
    verify: (2 * n + 1) * branch,
  };
}

function ballotRow(n, rates) {
  const x = randomScalar();
  const y = secretMul(G, x);
  const rule = { choices: n, min: 1, max: 1 };
  const vector = Array.from({ length: n }, (_, i) => (i === 0 ? 1 : 0));
  const encryptRate = rate(() => encryptBallot(CTX, y, rule, vector));
  const { ballot } = encryptBallot(CTX, y, rule, vector);
  const verifyRate = rate(() => verifyBallot(CTX, y, rule, ballot));
  const bound = bounds(n, rates);
  return {
    n,
    encryptRate,
    verifyRate,
    encryptRatio: encryptRate * bound.encrypt,
    verifyRatio: verifyRate * bound.verify,
    bytes: Buffer.byteLength(JSON.stringify(encodeBallot(ballot))),
  };
}

function dlogSeconds(voters) {
  const target = smallMul(voters - 1);
  const t0 = performance.now();
  if (smallDiscreteLog(target, voters) !== voters - 1) throw new Error('discrete log gave a wrong count');
  return (performance.now() - t0) / 1000;
}

export async function run() {
  const rates = multiplicationRates();
  const rows = [
    ['multiply, constant time: G', `${Math.round(rates.ctBase)}/s`, ''],
    ['multiply, constant time: election key (table)', `${Math.round(rates.ctKey)}/s`, ''],
    ['multiply, variable time: G', `${Math.round(rates.fastBase)}/s`, ''],
    ['multiply, variable time: election key (table)', `${Math.round(rates.fastKey)}/s`, ''],
    ['multiply, variable time: a fresh point', `${Math.round(rates.fastFresh)}/s`, ''],
  ];
  for (const n of [2, 4, 10]) {
    const b = ballotRow(n, rates);
    rows.push([
      `ballot of ${n} choices: encrypt + prove`,
      `${b.encryptRate.toFixed(0)}/s (${b.encryptRatio.toFixed(2)} of bound)`,
      '≥ 0.8 of bound',
    ]);
    rows.push([`ballot of ${n} choices: verify`, `${b.verifyRate.toFixed(0)}/s (${b.verifyRatio.toFixed(2)} of bound)`, '≥ 0.8 of bound']);
    rows.push([`ballot of ${n} choices: size (JSON)`, `${b.bytes} B`, '']);
  }
  for (const voters of [10_000, 1_000_000])
    rows.push([`tally discrete log, ${voters.toLocaleString('en')} voters`, `${(dlogSeconds(voters) * 1000).toFixed(0)} ms`, '']);
  return {
    rows,
    notes: [
      'bound: the time of the multiplications a ballot needs at the rates above, measured in this run; ratio = bound / measured time',
      'secrets (encryption randomness, proof nonces) use the constant-time multiply; public values (challenges, responses) the variable-time one',
      'a tally decrypts one discrete log per choice: the worst case (every voter on one choice) is timed',
    ],
  };
}
