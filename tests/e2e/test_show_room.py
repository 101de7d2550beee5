"""The show room with real WebSocket clients against the running local runtime: every viewer and
staff action through API Gateway's routes, the functions, the event log's stream and the
fan-out, as a brand's viewers and moderators would use it. Each test opens its own show."""

import json
import time
import urllib.request
import uuid
from collections.abc import Callable

import pytest
from websockets.exceptions import InvalidStatus

from local.seed import DEMO_PRODUCTS
from tests.e2e.conftest import SKUS
from tests.e2e.room_client import Frame, RoomClient

pytestmark = pytest.mark.e2e


def message_from(frame_text: str) -> Callable[[Frame], bool]:
    return lambda update: update["message"]["text"] == frame_text


def test_a_chat_message_reaches_the_other_viewers_with_the_connection_identity(join):
    ana, ben = join("Ana"), join("Ben")
    assert ana.request("chat", text="  Do they run true to size?\u200b ")["type"] == "ack"
    seen = ben.update("message", message_from("Do they run true to size?"))["message"]
    assert (seen["author_name"], seen["author_id"]) == ("Ana", ana.viewer)
    assert seen["author_role"] is None
    assert seen["kind"] == "chat"
    late = join("Cleo")
    assert "Do they run true to size?" in [m["text"] for m in late.snapshot["messages"]]


def test_a_forged_author_or_role_is_refused_and_the_connection_kept(join):
    mallory = join("Mallory")
    forged = mallory.request("chat", text="hi", author_name="Hana", author_role="host")
    assert forged["error"] == "invalid_frame"
    mallory.send("ping")
    mallory.wait_for(lambda f: f["type"] == "pong")


def test_the_join_snapshot_holds_the_room(join):
    moderator = join(role="moderator")
    ana = join("Ana")
    ana.request("chat", text="first!")
    message_id = moderator.update("message", message_from("first!"))["message"]["message_id"]
    assert moderator.request("pin_message", message_id=message_id)["type"] == "ack"
    assert moderator.request("feature_product", sku=SKUS[1])["type"] == "ack"
    poll = moderator.request("open_poll", question="Which colour?", options=["Red", "Black"])
    ana.update("poll")
    snapshot = join("Late").snapshot
    assert snapshot["show"]["status"] == "scheduled"
    assert snapshot["pinned"]["message_id"] == message_id
    assert snapshot["featured"]["sku"] == SKUS[1]
    assert snapshot["poll"]["poll_id"] == poll["detail"]
    assert (snapshot["you"]["role"], snapshot["you"]["display_name"]) == ("viewer", "Late")
    assert [m["text"] for m in snapshot["messages"]] == ["first!"]


def test_a_reconnecting_viewer_gets_the_snapshot_again(join, vitrine, show_id):
    ana = join("Ana")
    ana.request("chat", text="before the drop")
    ana.close()
    again = join("Ana", viewer=ana.viewer)
    assert "before the drop" in [m["text"] for m in again.snapshot["messages"]]


def test_questions_are_flagged_and_answers_highlighted(join):
    moderator, ana = join(role="moderator"), join("Ana")
    ana.request("ask", text="Are they waterproof?")
    question = moderator.update("message", message_from("Are they waterproof?"))["message"]
    assert question["kind"] == "question"
    answer = moderator.request("answer_question", message_id=question["message_id"],
                               text="Yes, up to 2 cm of snow")  # fmt: skip
    assert answer["type"] == "ack"
    reply = ana.update("message", message_from("Yes, up to 2 cm of snow"))["message"]
    assert (reply["kind"], reply["reply_to"], reply["author_role"]) == (
        "answer", question["message_id"], "moderator",
    )  # fmt: skip


def test_reactions_are_summed_into_one_update(join):
    ana, ben = join("Ana"), join("Ben")
    ana.send("react", reaction="love", count=7)
    counts = ben.update("reactions")["counts"]
    assert counts.get("love", 0) >= 7


def test_a_deleted_message_disappears_for_everyone(join):
    moderator, ana, ben = join(role="moderator"), join("Ana"), join("Ben")
    ana.request("chat", text="buy followers at spam.example")
    message_id = ben.update("message", message_from("buy followers at spam.example"))["message"][
        "message_id"
    ]
    assert moderator.request("delete_message", message_id=message_id)["type"] == "ack"
    assert ben.update("message_deleted")["message_id"] == message_id
    assert message_id not in [m["message_id"] for m in join("Late").snapshot["messages"]]
    assert moderator.request("delete_message", message_id=message_id)["error"] == "not_found"


def test_pin_and_unpin(join):
    moderator, ana = join(role="moderator"), join("Ana")
    moderator.request("chat", text="Free shipping tonight only")
    message_id = ana.update("message", message_from("Free shipping tonight only"))["message"][
        "message_id"
    ]
    moderator.request("pin_message", message_id=message_id)
    assert ana.update("pinned")["message"]["message_id"] == message_id
    moderator.request("unpin_message")
    assert ana.update("pinned", lambda u: u["message"] is None)["message"] is None


def test_a_muted_viewer_is_told_and_cannot_post_until_unmuted(join):
    moderator, ana, ben = join(role="moderator"), join("Ana"), join("Ben")
    assert moderator.request("mute_viewer", viewer_id=ana.viewer, minutes=5)["type"] == "ack"
    notice = ana.wait_for(lambda f: f["type"] == "notice")
    assert notice["notice"] == "muted"
    assert notice["until"]
    refused = ana.request("chat", text="let me talk")
    assert refused["error"] == "muted"
    assert refused["retry_after_seconds"] > 200
    moderator.request("unmute_viewer", viewer_id=ana.viewer)
    ana.wait_for(lambda f: f.get("notice") == "unmuted")
    assert ana.request("chat", text="thanks")["type"] == "ack"
    ben.update("message", message_from("thanks"))
    assert "let me talk" not in json.dumps(ben.frames)


def test_a_banned_viewer_is_disconnected_and_cannot_come_back(join, vitrine, show_id):
    moderator, troll, ana = join(role="moderator"), join("Troll"), join("Ana")
    assert moderator.request("ban_viewer", viewer_id=troll.viewer)["type"] == "ack"
    assert troll.wait_for(lambda f: f["type"] == "notice")["notice"] == "banned"
    assert troll.closed.wait(10), "the banned viewer's socket stays open"
    with pytest.raises(InvalidStatus) as refused:
        RoomClient(vitrine.ws_url, show_id, troll.viewer, name="Troll")
    assert refused.value.response.status_code == 403
    ana.request("chat", text="still here")  # the room goes on
    ana.update("message", message_from("still here"))
    moderator.request("unban_viewer", viewer_id=troll.viewer)
    RoomClient(vitrine.ws_url, show_id, troll.viewer, name="Troll").close()


def test_staff_cannot_be_muted_or_banned(join):
    moderator, host = join(role="moderator"), join(role="host")
    staff_id = host.snapshot["you"]["viewer_id"]
    assert moderator.request("ban_viewer", viewer_id=staff_id)["error"] == "forbidden"


def test_slow_mode_paces_viewers_but_not_staff(join):
    moderator, ana = join(role="moderator"), join("Ana")
    moderator.request("set_slow_mode", seconds=30)
    assert ana.update("slow_mode")["seconds"] == 30
    assert ana.request("chat", text="one")["type"] == "ack"
    second = ana.request("chat", text="two")
    assert second["error"] == "slow_mode"
    assert 0 < second["retry_after_seconds"] <= 30
    assert moderator.request("chat", text="staff one")["type"] == "ack"
    time.sleep(0.3)  # staff keep only the flood guard (0.2 s), not the room's 30 s
    assert moderator.request("chat", text="staff two")["type"] == "ack"


def test_viewers_are_rate_limited_without_slow_mode(join):
    ana = join("Ana")
    ana.request("chat", text="a")
    assert ana.request("chat", text="b")["error"] == "rate_limited"


def test_the_blocklist_refuses_messages_and_only_an_admin_changes_it(join):
    admin, moderator, ana = join(role="admin"), join(role="moderator"), join("Ana")
    word = f"scam{uuid.uuid4().hex[:6]}"
    assert moderator.request("set_blocklist", words=[word])["error"] == "forbidden"
    assert admin.request("set_blocklist", words=[word, "spam"])["type"] == "ack"
    # Each Lambda environment caches the list for 10 s: a message may pass until then.
    deadline = time.monotonic() + 20
    answer = ana.request("chat", text=f"this is a {word.upper()}!")
    while answer.get("error") != "blocked_word" and time.monotonic() < deadline:
        time.sleep(1.2)  # the viewer's own pace
        answer = ana.request("chat", text=f"this is a {word.upper()}!")
    assert answer["error"] == "blocked_word"
    assert word in join(role="admin").snapshot["blocklist"]  # what the console edits
    assert join(role="moderator").snapshot["blocklist"] is None
    admin.request("set_blocklist", words=[])


def test_featuring_a_product_reaches_every_viewer(join):
    moderator, ana, ben = join(role="moderator"), join("Ana"), join("Ben")
    ack = moderator.request("feature_product", sku=SKUS[0])
    assert ack["type"] == "ack"
    for viewer in (ana, ben):
        featured = viewer.update("featured")
        assert featured["product"]["sku"] == SKUS[0]
        assert featured["product"]["name"] == DEMO_PRODUCTS[0].name
    assert moderator.request("feature_product", sku="NOT-IN-SHOW")["error"] == "not_found"


def test_a_poll_is_answered_once_per_viewer_with_live_results(join):
    moderator, ana, ben = join(role="moderator"), join("Ana"), join("Ben")
    poll_id = moderator.request("open_poll", question="Black or tan?",
                                options=["Black", "Tan"])["detail"]  # fmt: skip
    assert ana.update("poll")["poll"]["poll_id"] == poll_id
    assert ana.request("answer_poll", poll_id=poll_id, option=1)["type"] == "ack"
    assert ana.request("answer_poll", poll_id=poll_id, option=0)["error"] == "conflict"
    ben.request("answer_poll", poll_id=poll_id, option=1)
    results = ben.update("poll", lambda u: u["poll"]["counts"] == [0, 2])["poll"]
    assert results["open"] is True
    second = moderator.request("open_poll", question="Another?", options=["a", "b"])
    assert second["error"] == "conflict"
    moderator.request("close_poll", poll_id=poll_id)
    closed = ana.update("poll", lambda u: not u["poll"]["open"])["poll"]
    assert closed["counts"] == [0, 2]
    assert ana.request("answer_poll", poll_id=poll_id, option=0)["error"] == "conflict"


def test_a_quiz_reveals_its_answer_when_it_closes(join):
    moderator, ana = join(role="moderator"), join("Ana")
    quiz_id = moderator.request("open_poll", question="Made in?", options=["Italy", "Portugal"],
                                correct_option=1)["detail"]  # fmt: skip
    opened = ana.update("poll")["poll"]
    assert (opened["quiz"], opened["correct_option"]) == (True, None)
    moderator.request("close_poll", poll_id=quiz_id)
    assert ana.update("poll", lambda u: not u["poll"]["open"])["poll"]["correct_option"] == 1


def test_a_contest_is_drawn_among_its_entrants_with_a_recorded_seed(join):
    moderator, ana, ben = join(role="moderator"), join("Ana"), join("Ben")
    contest_id = moderator.request("open_contest", title="Win the boots")["detail"]
    ana.update("contest")
    assert ana.request("enter_contest", contest_id=contest_id)["type"] == "ack"
    assert ana.request("enter_contest", contest_id=contest_id)["error"] == "conflict"
    ben.request("enter_contest", contest_id=contest_id)
    drawn = moderator.request("draw_contest", contest_id=contest_id)
    assert "seed" in drawn["detail"]
    contest = ana.update("contest", lambda u: not u["contest"]["open"])["contest"]
    assert contest["winner_id"] in {ana.viewer, ben.viewer}
    assert contest["entrant_count"] == 2
    assert moderator.request("draw_contest", contest_id=contest_id)["error"] == "conflict"


def test_a_viewer_without_a_name_is_asked_for_one(join):
    anonymous = join()
    assert anonymous.snapshot["you"]["display_name"] == ""
    assert anonymous.request("chat", text="hello")["error"] == "name_required"
    assert anonymous.request("set_name", name="Moderator Max")["error"] == "invalid_name"
    assert anonymous.request("set_name", name="Dana")["type"] == "ack"
    assert anonymous.request("chat", text="hello")["type"] == "ack"


def test_a_forged_token_is_refused_at_connect(vitrine, show_id):
    with pytest.raises(InvalidStatus) as refused:
        RoomClient(vitrine.ws_url, show_id, "v-forged", token="eyJhbGciOiJub25lIn0.e30.")
    assert refused.value.response.status_code in {401, 403}


def test_unknown_actions_and_bad_frames_get_error_frames(join):
    ana = join("Ana")
    for body, error in [("{", "malformed_json"), ('{"action":"dance"}', "unknown_action"),
                        ('{"action":"chat","text":""}', "invalid_frame")]:  # fmt: skip
        ana.send_raw(body)
        ana.wait_for(lambda f, error=error: f.get("error") == error)
    assert not ana.closed.is_set()


def test_the_viewer_count_is_broadcast(join):
    ana = join("Ana")
    join("Ben")
    assert ana.update("viewers", lambda u: u["count"] >= 2, timeout=30)["count"] >= 2


def test_the_show_goes_live_and_ends_with_the_stream(join, vitrine, show_id):
    host, ana = join(role="host"), join("Ana")
    armed = host.request("arm_show", timeout=30)
    assert armed["type"] == "ack", armed
    assert ana.update("show", lambda u: u["status"] == "live", timeout=45)
    assert host.request("mark_chapter", title="The black boots")["type"] == "ack"
    ended = host.request("end_show", timeout=30)
    assert ended["type"] == "ack", ended
    assert ana.update("show", lambda u: u["status"] == "ended", timeout=45)
    with urllib.request.urlopen(f"{vitrine.base_url}/api/shows/{show_id}", timeout=10) as answer:
        assert json.load(answer)["status"] == "ended"


def test_connecting_to_an_unknown_show_is_refused(vitrine):
    with pytest.raises(InvalidStatus) as refused:
        RoomClient(vitrine.ws_url, f"nope-{uuid.uuid4().hex[:6]}", "v-1")
    assert refused.value.response.status_code == 404
