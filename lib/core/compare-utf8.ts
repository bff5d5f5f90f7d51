// Orders strings as their UTF-8 bytes order (git's order for paths and tree entries) without
// encoding them: UTF-16 order differs only where a surrogate pair (a code point above U+FFFF)
// meets a code unit in U+E000..U+FFFF, so surrogates are lifted above the whole BMP.

/** Where a UTF-16 code unit ranks in UTF-8 byte order (comparing ranks of the first differing units orders two strings). */
export function utf8Rank(unit: number): number {
  return unit >= 0xd800 && unit <= 0xdfff ? unit + 0x10000 : unit;
}

export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return utf8Rank(x) - utf8Rank(y);
  }
  return a.length - b.length;
}
