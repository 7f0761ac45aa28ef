export { seededRandom } from '../../kernel/index.js';

export function randomBytes(random: () => number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(random() * 256);
  return out;
}

export function randomHex(random: () => number, bytes: number): string {
  return randomBytes(random, bytes).toString('hex');
}
