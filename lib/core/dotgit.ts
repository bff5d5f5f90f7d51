// Does a path component name `.git` on some filesystem? Git's own checks (read-cache.c
// verify_path, path.c is_ntfs_dotgit, utf8.c is_hfs_dotgit) exist because case-insensitive and
// normalising filesystems map many spellings onto the one directory git must never let a tree
// write into: CVE-2014-9390 (case, HFS+ ignorable code points), CVE-2019-1353 (NTFS short names
// and streams). coo folds more than git does: every Unicode default-ignorable code point, NFKC
// (fullwidth forms), and both case directions (so `ı` and `ſ` style folds are covered).

const ignorable = /\p{Default_Ignorable_Code_Point}/gu;

/** The spelling a case-insensitive, normalising, Windows-ish filesystem would see. */
export function foldComponent(component: string): string {
  let name = component.replace(ignorable, '').normalize('NFKC');
  const colon = name.indexOf(':');
  if (colon !== -1) name = name.slice(0, colon); // NTFS alternate data stream: `.git::$INDEX_ALLOCATION`
  name = name.replace(/[. ]+$/u, (tail) => (name.length === tail.length ? tail : '')); // Win32 drops trailing dots and spaces
  return name;
}

function sameIgnoringCase(name: string, target: string): boolean {
  return name.toLowerCase() === target || name.toUpperCase() === target.toUpperCase();
}

const plainAscii = /^[\x20-\x7e]*$/u;

export function isDotGitComponent(component: string): boolean {
  // Fast path: a printable-ASCII name without "git" in any case cannot fold to `.git` or `git~N`.
  if (plainAscii.test(component) && !/git/iu.test(component)) return false;
  const name = foldComponent(component);
  if (sameIgnoringCase(name, '.git')) return true;
  // NTFS 8.3 short name of `.git`: GIT~1 (GIT~2... when names collide).
  return /^git~[0-9]+$/iu.test(name) || /^GIT~[0-9]+$/u.test(name.toUpperCase());
}
