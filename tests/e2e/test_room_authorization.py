"""The authorization matrix of the show room: every staff action by every role, over real
WebSockets. A refusal is an error frame `forbidden`; anything else means the role got through
(the action may still fail on its merits: no such message, show not live...)."""

import pytest

from functions.chat.logic.frames import STAFF_ACTIONS
from functions.chat.logic.roles import ALLOWED_ROLES

pytestmark = pytest.mark.e2e

# A well-formed frame for each staff action (ids that exist or not: only the role is tested).
FRAMES = {
    "delete_message": {"message_id": "m-none"},
    "pin_message": {"message_id": "m-none"},
    "unpin_message": {},
    "answer_question": {"message_id": "m-none", "text": "yes"},
    "mute_viewer": {"viewer_id": "v-nobody", "minutes": 1},
    "unmute_viewer": {"viewer_id": "v-nobody"},
    "ban_viewer": {"viewer_id": "v-nobody"},
    "unban_viewer": {"viewer_id": "v-nobody"},
    "set_blocklist": {"words": []},
    "set_slow_mode": {"seconds": 0},
    "feature_product": {"sku": "SKU-NONE"},
    "mark_chapter": {"title": "Chapter"},
    "open_poll": {"question": "?", "options": ["a", "b"]},
    "close_poll": {"poll_id": "p-none"},
    "open_contest": {"title": "Contest"},
    "draw_contest": {"contest_id": "c-none"},
    "arm_show": {},
    "end_show": {},
}
ROLES = ("viewer", "moderator", "host", "admin")


def test_every_staff_action_has_a_frame_here():
    assert set(FRAMES) == STAFF_ACTIONS


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_staff_actions(join, role):
    client = join("Viewer Vera") if role == "viewer" else join(role=role)
    outcomes = {}
    # arm before end: ending disarms the show, so the channel is left as it was found.
    for action in sorted(FRAMES, key=lambda a: (a == "end_show", a)):
        answer = client.request(action, timeout=30, **FRAMES[action])
        outcomes[action] = answer.get("error") == "forbidden"
    expected = {action: role not in ALLOWED_ROLES[action] for action in FRAMES}
    assert outcomes == expected
    assert not client.closed.is_set()


def test_a_viewer_cannot_claim_a_role_in_the_query_string(vitrine, show_id):
    from tests.e2e.room_client import RoomClient

    client = RoomClient(vitrine.ws_url, show_id, "v-claims-admin", role="admin", name="Eve")
    try:
        assert client.join()["you"]["role"] == "viewer"
        assert client.request("set_slow_mode", seconds=5)["error"] == "forbidden"
    finally:
        client.close()
