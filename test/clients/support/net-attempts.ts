import fs from 'node:fs';

/** Where a traced process tried to reach beyond loopback. */
export interface NetAttempts {
  /** `address:port` → number of connect/send calls aimed at it (loopback and Unix sockets left out). */
  destinations: Record<string, number>;
  /** Host names it asked DNS for (decoded from the queries it sent). */
  dnsNames: string[];
}

const STRACE_ESCAPES: Record<string, number> = { n: 10, t: 9, v: 11, f: 12, r: 13, '\\': 92, '"': 34 };

/** Undoes strace's C-style escaping of a traced buffer (`\6github\3com\0`). */
function unescape(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') {
      out.push(...Buffer.from(c, 'latin1'));
      continue;
    }
    const n = s[++i] ?? '';
    if (/[0-7]/.test(n)) {
      let oct = n;
      while (oct.length < 3 && /[0-7]/.test(s[i + 1] ?? '')) oct += s[++i] ?? '';
      out.push(parseInt(oct, 8));
    } else if (n === 'x') {
      out.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(STRACE_ESCAPES[n] ?? n.charCodeAt(0));
  }
  return Buffer.from(out);
}

/** The question name of a DNS query packet, or null when the bytes are not one. */
function dnsQuestion(b: Buffer): string | null {
  if (b.length < 17 || b.readUInt16BE(4) !== 1) return null;
  const labels: string[] = [];
  let i = 12;
  while (i < b.length && b[i] !== 0) {
    const n = b[i]!;
    if (n > 63) return null;
    labels.push(b.subarray(i + 1, i + 1 + n).toString('latin1'));
    i += 1 + n;
  }
  if (b[i] !== 0 || i + 5 !== b.length || labels.length === 0) return null;
  return labels.every((l) => /^[A-Za-z0-9_-]+$/.test(l)) ? labels.join('.') : null;
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/** Reads an `strace -f -e trace=connect,sendto,sendmsg,sendmmsg -s 300` log. */
export function readNetAttempts(file: string): NetAttempts {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'latin1') : '';
  const destinations: Record<string, number> = {};
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    for (const m of line.matchAll(
      /sin6?_port=htons\((\d+)\)[^}]*?(?:sin_addr=inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)")/g,
    )) {
      const addr = m[2] ?? m[3] ?? '';
      if (LOOPBACK.test(addr)) continue;
      const key = `${addr}:${m[1] ?? ''}`;
      destinations[key] = (destinations[key] ?? 0) + 1;
    }
    if (/\bsend(to|msg|mmsg)\(/.test(line)) {
      for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
        const name = dnsQuestion(unescape(m[1] ?? ''));
        if (name !== null) names.add(name);
      }
    }
  }
  return { destinations, dnsNames: [...names].sort() };
}
