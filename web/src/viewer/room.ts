/**
 * The viewer's connection to the show room: joins on every (re)connection, keeps watch time
 * alive with a heartbeat while the page is visible, and hands each typed frame to the page.
 * `data-room-state` is "joined" once the snapshot arrived, "waiting" otherwise.
 */
import type {
  AckFrame,
  ErrorFrame,
  NoticeFrame,
  SnapshotFrame,
  UpdatesFrame,
  ViewerAction,
} from "../protocol";
import { ShowSocket, type ServerFrame, type SocketState } from "../socket";
import { mark } from "./el";

export interface RoomHandlers {
  snapshot(frame: SnapshotFrame): void;
  updates(frame: UpdatesFrame): void;
  error(frame: ErrorFrame): void;
  ack(frame: AckFrame): void;
  notice(frame: NoticeFrame): void;
  /** The socket dropped (or is back): the page shows it is reconnecting. */
  connection(state: SocketState): void;
}

export class Room {
  private socket: ShowSocket | null = null;
  private stopped = false;

  /** `url`: the WebSocket URL with show, viewer, device and source already set. */
  constructor(
    private readonly url: URL,
    private readonly handlers: RoomHandlers,
  ) {
    mark("roomState", "waiting");
  }

  /** The viewer chose a name: said over the open socket (a reconnect would log them leaving
   * and joining again); later reconnections carry it in their URL. */
  rename(name: string): void {
    this.url.searchParams.set("name", name);
    if (!this.send({ action: "set_name", name, ref: "set_name" })) this.connect(name);
  }

  /** Connects as `name` ("" before the viewer picked one); reconnects if already connected. */
  connect(name: string): void {
    if (this.stopped) return;
    const url = new URL(this.url);
    if (name) url.searchParams.set("name", name);
    else url.searchParams.delete("name");
    const previous = this.socket;
    this.socket = null; // its "closed" is not a connection loss
    previous?.stop();
    const socket = new ShowSocket({
      url: url.href,
      onOpen: () => socket.send({ action: "join" } satisfies ViewerAction),
      onFrame: (frame) => this.receive(frame),
      onStateChange: (state) => {
        if (this.socket !== socket) return;
        if (state !== "open") mark("roomState", "waiting");
        this.handlers.connection(state);
      },
      keepAliveFrame: () => (document.visibilityState === "visible" ? ({ action: "heartbeat" } satisfies ViewerAction) : null),
    });
    this.socket = socket;
    socket.start();
  }

  /** For good (banned): no reconnection. */
  stop(): void {
    this.stopped = true;
    const socket = this.socket;
    this.socket = null;
    socket?.stop();
    mark("roomState", "waiting");
  }

  send(frame: ViewerAction): boolean {
    return this.socket?.send(frame) ?? false;
  }

  private receive(frame: ServerFrame): void {
    // The server is the protocol's source of truth (functions/chat/logic/frames.py).
    switch (frame.type) {
      case "snapshot":
        mark("roomState", "joined");
        this.handlers.snapshot(frame as unknown as SnapshotFrame);
        break;
      case "updates":
        this.handlers.updates(frame as unknown as UpdatesFrame);
        break;
      case "error":
        this.handlers.error(frame as unknown as ErrorFrame);
        break;
      case "ack":
        this.handlers.ack(frame as unknown as AckFrame);
        break;
      case "notice":
        this.handlers.notice(frame as unknown as NoticeFrame);
        break;
      default:
        break; // pong, or a frame type newer than this page
    }
  }
}
