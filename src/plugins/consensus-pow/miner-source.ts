/**
 * The miner process, as plain JavaScript run with `node -e`: a source string works the same
 * whether the plugin runs compiled from dist/ or as TypeScript under vitest, where forking a
 * module file would need a TypeScript loader in the child.
 *
 * Protocol (IPC, JSON): the parent sends `{ t: 'job', id, header, target, start, stride }` and
 * `{ t: 'halt', id }`; the miner answers every job exactly once with `found` (with `nonce` and
 * `hash`), `halted` or `exhausted`, each carrying the hashes it computed for that job.
 *
 * It hashes in batches sized to about `batchMs` of wall time and yields with setImmediate
 * between them, so a halt, a new job or a closed channel is seen within one batch. It exits
 * when the channel closes: a parent killed with SIGKILL leaves no miner behind.
 */
export const MINER_SOURCE = String.raw`'use strict';
const { hash } = require('node:crypto');
if (typeof process.send !== 'function') process.exit(2);
const BATCH_MS = Number(process.argv[1]) > 0 ? Number(process.argv[1]) : 10;
const TWO32 = 4294967296;
const buf = Buffer.alloc(118);
let job = null;
let batch = 2048;
let scheduled = false;

process.on('disconnect', () => process.exit(0));
process.on('message', (m) => {
  if (m.t === 'job') {
    if (job) end('halted');
    buf.write(m.header, 0, 118, 'hex');
    job = { id: m.id, target: m.target, next: m.start, stride: m.stride, hashes: 0 };
    if (!scheduled) { scheduled = true; setImmediate(run); }
  } else if (m.t === 'halt') {
    if (job && job.id === m.id) end('halted');
    else process.send({ t: 'halted', id: m.id, hashes: 0 });
  }
});

function end(t, extra) {
  process.send(Object.assign({ t, id: job.id, hashes: job.hashes }, extra));
  job = null;
}

function run() {
  scheduled = false;
  if (!job) return;
  const target = job.target;
  const stride = job.stride;
  let n = job.next;
  let found = -1;
  let h = '';
  let i = 0;
  const t0 = performance.now();
  buf.writeUInt32BE(Math.floor(n / TWO32), 110);
  for (; i < batch; i++) {
    if (n > Number.MAX_SAFE_INTEGER) break;
    // n >>> 0 is n mod 2^32 even above 2^32: the low word of the big-endian u64 nonce.
    const lo = n >>> 0;
    buf[114] = lo >>> 24;
    buf[115] = (lo >>> 16) & 255;
    buf[116] = (lo >>> 8) & 255;
    buf[117] = lo & 255;
    h = hash('sha256', buf, 'hex');
    if (h <= target) { found = n; i++; break; }
    n += stride;
    if ((n >>> 0) < lo) buf.writeUInt32BE(Math.floor(n / TWO32), 110);
  }
  job.hashes += i;
  job.next = n;
  if (found >= 0) return end('found', { nonce: found, hash: h });
  if (n > Number.MAX_SAFE_INTEGER) return end('exhausted');
  const elapsed = performance.now() - t0;
  if (elapsed > 0) batch = Math.max(256, Math.min(1 << 20, Math.round((batch * BATCH_MS) / elapsed)));
  scheduled = true;
  setImmediate(run);
}
`;
