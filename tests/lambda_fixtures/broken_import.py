"""A handler module whose import fails, as a missing dependency would."""

import a_module_that_does_not_exist  # noqa: F401


def handler(event: object, context: object) -> None:
    return None
