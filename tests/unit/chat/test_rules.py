"""Roles, pace, polls and contest draws: the room's pure rules."""

import random

import pytest

from functions.chat.logic import contests, pace, polls, roles
from functions.chat.logic.frames import STAFF_ACTIONS, FrameError, OpenPoll


@pytest.mark.parametrize("action", sorted(STAFF_ACTIONS))
def test_no_staff_action_is_open_to_a_viewer_or_an_unknown_role(action):
    assert not roles.may("viewer", action)
    assert not roles.may("", action)
    assert not roles.may("superuser", action)
    assert roles.may("admin", action)


def test_hosts_run_the_broadcast_and_only_admins_change_the_blocklist():
    assert [roles.may("host", a) for a in ("arm_show", "end_show")] == [True, True]
    assert [roles.may("moderator", a) for a in ("arm_show", "end_show")] == [False, False]
    assert [roles.may(r, "set_blocklist") for r in ("host", "moderator")] == [False, False]
    assert [roles.may("moderator", a) for a in ("ban_viewer", "feature_product")] == [True, True]
    assert roles.who_may("set_blocklist") == "admin"
    assert roles.who_may("arm_show") == "host or admin"


def test_slow_mode_sets_the_viewer_pace_but_not_the_staff_pace():
    assert pace.message_pace(is_staff=False, slow_mode_seconds=0).min_interval == 1.0
    slow = pace.message_pace(is_staff=False, slow_mode_seconds=30)
    assert (slow.min_interval, slow.slow_mode) == (30.0, True)
    assert pace.message_pace(is_staff=True, slow_mode_seconds=30).slow_mode is False
    assert slow.retry_after(last_at=100.0, now=110.0) == 20.0


def _poll(**fields):
    return OpenPoll(action="open_poll", question="Which colour?", options=["Red", "Blue"], **fields)


def test_poll_options_must_differ_and_the_quiz_answer_must_exist():
    with pytest.raises(FrameError, match="differ"):
        polls.validated(_poll().model_copy(update={"options": ["Red", " red"]}))
    with pytest.raises(FrameError, match="correct_option"):
        polls.validated(_poll(correct_option=3))
    assert polls.validated(_poll(correct_option=1)).correct_option == 1


def test_a_quiz_answer_stays_secret_until_it_closes():
    fields = {"poll_id": "p", "question": "q", "options": ["a", "b"], "counts": [3, 4, 0]}
    assert polls.view(**fields, correct_option=1, is_open=True).correct_option is None
    closed = polls.view(**fields, correct_option=1, is_open=False)
    assert (closed.correct_option, closed.quiz, closed.counts) == (1, True, [3, 4])


def test_a_draw_is_reproducible_from_its_seed_and_the_entrants():
    entrants = [f"v{n}" for n in range(50)]
    draw = contests.draw(entrants, seed=1234)
    assert draw.winner_id == random.Random(1234).choice(sorted(entrants))
    assert contests.draw(reversed(entrants), seed=1234) == draw  # order does not matter
    assert draw.entrant_count == 50


def test_every_entrant_can_win_and_nobody_wins_an_empty_contest():
    winners = {contests.draw(["a", "b", "c"], seed).winner_id for seed in range(200)}
    assert winners == {"a", "b", "c"}
    assert contests.draw([], seed=1).winner_id is None
    assert 0 <= contests.new_seed() < 2**contests.SEED_BITS
