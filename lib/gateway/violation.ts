import type { ErrorCode } from '../core/catalogue.js';

// What the gateway reports of a write set: each violation names the path, the check it failed (in
// the gateway's fixed order of checks) and the error code, so the same input always gives the same
// violations in the same order.

export const checkOrder = [
  'syntax',
  'reserved',
  'limits',
  'canonical',
  'protected',
  'scope',
  'collisions',
  'boundary',
] as const;
export type CheckName = (typeof checkOrder)[number];

export interface Violation {
  readonly path: string;
  readonly check: CheckName;
  readonly code: ErrorCode;
  readonly reason: string;
  readonly data?: Record<string, unknown>;
}

/** A file of the captured working tree, as the checks see it. */
export interface CurrentFile {
  readonly oid: string;
  readonly pin: string;
}
