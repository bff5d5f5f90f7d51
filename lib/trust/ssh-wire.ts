// The SSH wire encoding (RFC 4251 §5): uint32 big-endian integers and length-prefixed strings.
// Keys, OpenSSH private key files and SSHSIG signatures are all built from these two.

export function sshString(value: Uint8Array | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value) : Buffer.from(value);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

export function sshUint32(value: number): Buffer {
  const buf = Buffer.alloc(4);
  buf.writeUInt32BE(value);
  return buf;
}

export class SshReader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}

  uint32(): number {
    if (this.at + 4 > this.buf.length) throw new RangeError('truncated SSH data');
    const value = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return value;
  }

  bytes(): Buffer {
    const length = this.uint32();
    if (this.at + length > this.buf.length) throw new RangeError('truncated SSH data');
    const value = this.buf.subarray(this.at, this.at + length);
    this.at += length;
    return value;
  }

  string(): string {
    return this.bytes().toString('utf8');
  }

  raw(length: number): Buffer {
    if (this.at + length > this.buf.length) throw new RangeError('truncated SSH data');
    const value = this.buf.subarray(this.at, this.at + length);
    this.at += length;
    return value;
  }

  rest(): Buffer {
    return this.buf.subarray(this.at);
  }

  get done(): boolean {
    return this.at === this.buf.length;
  }
}

/** The wire form of an Ed25519 public key: string "ssh-ed25519", string key. */
export function ed25519PublicBlob(publicKey: Uint8Array): Buffer {
  return Buffer.concat([sshString('ssh-ed25519'), sshString(publicKey)]);
}

export function armor(label: string, body: Buffer, width: number): string {
  const b64 = body.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += width) lines.push(b64.slice(i, i + width));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export function dearmor(label: string, text: string): Buffer | null {
  const match = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'u').exec(text);
  if (!match) return null;
  const body = (match[1] as string).replace(/\s+/gu, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/u.test(body)) return null;
  return Buffer.from(body, 'base64');
}
