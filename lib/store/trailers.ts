// Commit message trailers (`Key: value` lines in the last paragraph), the form `git log
// --format=%(trailers)` and `git interpret-trailers` read.

export type Trailers = ReadonlyArray<readonly [string, string]>;

export function formatMessage(subject: string, body: string | null, trailers: Trailers): string {
  const clean = subject.replace(/\s+/gu, ' ').trim() || 'coo';
  const parts = [clean];
  if (body && body.trim() !== '') parts.push(body.replace(/\s+$/u, ''));
  if (trailers.length > 0) {
    parts.push(
      trailers
        .map(([key, value]) => {
          if (!/^[A-Za-z0-9-]+$/u.test(key) || /\n/u.test(value)) throw new TypeError(`bad trailer ${key}`);
          return `${key}: ${value}`;
        })
        .join('\n'),
    );
  }
  return `${parts.join('\n\n')}\n`;
}

export function parseTrailers(message: string): Map<string, string> {
  const paragraphs = message.replace(/\s+$/u, '').split(/\n\n+/u);
  const last = paragraphs.length > 1 ? (paragraphs[paragraphs.length - 1] as string) : '';
  const found = new Map<string, string>();
  for (const line of last.split('\n')) {
    const match = /^([A-Za-z0-9-]+): (.*)$/u.exec(line);
    if (!match) return new Map();
    found.set(match[1] as string, match[2] as string);
  }
  return found;
}

/** The message without its subject line and trailer block. */
export function messageBody(message: string): string {
  const paragraphs = message.replace(/\s+$/u, '').split(/\n\n+/u);
  const hasTrailers = paragraphs.length > 1 && parseTrailers(message).size > 0;
  return paragraphs.slice(1, hasTrailers ? -1 : undefined).join('\n\n');
}
