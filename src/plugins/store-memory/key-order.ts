/**
 * Compares strings by code point, which is the byte order of their UTF-8 encoding: the
 * order LevelDB keeps. Plain `<` compares UTF-16 code units and would put '😀' before
 * '\uFFFD', so a simulation on the memory store would iterate in another order than a
 * node on disk.
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Lifts surrogates (the halves of code points above U+FFFF) above the rest of the BMP. */
function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}
