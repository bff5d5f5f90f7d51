// The JSON every document coo reads is parsed with: RFC 8259 exactly (what JSON.parse accepts),
// and three things JSON.parse does not do. An object that names a key twice is refused (JSON.parse
// keeps the last, so a mission with two `scope` keys would be enforced by its second while a
// reader of the file sees its first); nesting deeper than a bound is refused before anything
// recurses over it (a schema validator would overflow the stack at 100,000 levels); and an error
// says where (line, column, a JSON pointer) without quoting the text, which may be a file that was
// never meant to be shown.
//
// Why not a package: the JSON readers on npm that detect duplicate keys either build an AST by
// recursive descent (no depth bound short of a stack overflow) or are JSONC parsers that recover
// from errors and take comments and trailing commas unless told otherwise. This one is a loop
// with an explicit stack; strings with escapes are decoded by JSON.parse itself, so every value is
// exactly what JSON.parse would give.

export type JsonProblemKind = 'syntax' | 'duplicate-key' | 'too-deep';

export interface JsonProblem {
  readonly kind: JsonProblemKind;
  readonly reason: string;
  /** Where in the document: the container being read, or the duplicate key. */
  readonly pointer: string;
  readonly line: number;
  readonly column: number;
}

export type JsonResult = { readonly value: unknown } | { readonly problem: JsonProblem };

interface Frame {
  readonly container: Record<string, unknown> | unknown[];
  readonly pointer: string;
  key: string;
}

class Stop {
  constructor(
    readonly kind: JsonProblemKind,
    readonly reason: string,
    readonly at: number,
    readonly pointer: string,
  ) {}
}

const numberToken = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const hex4 = /^[0-9a-fA-F]{4}$/u;

export function escapePointer(key: string): string {
  return key.replace(/~/gu, '~0').replace(/\//gu, '~1');
}

/** Parses `text` as one JSON value, nested at most `maxDepth` containers deep. */
export function parseStrictJson(text: string, options: { readonly maxDepth: number }): JsonResult {
  try {
    return { value: parse(text, options.maxDepth) };
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    const before = text.slice(0, err.at);
    const line = before.split('\n').length;
    return {
      problem: {
        kind: err.kind,
        reason: err.reason,
        pointer: err.pointer,
        line,
        column: err.at - (before.lastIndexOf('\n') + 1) + 1,
      },
    };
  }
}

function parse(text: string, maxDepth: number): unknown {
  const n = text.length;
  const stack: Frame[] = [];
  let i = 0;
  const here = (): string => stack[stack.length - 1]?.pointer ?? '';
  const stop = (reason: string, at = i): never => {
    throw new Stop('syntax', reason, at, here());
  };
  const skip = (): void => {
    for (let c = text.charCodeAt(i); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = text.charCodeAt(++i));
  };
  const string = (): string => {
    const start = i;
    let escaped = false;
    for (i++; ; i++) {
      if (i >= n) stop('unterminated string', start);
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) stop('control character in a string (escape it)');
      if (c === 0x5c) {
        escaped = true;
        const e = text[++i];
        if (e === 'u') {
          if (!hex4.test(text.slice(i + 1, i + 5))) stop('\\u needs four hex digits');
          i += 4;
        } else if (e === undefined || !'"\\/bfnrt'.includes(e)) stop('invalid escape in a string');
      }
    }
    i++;
    return escaped ? (JSON.parse(text.slice(start, i)) as string) : text.slice(start + 1, i - 1);
  };
  const key = (frame: Frame): void => {
    skip();
    if (text.charCodeAt(i) !== 0x22) stop('expected a key (a string)');
    const at = i;
    const name = string();
    if (Object.hasOwn(frame.container, name))
      throw new Stop(
        'duplicate-key',
        'the same key twice in one object',
        at,
        `${frame.pointer}/${escapePointer(name)}`,
      );
    frame.key = name;
    skip();
    if (text.charCodeAt(i) !== 0x3a) stop("expected ':' after a key");
    i++;
  };
  const childPointer = (): string => {
    const top = stack[stack.length - 1];
    if (!top) return '';
    return `${top.pointer}/${Array.isArray(top.container) ? top.container.length : escapePointer(top.key)}`;
  };
  const attach = (frame: Frame, value: unknown): void => {
    if (Array.isArray(frame.container)) frame.container.push(value);
    else if (frame.key === '__proto__')
      Object.defineProperty(frame.container, frame.key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else frame.container[frame.key] = value;
  };

  for (;;) {
    skip();
    let value: unknown;
    const c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) {
      const pointer = childPointer();
      if (stack.length >= maxDepth) throw new Stop('too-deep', `nested deeper than ${maxDepth} levels`, i, pointer);
      const frame: Frame = { container: c === 0x7b ? {} : [], pointer, key: '' };
      i++;
      skip();
      if (text.charCodeAt(i) === (c === 0x7b ? 0x7d : 0x5d)) {
        i++;
        value = frame.container;
      } else {
        stack.push(frame);
        if (c === 0x7b) key(frame);
        continue;
      }
    } else if (c === 0x22) value = string();
    else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      numberToken.lastIndex = i;
      const m = numberToken.exec(text);
      if (!m) stop('invalid number');
      i += (m as RegExpExecArray)[0].length;
      value = Number((m as RegExpExecArray)[0]);
    } else if (text.startsWith('true', i)) {
      i += 4;
      value = true;
    } else if (text.startsWith('false', i)) {
      i += 5;
      value = false;
    } else if (text.startsWith('null', i)) {
      i += 4;
      value = null;
    } else stop(i >= n ? 'unexpected end of the document' : 'expected a value');

    // Attach the value, then close every container that ends here.
    for (;;) {
      const top = stack[stack.length - 1];
      if (!top) {
        skip();
        if (i < n) stop('more text after the document');
        return value;
      }
      attach(top, value);
      skip();
      const d = text.charCodeAt(i);
      const isArray = Array.isArray(top.container);
      if (d === 0x2c) {
        i++;
        if (!isArray) key(top);
        break;
      }
      if (d !== (isArray ? 0x5d : 0x7d)) stop(isArray ? "expected ',' or ']'" : "expected ',' or '}'");
      i++;
      stack.pop();
      value = top.container;
    }
  }
}
