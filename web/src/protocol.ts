/**
 * The show room's WebSocket protocol, mirrored from functions/chat/logic/frames.py (the source of
 * truth; docs/realtime.md explains it). Server text is data: render it with textContent only.
 */

export type Role = "viewer" | "moderator" | "host" | "admin";
export type StaffRole = Exclude<Role, "viewer">;
export type Reaction = "like" | "love" | "wow" | "laugh" | "fire";
export type MessageKind = "chat" | "question" | "answer";
export type ShowStatus =
  | "scheduled"
  | "live"
  | "ended"
  | "cancelled"
  | "replay_processing"
  | "replay_published"
  | "replay_failed";

// --- what clients send ---------------------------------------------------------------------

interface Frame {
  /** Echoed in the ack or error frame that answers this one. */
  ref?: string;
}

export type ViewerAction =
  | (Frame & { action: "ping" })
  | (Frame & { action: "join" })
  | (Frame & { action: "heartbeat" })
  | (Frame & { action: "set_name"; name: string })
  | (Frame & { action: "chat"; text: string })
  | (Frame & { action: "react"; reaction: Reaction; count: number })
  | (Frame & { action: "ask"; text: string })
  | (Frame & { action: "answer_poll"; poll_id: string; option: number })
  | (Frame & { action: "enter_contest"; contest_id: string });

export type StaffAction =
  | (Frame & { action: "delete_message"; message_id: string })
  | (Frame & { action: "pin_message"; message_id: string })
  | (Frame & { action: "unpin_message" })
  | (Frame & { action: "answer_question"; message_id: string; text: string })
  | (Frame & { action: "mute_viewer"; viewer_id: string; minutes: number })
  | (Frame & { action: "unmute_viewer"; viewer_id: string })
  | (Frame & { action: "ban_viewer"; viewer_id: string })
  | (Frame & { action: "unban_viewer"; viewer_id: string })
  | (Frame & { action: "set_blocklist"; words: string[] })
  | (Frame & { action: "set_slow_mode"; seconds: number })
  | (Frame & { action: "feature_product"; sku: string })
  | (Frame & { action: "mark_chapter"; title: string })
  | (Frame & { action: "open_poll"; question: string; options: string[]; correct_option?: number | null })
  | (Frame & { action: "close_poll"; poll_id: string })
  | (Frame & { action: "open_contest"; title: string })
  | (Frame & { action: "draw_contest"; contest_id: string })
  | (Frame & { action: "arm_show" })
  | (Frame & { action: "end_show" });

export type ClientFrame = ViewerAction | StaffAction;

// --- what clients receive ------------------------------------------------------------------

export interface MessageView {
  message_id: string;
  author_id: string;
  author_name: string;
  author_role: StaffRole | null;
  kind: MessageKind;
  reply_to: string | null;
  text: string;
  at: string;
}

/** The call-to-action card; the timed-metadata cue carries the same object (`{type: "product", ...}`). */
export interface ProductCard {
  sku: string;
  name: string;
  price: string;
  currency: string;
  image_url: string;
  product_url: string;
  in_stock: boolean;
}

/** A pushed promo code. Count down to `expires_at` on the server's clock: `server_time` is when
 * the frame was made (offset = server_time - the phone's time on receipt). */
export interface PromoBanner {
  code: string;
  label: string;
  expires_at: string;
  server_time: string;
}

export type StockState = "in_stock" | "low" | "sold_out";

export interface VariantStockView {
  sku: string;
  available: number;
  stock_state: StockState;
  /** "In stock", "Only 3 left", "Sold out". */
  badge: string;
}

export interface PollView {
  poll_id: string;
  question: string;
  options: string[];
  counts: number[];
  quiz: boolean;
  open: boolean;
  correct_option: number | null;
}

export interface ContestView {
  contest_id: string;
  title: string;
  open: boolean;
  entrant_count: number;
  winner_name: string | null;
  winner_id: string | null;
}

export interface ShowView {
  show_id: string;
  title: string;
  status: ShowStatus;
  starts_at: string;
  host_name: string;
}

export interface You {
  viewer_id: string;
  display_name: string;
  role: Role;
  muted_until: string | null;
}

export interface SnapshotFrame {
  type: "snapshot";
  show: ShowView;
  you: You;
  viewers: number;
  slow_mode_seconds: number;
  pinned: MessageView | null;
  featured: ProductCard | null;
  poll: PollView | null;
  contest: ContestView | null;
  promo: PromoBanner | null;
  messages: MessageView[];
  /** To admins only: the brand-wide blocklist they edit. */
  blocklist: string[] | null;
}

export type Update =
  | { kind: "message"; message: MessageView }
  | { kind: "message_deleted"; message_id: string }
  | { kind: "pinned"; message: MessageView | null }
  | { kind: "reactions"; counts: Partial<Record<Reaction, number>> }
  | { kind: "featured"; product: ProductCard; offset_seconds: number }
  | { kind: "chapter"; title: string; offset_seconds: number }
  | { kind: "poll"; poll: PollView }
  | { kind: "contest"; contest: ContestView }
  | { kind: "show"; status: ShowStatus }
  | { kind: "viewers"; count: number }
  | { kind: "slow_mode"; seconds: number }
  | { kind: "promo"; promo: PromoBanner }
  | { kind: "stock"; product_sku: string; in_stock: boolean; variants: VariantStockView[] };

export interface UpdatesFrame {
  type: "updates";
  show_id: string;
  updates: Update[];
}

export interface ErrorFrame {
  type: "error";
  /** Stable codes: empty_frame, frame_too_large, malformed_json, missing_action, unknown_action,
   * invalid_frame, forbidden, not_found, conflict, muted, banned, slow_mode, rate_limited,
   * blocked_word, invalid_text, show_not_live, unavailable. */
  error: string;
  detail: string;
  ref: string | null;
  retry_after_seconds: number | null;
}

export interface AckFrame {
  type: "ack";
  action: string;
  ref: string | null;
  detail: string;
}

export interface NoticeFrame {
  type: "notice";
  notice: "muted" | "unmuted" | "banned";
  until: string | null;
  detail: string;
}

export interface PongFrame {
  type: "pong";
}

export type ServerFrame = SnapshotFrame | UpdatesFrame | ErrorFrame | AckFrame | NoticeFrame | PongFrame;

/** The timed-metadata cue the IVS player raises (TEXT_METADATA_CUE), JSON in its `text`. */
export type MetadataCue = { type: "product" } & Pick<ProductCard, "sku" | "name" | "price" | "currency" | "image_url">;
