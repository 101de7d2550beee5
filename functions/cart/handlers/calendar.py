"""Add to calendar: the show as an .ics file or a Google Calendar link, each counted as a
`calendar.added` with its traffic source (the add-to-calendar KPI)."""

from collections.abc import Mapping
from datetime import datetime
from urllib.parse import quote

from chalice.app import Response
from pydantic import ValidationError

from functions.cart.dal import catalog
from functions.cart.handlers.api import Operation, Resource, current_request
from functions.cart.logic import errors
from functions.cart.logic.calendar import CalendarShow, calendar_file, google_calendar_link
from functions.common.event_log import append
from functions.common.events import CalendarAdded
from functions.common.settings import Settings

calendar = Resource("calendar")


def _calendar_show(show_id: str) -> CalendarShow:
    show = catalog.show_item(show_id)
    if show is None:
        raise errors.not_found(f"no show {show_id}")
    settings = Settings.from_env()
    site = (settings.site_url or "").rstrip("/")
    return CalendarShow(
        show_id=show.show_id,
        title=show.title,
        description=show.description,
        host_name=show.host_name,
        starts_at=datetime.fromisoformat(show.starts_at),
        duration_minutes=int(show.duration_minutes),
        recurrence_rule=show.recurrence_rule,
        show_url=f"{site}/?show={quote(show.show_id)}",  # an id may hold # or @
        brand_name=settings.brand_name,
        time_zone=settings.time_zone,
    )


def _count(show_id: str) -> None:
    params: Mapping[str, str] = current_request(calendar).query_params or {}
    source = (params.get("source") or "direct")[:64]
    try:
        added = CalendarAdded(
            show_id=show_id, viewer_id=params.get("viewer_id") or None, traffic_source=source
        )
    except ValidationError as error:  # a viewer id the page would never send
        raise errors.invalid(error, where="query") from error
    append(added)


@calendar.operation(
    Operation("/shows/{show_id}/calendar.ics", "GET", "The show as an iCalendar file", "calendar",
              content_type="text/calendar", refusals=(404,), query=("source", "viewer_id"))
)  # fmt: skip
def calendar_ics(show_id: str) -> Response:
    show = _calendar_show(show_id)
    _count(show_id)
    return Response(
        calendar_file(show).decode(),
        headers={
            "Content-Type": "text/calendar; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{show_id}.ics"',
            "Cache-Control": "no-store",
        },
    )


@calendar.operation(
    Operation("/shows/{show_id}/calendar/google", "GET",
              "Redirects to Google Calendar's new-event page for the show", "calendar",
              status=302, refusals=(404,), query=("source", "viewer_id"))
)  # fmt: skip
def calendar_google(show_id: str) -> Response:
    show = _calendar_show(show_id)
    _count(show_id)
    return Response(
        "",
        status_code=302,
        headers={"Location": google_calendar_link(show), "Cache-Control": "no-store"},
    )
