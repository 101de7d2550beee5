/** What every panel of the room shares: the state, the action sender and the staff role. */
import type { Role } from "../protocol";
import type { StaffActions } from "./actions";
import type { RoomState } from "./state";
import type { Toasts } from "./toasts";

/** Viewers this console muted or banned (the server keeps the truth; this is a shortcut list). */
export interface ModeratedViewer {
  viewerId: string;
  name: string;
  mutedUntil: number | null;
  banned: boolean;
}

export interface RoomContext {
  readonly state: RoomState;
  readonly actions: StaffActions;
  readonly toasts: Toasts;
  readonly moderated: Map<string, ModeratedViewer>;
  /** The server's word (the snapshot's `you.role`) once joined, else the token's group. */
  role(): Role | null;
  /** Re-renders every panel from the state. */
  refresh(): void;
}
