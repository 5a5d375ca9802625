import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/*
 * A process's sockets as the kernel lists them: /proc/<pid>/net/{tcp,tcp6,udp,udp6} filtered by
 * the socket inodes among /proc/<pid>/fd (the net files list the whole network namespace).
 */

export const TCP_LISTEN = '0A';

export interface SocketEntry {
  readonly proto: 'tcp' | 'tcp6' | 'udp' | 'udp6';
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Kernel state, hex (`0A` is TCP LISTEN). */
  readonly state: string;
  readonly txQueue: number;
  /** Bytes received and not yet read by the process. */
  readonly rxQueue: number;
  readonly inode: number;
}

/** The inodes of the sockets a process holds open. */
export function socketInodes(pid: number): Set<number> {
  const inodes = new Set<number>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    const m = /^socket:\[(\d+)\]$/.exec(target);
    if (m?.[1] !== undefined) inodes.add(Number(m[1]));
  }
  return inodes;
}

/** Every TCP and UDP socket (v4 and v6) the process holds. */
export function processSockets(pid: number): SocketEntry[] {
  const mine = socketInodes(pid);
  const out: SocketEntry[] = [];
  for (const proto of ['tcp', 'tcp6', 'udp', 'udp6'] as const) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${proto}`, 'utf8');
    } catch {
      continue; // e.g. no IPv6 in this kernel
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const inode = Number(f[9]);
      if (!mine.has(inode)) continue;
      const [la, lp] = splitHostPort(f[1] ?? '');
      const [ra, rp] = splitHostPort(f[2] ?? '');
      const [tx, rx] = (f[4] ?? '0:0').split(':');
      out.push({
        proto,
        localAddress: la,
        localPort: lp,
        remoteAddress: ra,
        remotePort: rp,
        state: (f[3] ?? '').toUpperCase(),
        txQueue: parseInt(tx ?? '0', 16),
        rxQueue: parseInt(rx ?? '0', 16),
        inode,
      });
    }
  }
  return out;
}

function splitHostPort(s: string): [string, number] {
  const [hex = '', port = '0'] = s.split(':');
  return [decodeAddress(hex), parseInt(port, 16)];
}

/** /proc addresses are 32-bit words in host (little-endian) order. */
function decodeAddress(hex: string): string {
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8) {
    const word = hex.slice(w, w + 8);
    for (let b = 6; b >= 0; b -= 2) bytes.push(parseInt(word.slice(b, b + 2), 16));
  }
  if (bytes.length === 4) return bytes.join('.');
  const isMapped =
    bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255;
  if (isMapped) return `::ffff:${bytes.slice(12).join('.')}`;
  if (bytes.every((b) => b === 0)) return '::';
  if (bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1) return '::1';
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2)
    groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return groups.join(':');
}

/** The TCP sockets in LISTEN state and every bound UDP socket: what the process listens on. */
export function listeningSockets(pid: number): SocketEntry[] {
  return processSockets(pid).filter(
    (s) => (s.proto.startsWith('tcp') && s.state === TCP_LISTEN) || s.proto.startsWith('udp'),
  );
}

/** Bytes waiting unread in the process's connections to `port` (e.g. a task the hub sent). */
export function unreadBytesFrom(pid: number, port: number): number {
  return processSockets(pid)
    .filter((s) => s.proto.startsWith('tcp') && s.remotePort === port)
    .reduce((sum, s) => sum + s.rxQueue, 0);
}
