import { createHash } from 'node:crypto';
import type { FileMode } from '../store/tree.js';
import { sha256Pin } from '../governance/protected.js';

// A write set: what one gateway write changes, validated and applied as a whole.

export type WriteOp =
  | {
      readonly kind: 'write';
      readonly path: string;
      readonly content: Uint8Array;
      /** Default 100644; 120000 writes a symbolic link whose target is the content. */
      readonly mode?: FileMode;
      /** The blob id this write expects to replace (null: the path must not exist). Omitted: no expectation. */
      readonly expect?: string | null;
    }
  | {
      readonly kind: 'delete';
      readonly path: string;
      readonly expect?: string | null;
    };

export function pinOfContent(content: Uint8Array): string {
  return sha256Pin(createHash('sha256').update(content).digest('hex'));
}

export function modeOf(op: WriteOp): FileMode {
  return op.kind === 'write' ? (op.mode ?? '100644') : '100644';
}
