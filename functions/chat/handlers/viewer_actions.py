"""The WebSocket routes anyone in the room may use (one route per action, see infra/chat)."""

from typing import TYPE_CHECKING, Any

from functions.chat.actions import viewer
from functions.chat.actions.dispatch import Action, run
from functions.common.observability import instrumented

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

ACTIONS: dict[str, Action] = {
    "ping": viewer.ping,
    "join": viewer.join,
    "heartbeat": viewer.heartbeat,
    "set_name": viewer.set_name,
    "chat": viewer.chat,
    "ask": viewer.ask,
    "react": viewer.react,
    "answer_poll": viewer.answer_poll,
    "enter_contest": viewer.enter_contest,
}


# Actions that read the show's room: dispatch reads it with the sender's connection.
READS_ROOM = frozenset({"join", "chat", "ask"})


@instrumented
def handler(event: dict[str, Any], context: "LambdaContext") -> dict[str, int | str]:
    return run(event, ACTIONS, reads_room=READS_ROOM)
