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

/**
 * What the catalog screens offer, as the REST API allows it (functions/cart/handlers: `staff=`):
 * hosts and admins change products, shows and promos; every staff role reads the products and
 * the promos and pushes a promo to a room. The API refuses the rest (403) all the same.
 */
export type CatalogUse = "edit_catalog" | "read_catalog" | "push_promo";

const CATALOG: Record<CatalogUse, readonly Role[]> = {
  edit_catalog: ["host", "admin"],
  read_catalog: STAFF,
  push_promo: STAFF,
};

export function canUse(role: Role | null, use: CatalogUse): boolean {
  return role !== null && CATALOG[use].includes(role);
}
