"""Who may do what in a show room: the authorization matrix of staff actions.

The role is the connection's (set on `$connect` from the verified token), never a frame field."""

from types import MappingProxyType

from functions.chat.logic.frames import STAFF_ACTIONS
from functions.common.events import StaffRole

VIEWER = "viewer"
_EVERY_STAFF = frozenset(StaffRole)
_HOSTS = frozenset({StaffRole.HOST, StaffRole.ADMIN})
_ADMINS = frozenset({StaffRole.ADMIN})

# Staff action -> the roles that may perform it. Going live and ending the show belong to whoever
# runs the broadcast; the blocklist is brand-wide, so only an admin changes it.
ALLOWED_ROLES: MappingProxyType[str, frozenset[StaffRole]] = MappingProxyType(
    dict.fromkeys(STAFF_ACTIONS, _EVERY_STAFF)
    | {"arm_show": _HOSTS, "end_show": _HOSTS, "set_blocklist": _ADMINS}
)


def staff_role(role: str) -> StaffRole | None:
    try:
        return StaffRole(role)
    except ValueError:
        return None


def may(role: str, action: str) -> bool:
    staff = staff_role(role)
    return staff is not None and staff in ALLOWED_ROLES.get(action, frozenset())


def who_may(action: str) -> str:
    """For the error frame: "moderator, host or admin"."""
    names = [role.value for role in StaffRole if role in ALLOWED_ROLES.get(action, ())]
    names.sort(key=["moderator", "host", "admin"].index)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
