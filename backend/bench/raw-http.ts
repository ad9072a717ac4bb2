import net from "node:net";

/*
 * A minimal HTTP/1.1 keep-alive client for the load generator: one request at
 * a time per connection, responses framed by Content-Length (what Doable's
 * API sends) or chunked. It exists because the generator shares the machine's
 * cores with the server it measures: undici's Pool cost the generator about
 * 130 µs of CPU per request here, this about a third of that
 * (docs/PERFORMANCE.md), leaving that CPU to the server and PostgreSQL.
 */

export interface RawResponse {
  status: number;
  /** The body as text, when asked for. */
  text?: string;
}

const CRLFCRLF = Buffer.from("\r\n\r\n");

interface Pending {
  wantBody: boolean;
  resolve: (res: RawResponse) => void;
  reject: (err: Error) => void;
}

export class RawConnection {
  private socket: net.Socket | null = null;
  private connecting: Promise<net.Socket> | null = null;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private pending: Pending | null = null;
  /** Parsed head of the response being read: status, body start and length (-1: chunked). */
  private head: { status: number; bodyStart: number; length: number; close: boolean } | null = null;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  /** Sends `request` (a complete HTTP/1.1 message) and resolves with the response. */
  async send(request: string, wantBody = false): Promise<RawResponse> {
    const socket = this.socket ?? (await this.connect());
    return new Promise<RawResponse>((resolve, reject) => {
      this.pending = { wantBody, resolve, reject };
      socket.write(request);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private connect(): Promise<net.Socket> {
    this.connecting ??= new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
      const fail = (err: Error) => {
        this.drop(err);
        reject(err);
      };
      socket.once("error", fail);
      socket.once("connect", () => {
        socket.off("error", fail);
        socket.on("error", (err) => this.drop(err));
        socket.on("close", () => this.drop(Object.assign(new Error("connection closed"), { code: "ECONNRESET" })));
        socket.on("data", (chunk: Buffer) => this.onData(chunk));
        this.socket = socket;
        this.connecting = null;
        resolve(socket);
      });
    });
    return this.connecting;
  }

  private drop(err: Error): void {
    this.socket?.destroy();
    this.socket = null;
    this.connecting = null;
    this.chunks = [];
    this.buffered = 0;
    this.head = null;
    const pending = this.pending;
    this.pending = null;
    pending?.reject(err);
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const data = this.chunks.length === 1 ? chunk : Buffer.concat(this.chunks, this.buffered);
    if (this.chunks.length > 1) this.chunks = [data];
    if (!this.head) {
      const end = data.indexOf(CRLFCRLF);
      if (end === -1) return;
      const headText = data.toString("latin1", 0, end);
      const status = Number(headText.slice(9, 12));
      const length = /\r\ncontent-length:[ \t]*(\d+)/i.exec(headText);
      const chunked = /\r\ntransfer-encoding:[ \t]*chunked/i.test(headText);
      const close = /\r\nconnection:[ \t]*close/i.test(headText);
      this.head = { status, bodyStart: end + 4, length: length ? Number(length[1]) : chunked ? -1 : 0, close };
    }
    const { status, bodyStart, length, close } = this.head;
    let body: Buffer;
    let consumed: number;
    if (length >= 0) {
      if (data.length < bodyStart + length) return;
      body = data.subarray(bodyStart, bodyStart + length);
      consumed = bodyStart + length;
    } else {
      const decoded = decodeChunked(data, bodyStart);
      if (!decoded) return;
      [body, consumed] = decoded;
    }
    const rest = data.subarray(consumed);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    this.head = null;
    const pending = this.pending;
    this.pending = null;
    if (close) {
      this.socket?.removeAllListeners("close");
      this.socket?.destroy();
      this.socket = null;
    }
    pending?.resolve(pending.wantBody ? { status, text: body.toString("utf8") } : { status });
  }
}

/** A complete chunked body starting at `start`: the body and where the message ends, or null if incomplete. */
function decodeChunked(data: Buffer, start: number): [Buffer, number] | null {
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const lineEnd = data.indexOf("\r\n", at);
    if (lineEnd === -1) return null;
    const size = Number.parseInt(data.toString("latin1", at, lineEnd), 16);
    if (Number.isNaN(size)) throw new Error("malformed chunked body");
    if (size === 0) {
      const end = data.indexOf(CRLFCRLF, lineEnd);
      return end === -1 ? null : [Buffer.concat(parts), end + 4];
    }
    if (data.length < lineEnd + 2 + size + 2) return null;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** An HTTP/1.1 request message. */
export function requestText(method: string, path: string, host: string, headers: Record<string, string>, body?: string): string {
  let text = `${method} ${path} HTTP/1.1\r\nhost: ${host}\r\n`;
  for (const [name, value] of Object.entries(headers)) text += `${name}: ${value}\r\n`;
  if (body !== undefined) text += `content-length: ${Buffer.byteLength(body)}\r\n`;
  return `${text}\r\n${body ?? ""}`;
}
