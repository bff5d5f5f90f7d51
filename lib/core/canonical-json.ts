// Canonical JSON in the manner of RFC 8785: object keys sorted by UTF-16 code units, no
// whitespace, strings escaped as JSON.stringify does. Only integers are allowed as numbers, so
// that no float formatting question can make two encoders disagree about bytes that get hashed.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function canonicalJson(value: unknown): string {
  return encode(value, '');
}

function encode(value: unknown, at: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isSafeInteger(value))
        throw new TypeError(`canonical JSON allows only safe integers (at ${at || '/'})`);
      return String(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v, i) => encode(v, `${at}/${i}`)).join(',')}]`;
      const keys = Object.keys(value as object)
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .sort();
      const parts = keys.map(
        (k) => `${JSON.stringify(k)}:${encode((value as Record<string, unknown>)[k], `${at}/${k}`)}`,
      );
      return `{${parts.join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot encode a ${typeof value} (at ${at || '/'})`);
  }
}
