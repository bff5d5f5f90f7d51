import { compareUtf8 } from '../core/compare-utf8.js';
import type { GovernedDir } from '../core/config.js';
import { compareVersions, formatVersion, parseArtefact, type Artefact } from './naming.js';

// The INDEX of a governed directory: a Markdown table people read and tools parse, one row per
// artefact sorted by name then version, with size and SHA-256. Written only by coo, in the same
// commit as the writes it lists; its bytes depend on nothing but the files.

export interface IndexRow {
  readonly file: string;
  readonly artefact: string;
  readonly version: string;
  readonly bytes: number;
  readonly sha256: string;
}

const marker =
  '<!-- coo:index v1. Written by coo with every change to this directory; `coo index check` finds drift, `coo index fix` repairs it. -->';
const header = '| file | artefact | version | bytes | sha256 |';

export function indexRows(
  rule: GovernedDir,
  files: readonly { name: string; bytes: number; sha256: string }[],
): IndexRow[] {
  const parsed: [Artefact, { bytes: number; sha256: string }][] = [];
  for (const f of files) {
    if (f.name === rule.index) continue;
    const artefact = parseArtefact(rule, f.name);
    if (artefact) parsed.push([artefact, f]);
  }
  parsed.sort(
    ([a], [b]) => compareUtf8(a.name, b.name) || compareVersions(a.version, b.version) || compareUtf8(a.file, b.file),
  );
  return parsed.map(([a, f]) => ({
    file: a.file,
    artefact: a.name,
    version: formatVersion(a.version),
    bytes: f.bytes,
    sha256: f.sha256,
  }));
}

export function formatIndex(rule: GovernedDir, rows: readonly IndexRow[]): string {
  const lines = [`# INDEX of ${rule.dir}`, '', marker, '', header, '| --- | --- | --- | ---: | --- |'];
  for (const r of rows) lines.push(`| ${r.file} | ${r.artefact} | ${r.version} | ${r.bytes} | ${r.sha256} |`);
  return `${lines.join('\n')}\n`;
}

/** The rows of an INDEX file, or null when it is not one coo wrote. */
export function parseIndex(text: string): IndexRow[] | null {
  if (!text.includes(marker)) return null;
  const lines = text.split('\n');
  const start = lines.indexOf(header);
  if (start < 0) return null;
  const rows: IndexRow[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    if (cells.length !== 5 || !/^[0-9]+$/u.test(cells[3] as string) || !/^[0-9a-f]{64}$/u.test(cells[4] as string))
      return null;
    rows.push({
      file: cells[0] as string,
      artefact: cells[1] as string,
      version: cells[2] as string,
      bytes: Number(cells[3]),
      sha256: cells[4] as string,
    });
  }
  return rows;
}
