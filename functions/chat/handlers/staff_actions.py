"""The WebSocket routes of moderators, hosts and admins (refused, per role, for anyone else)."""

from typing import TYPE_CHECKING, Any

from functions.chat.actions import games, moderation, show
from functions.chat.actions.dispatch import Action, run
from functions.common.observability import instrumented
from functions.common.settings import Settings
from functions.common.streaming import IvsStreaming

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

ACTIONS: dict[str, Action] = {
    "delete_message": moderation.delete_message,
    "pin_message": moderation.pin_message,
    "unpin_message": moderation.unpin_message,
    "answer_question": moderation.answer_question,
    "mute_viewer": moderation.mute_viewer,
    "unmute_viewer": moderation.unmute_viewer,
    "ban_viewer": moderation.ban_viewer,
    "unban_viewer": moderation.unban_viewer,
    "set_blocklist": moderation.set_blocklist,
    "set_slow_mode": moderation.set_slow_mode,
    "feature_product": show.feature_product,
    "mark_chapter": show.mark_chapter,
    "arm_show": show.arm_show,
    "end_show": show.end_show,
    "open_poll": games.open_poll,
    "close_poll": games.close_poll,
    "open_contest": games.open_contest,
    "draw_contest": games.draw_contest,
}


@instrumented
def handler(event: dict[str, Any], context: "LambdaContext") -> dict[str, int | str]:
    settings = Settings.from_env()
    return run(
        event,
        ACTIONS,
        staff_only=True,
        channel_arn=settings.require("channel_arn"),
        streaming=IvsStreaming(),
    )
