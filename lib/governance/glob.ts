import picomatch from 'picomatch';
import { canonicalKey } from '../core/gateway-path.js';

// Glob patterns matched on canonical keys (NFC, case-folded) on both sides, so that `SPECS/x.md`
// and `specs/x.md` are the same path to every rule. Matching itself is picomatch's (`**`, `*`,
// `?`, braces, classes); dotfiles match like any other name.

export type PathMatcher = (path: string) => boolean;

export function globMatcher(patterns: readonly string[]): PathMatcher {
  if (patterns.length === 0) return () => false;
  const isMatch = picomatch(patterns.map(canonicalKey), { dot: true });
  return (path) => isMatch(canonicalKey(path));
}
