/**
 * Lexicographic order of dotted numeric OIDs without splitting strings into
 * arrays: the walk compares every row, so this must not allocate.
 * Returns <0, 0 or >0 like a sort comparator.
 */
export function compareOids(a: string, b: string): number {
  let i = 0;
  let j = 0;
  const aLen = a.length;
  const bLen = b.length;
  while (i < aLen && j < bLen) {
    let x = 0;
    let y = 0;
    let code: number;
    while (i < aLen && (code = a.charCodeAt(i)) !== 46) {
      x = x * 10 + (code - 48);
      i++;
    }
    while (j < bLen && (code = b.charCodeAt(j)) !== 46) {
      y = y * 10 + (code - 48);
      j++;
    }
    if (x !== y) return x < y ? -1 : 1;
    i++;
    j++;
  }
  // One is a prefix of the other: the shorter sorts first.
  const aDone = i >= aLen;
  const bDone = j >= bLen;
  if (aDone && bDone) return 0;
  return aDone ? -1 : 1;
}

/** True when `oid` lies strictly below `root` (root itself is not in its own subtree). */
export function isInSubtree(root: string, oid: string): boolean {
  return oid.length > root.length && oid.charCodeAt(root.length) === 46 && oid.startsWith(root);
}
