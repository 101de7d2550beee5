/**
 * The show's WebSocket: connects, keeps the connection alive, and reconnects with capped
 * exponential backoff (full jitter).
 *
 * `document.body.dataset.socketState` mirrors the connection for tests and styling:
 * "connecting" before the first attempt settles, then "open" or "closed".
 */

export type SocketState = "connecting" | "open" | "closed";

/** A frame from the server. Only `type` is known here; pages narrow the rest. */
export interface ServerFrame {
  type: string;
  [key: string]: unknown;
}

export interface ShowSocketOptions {
  /** The address, or a function run before each attempt that gives it (the console renews its
   * sign-in token there); when that function gives null the socket stays closed. */
  url: string | (() => Promise<string | null>);
  /** The url function gave null: nobody reconnects until start() again. */
  onGiveUp?: () => void;
  onFrame?: (frame: ServerFrame) => void;
  onStateChange?: (state: SocketState) => void;
  /** Runs on every open, the first and each reconnection (the viewer page sends `join` here). */
  onOpen?: () => void;
  /** The frame sent every `pingIntervalMs`, or null to skip this beat; default `ping`. */
  keepAliveFrame?: () => object | null;
  pingIntervalMs?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

export const PING_INTERVAL_MS = 60_000;

/** `url` with an http(s) or relative address turned into ws(s), resolved against `base`. */
export function webSocketUrl(url: string, base: string = location.href): URL {
  const resolved = new URL(url, base);
  if (resolved.protocol === "http:") resolved.protocol = "ws:";
  if (resolved.protocol === "https:") resolved.protocol = "wss:";
  return resolved;
}

export class ShowSocket {
  private socket: WebSocket | null = null;
  private pingTimer: number | undefined;
  private retryTimer: number | undefined;
  private attempt = 0;
  private stopped = false;
  /** Bumped by start() and stop(): an address computed for an earlier run is not used. */
  private generation = 0;

  constructor(private readonly options: ShowSocketOptions) {}

  start(): void {
    this.generation += 1;
    window.clearTimeout(this.retryTimer);
    this.stopped = false;
    this.setState("connecting");
    this.connect();
  }

  stop(): void {
    this.generation += 1;
    this.stopped = true;
    window.clearTimeout(this.retryTimer);
    window.clearInterval(this.pingTimer);
    this.socket?.close(1000, "bye");
    this.socket = null;
    this.setState("closed");
  }

  /** Sends a frame if the socket is open; returns whether it was sent. */
  send(frame: object): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  private connect(): void {
    const url = this.options.url;
    if (typeof url === "string") return this.open(url);
    const generation = this.generation;
    url().then(
      (resolved) => {
        if (this.stopped || generation !== this.generation) return; // stopped meanwhile
        if (resolved !== null) return this.open(resolved);
        this.setState("closed");
        this.options.onGiveUp?.();
      },
      (error: unknown) => {
        if (this.stopped || generation !== this.generation) return;
        console.warn("[vitrine] cannot prepare the connection; retrying", error);
        this.scheduleReconnect();
      },
    );
  }

  private open(url: string): void {
    let socket: WebSocket;
    try {
      socket = new WebSocket(url);
    } catch (error) {
      // A malformed URL is a deployment error: retrying cannot fix it.
      console.error("[vitrine] invalid WebSocket URL", url, error);
      this.setState("closed");
      return;
    }
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.attempt = 0;
      this.setState("open");
      const interval = this.options.pingIntervalMs ?? PING_INTERVAL_MS;
      const keepAlive = this.options.keepAliveFrame ?? (() => ({ action: "ping" }));
      this.pingTimer = window.setInterval(() => {
        const frame = keepAlive();
        if (frame) this.send(frame);
      }, interval);
      this.options.onOpen?.();
    });
    socket.addEventListener("message", (event: MessageEvent) => {
      if (this.socket === socket) this.receive(event.data);
    });
    socket.addEventListener("close", () => {
      // A socket replaced by stop() and start() closes late: its close must not touch the new one.
      if (this.socket !== socket) return;
      window.clearInterval(this.pingTimer);
      this.socket = null;
      this.setState("closed");
      if (!this.stopped) this.scheduleReconnect();
    });
  }

  private receive(data: unknown): void {
    if (typeof data !== "string") return;
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      console.warn("[vitrine] ignored a non-JSON frame", data);
      return;
    }
    if (typeof frame !== "object" || frame === null || typeof (frame as ServerFrame).type !== "string") {
      console.warn("[vitrine] ignored a frame without a type", frame);
      return;
    }
    const typed = frame as ServerFrame;
    if (typed.type === "error") console.error("[vitrine] server error frame", typed);
    this.options.onFrame?.(typed);
  }

  private scheduleReconnect(): void {
    const initial = this.options.initialBackoffMs ?? 1_000;
    const cap = this.options.maxBackoffMs ?? 30_000;
    const ceiling = Math.min(cap, initial * 2 ** this.attempt);
    this.attempt += 1;
    // Full jitter: a crowd of viewers dropped at once does not reconnect in lockstep.
    const delay = initial / 2 + Math.random() * (ceiling - initial / 2);
    this.retryTimer = window.setTimeout(() => this.connect(), delay);
  }

  private setState(state: SocketState): void {
    document.body.dataset.socketState = state;
    this.options.onStateChange?.(state);
  }
}
