/**
 * Which staff role may send which action. The server enforces it (functions/common/auth.py);
 * the console only hides what the signed-in role cannot do.
 */
import type { Role, StaffAction } from "../protocol";

type Action = StaffAction["action"];

const ONLY: Partial<Record<Action, readonly Role[]>> = {
  arm_show: ["host", "admin"],
  end_show: ["host", "admin"],
  set_blocklist: ["admin"],
};
const STAFF: readonly Role[] = ["moderator", "host", "admin"];

export function canDo(role: Role | null, action: Action): boolean {
  if (role === null) return false;
  return (ONLY[action] ?? STAFF).includes(role);
}
