"""Polls and quizzes: what a valid one is and what viewers may see of it. Pure Python."""

from functions.chat.logic.frames import OpenPoll, PollView, refuse


def validated(frame: OpenPoll) -> OpenPoll:
    options = [option.strip() for option in frame.options]
    if any(not option for option in options):
        raise refuse("invalid_frame", "poll options may not be blank", ref=frame.ref)
    if len({option.casefold() for option in options}) != len(options):
        raise refuse("invalid_frame", "poll options must differ", ref=frame.ref)
    if frame.correct_option is not None and frame.correct_option >= len(options):
        raise refuse("invalid_frame", "correct_option names no option", ref=frame.ref)
    return frame.model_copy(update={"options": options, "question": frame.question.strip()})


def view(
    *,
    poll_id: str,
    question: str,
    options: list[str],
    counts: list[int],
    correct_option: int | None,
    is_open: bool,
) -> PollView:
    """A quiz keeps its answer secret until it closes."""
    return PollView(
        poll_id=poll_id,
        question=question,
        options=options,
        counts=counts[: len(options)],
        quiz=correct_option is not None,
        open=is_open,
        correct_option=None if is_open else correct_option,
    )
