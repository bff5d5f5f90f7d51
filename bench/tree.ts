import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Deterministic trees for the benchmark: the same seed gives the same files, byte for byte.
// Mostly text (as source trees are), a tenth binary, sizes spread around a mean, files spread
// over nested directories; every mtime an hour in the past so neither tool sees racy entries.

export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

const words =
  'the state of a repository changes when an agent writes files through the gateway and coo records every tree as a commit with a manifest of content identifiers function const return import export class interface value'.split(
    ' ',
  );

export function content(random: () => number, size: number, binary: boolean): Buffer {
  const out = Buffer.alloc(size);
  if (binary) {
    for (let i = 0; i < size; i++) out[i] = Math.floor(random() * 256);
    return out;
  }
  let at = 0;
  while (at < size) {
    const word = words[Math.floor(random() * words.length)] as string;
    at += out.write(random() < 0.1 ? `${word}\n` : `${word} `, at);
  }
  return out;
}

export interface TreeSpec {
  readonly files: number;
  readonly meanBytes: number;
  readonly seed: number;
}

export function relPath(i: number): string {
  return `d${i % 17}/e${i % 101}/f${i}.txt`;
}

export function buildTree(dir: string, spec: TreeSpec): number {
  const random = rng(spec.seed);
  const past = Date.now() / 1000 - 3600;
  let total = 0;
  for (let i = 0; i < spec.files; i++) {
    const path = join(dir, relPath(i));
    mkdirSync(join(path, '..'), { recursive: true });
    const size = Math.max(1, Math.floor(spec.meanBytes * (0.25 + 1.5 * random())));
    writeFileSync(path, content(random, size, i % 10 === 0));
    utimesSync(path, past, past);
    total += size;
  }
  return total;
}
