import type { CliContext } from './context.js';

// Progress for long work (a snapshot of 50,000 files, a restore), drawn on stderr only when it
// is a terminal and output is not JSON: never in pipes, logs or machine output.

export interface ProgressEvent {
  readonly phase: string;
  readonly done: number;
  readonly total: number | null;
}

export interface ProgressSink {
  readonly update: (event: ProgressEvent) => void;
  stop(): void;
}

const labels: Record<string, string> = { scan: 'scanning', hash: 'hashing', write: 'writing' };

export async function progressFor(ctx: CliContext): Promise<ProgressSink | null> {
  if (!ctx.interactive) return null;
  const { SingleBar, Presets } = (await import('cli-progress')).default;
  let bar: InstanceType<typeof SingleBar> | null = null;
  let phase = '';
  return {
    update(event) {
      if (event.total === null) {
        ctx.io.stderr.write(`\r${labels[event.phase] ?? event.phase} ${event.done} files\u001b[K`);
        return;
      }
      if (event.phase !== phase) {
        bar?.stop();
        phase = event.phase;
        bar = new SingleBar(
          {
            format: `${labels[phase] ?? phase} [{bar}] {value}/{total}`,
            stream: ctx.io.stderr as NodeJS.WriteStream,
            clearOnComplete: true,
            hideCursor: true,
          },
          Presets.shades_classic,
        );
        bar.start(event.total, event.done);
      } else bar?.update(event.done);
    },
    stop() {
      bar?.stop();
      ctx.io.stderr.write('\r\u001b[K');
    },
  };
}

/** Runs `work` with a progress callback (or none), always clearing the line afterwards. */
export async function withProgress<T>(
  ctx: CliContext,
  work: (onProgress?: (e: ProgressEvent) => void) => Promise<T>,
): Promise<T> {
  const sink = await progressFor(ctx);
  try {
    return await work(sink ? sink.update : undefined);
  } finally {
    sink?.stop();
  }
}
