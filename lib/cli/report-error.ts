import pc from 'picocolors';
import { catalogue } from '../core/catalogue.js';
import { CooError, ioError, isCooError } from '../core/coo-error.js';

// The one place an error becomes output and an exit status. Anything that is not a CooError is a
// bug (E_INTERNAL) unless it is a plain filesystem failure, which is E_IO.

export function toCooError(err: unknown): CooError {
  const wrapped = ioError(err, 'filesystem error');
  if (isCooError(wrapped)) return wrapped;
  const e = err as Error | undefined;
  return new CooError('E_INTERNAL', e?.message ?? String(err), { stack: e?.stack ?? null }, { cause: err });
}

export function renderError(error: CooError, json: boolean, color: boolean): string {
  if (json) return `${JSON.stringify(error.toJSON())}\n`;
  const paint = color ? pc : { red: (s: string) => s, dim: (s: string) => s, bold: (s: string) => s };
  const info = catalogue[error.code];
  const lines = [`${paint.red(paint.bold('error'))} ${error.code}: ${error.message}`];
  const todo = error.data['todo'];
  if (Array.isArray(todo)) for (const step of todo) lines.push(`  ${String(step)}`);
  lines.push(paint.dim(`hint: ${info.hint}`));
  if (error.code === 'E_INTERNAL' && typeof error.data['stack'] === 'string')
    lines.push(paint.dim(error.data['stack']));
  return `${lines.join('\n')}\n`;
}
