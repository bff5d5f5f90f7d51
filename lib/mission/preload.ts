// Loaded into every node process of a mission step (NODE_OPTIONS=--import=<this file>, which node
// passes on to its child node processes). It turns node's sources of nondeterminism into declared
// inputs: the clock is frozen at SOURCE_DATE_EPOCH, Math.random and the crypto random functions are
// seeded from COO_SEED. With COO_PERTURB_READDIR it reorders directory listings (a perturbation the
// determinism suite applies). It counts what it intercepted and, with COO_ISOLATION_LOG, appends
// one line per process so the report can name the sources a mission uses.
//
// Self-contained on purpose: it runs inside the mission's processes, not inside coo.

import { appendFileSync } from 'node:fs';
import fs from 'node:fs';
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';

const epochMs = Number(process.env['SOURCE_DATE_EPOCH'] ?? '0') * 1000;
const seed = Number(process.env['COO_SEED'] ?? '0') >>> 0;
const counts = { clock: 0, random: 0, crypto: 0 };

// sfc32: a small, well-distributed PRNG; two independent streams from the one declared seed.
function sfc32(a: number, b: number, c: number, d: number): () => number {
  return () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}
const mathStream = sfc32(0x9e3779b9, seed, 0x243f6a88, seed ^ 0x85a308d3);
const cryptoStream = sfc32(0x13198a2e, seed, 0x03707344, seed ^ 0xa4093822);
for (let i = 0; i < 15; i++) {
  mathStream();
  cryptoStream();
}

const RealDate = Date;
function FrozenDate(this: unknown, ...args: unknown[]): Date | string {
  if (!new.target) {
    counts.clock += 1;
    return new RealDate(epochMs).toString();
  }
  if (args.length === 0) counts.clock += 1;
  return args.length === 0
    ? new RealDate(epochMs)
    : new (RealDate as unknown as new (...a: unknown[]) => Date)(...args);
}
FrozenDate.prototype = RealDate.prototype;
Object.setPrototypeOf(FrozenDate, RealDate);
FrozenDate.now = (): number => {
  counts.clock += 1;
  return epochMs;
};
globalThis.Date = FrozenDate as unknown as DateConstructor;

Math.random = (): number => {
  counts.random += 1;
  return mathStream();
};

function fill<T extends ArrayBufferView>(view: T): T {
  counts.crypto += 1;
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(cryptoStream() * 256);
  return view;
}
const c = crypto as unknown as Record<string, unknown>;
c['randomBytes'] = (size: number, cb?: (err: Error | null, buf: Buffer) => void): Buffer | undefined => {
  const buf = fill(Buffer.alloc(size));
  if (cb) {
    process.nextTick(cb, null, buf);
    return undefined;
  }
  return buf;
};
c['randomFillSync'] = <T extends ArrayBufferView>(view: T): T => fill(view);
c['randomFill'] = <T extends ArrayBufferView>(view: T, cb: (err: Error | null, v: T) => void): void => {
  process.nextTick(cb, null, fill(view));
};
c['randomInt'] = (min: number, max?: number, cb?: (err: Error | null, n: number) => void): number | undefined => {
  const [lo, hi] = max === undefined || typeof max === 'function' ? [0, min] : [min, max];
  counts.crypto += 1;
  const n = lo + Math.floor(cryptoStream() * (hi - lo));
  const callback = typeof max === 'function' ? (max as unknown as typeof cb) : cb;
  if (callback) {
    process.nextTick(callback, null, n);
    return undefined;
  }
  return n;
};
c['randomUUID'] = (): string => {
  const b = fill(Buffer.alloc(16));
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};
const web = (globalThis as { crypto?: { getRandomValues?: unknown; randomUUID?: unknown } }).crypto;
if (web) {
  Object.defineProperty(web, 'getRandomValues', {
    value: <T extends ArrayBufferView>(view: T): T => fill(view),
    configurable: true,
  });
  Object.defineProperty(web, 'randomUUID', { value: c['randomUUID'], configurable: true });
}

const order = process.env['COO_PERTURB_READDIR'];
if (order === 'reverse' || order === 'shuffle') {
  const reorder = <T>(list: T[]): T[] => {
    if (order === 'reverse') return list.reverse();
    // A fixed shuffle (not the mission's seed: this is the suite's perturbation, not an input).
    const shuffle = sfc32(0x6a09e667, 0xbb67ae85, 0x3c6ef372, list.length);
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(shuffle() * (i + 1));
      [list[i], list[j]] = [list[j] as T, list[i] as T];
    }
    return list;
  };
  const f = fs as unknown as Record<string, (...args: unknown[]) => unknown>;
  const readdirSync = f['readdirSync'] as (...args: unknown[]) => unknown[];
  f['readdirSync'] = (...args: unknown[]) => reorder(readdirSync(...args));
  const readdir = f['readdir'] as (...args: unknown[]) => void;
  f['readdir'] = (...args: unknown[]) => {
    const cb = args.pop() as (err: Error | null, list?: unknown[]) => void;
    readdir(...args, (err: Error | null, list?: unknown[]) => cb(err, list ? reorder(list) : list));
  };
  const promises = fs.promises as unknown as Record<string, (...args: unknown[]) => Promise<unknown[]>>;
  const readdirAsync = promises['readdir'] as (...args: unknown[]) => Promise<unknown[]>;
  promises['readdir'] = async (...args: unknown[]) => reorder(await readdirAsync(...args));
}

syncBuiltinESMExports();

const log = process.env['COO_ISOLATION_LOG'];
if (log) {
  process.on('exit', () => {
    if (counts.clock + counts.random + counts.crypto > 0) appendFileSync(log, `${JSON.stringify(counts)}\n`);
  });
}
