"""The staff day sheet: a clinic's day of bookings with buttons for what may be done."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from kat_widgets.fragments.renderer import Renderer
from kat_widgets.fragments.scheduling import spoken_day

if TYPE_CHECKING:
    from kat_widgets.booking.day_sheet import DaySheet

__all__ = ["render_day_sheet"]


def render_day_sheet(
    renderer: Renderer,
    sheet: DaySheet,
    token: str,
    *,
    message: str | None = None,
    error: str | None = None,
) -> Markup:
    """The day's bookings, each with its status and its actions (plain forms, no script)."""
    directory = renderer.directory
    clinic = directory.clinic(sheet.clinic_id)
    zone = clinic.zone
    base = f"{renderer.base_path}/staff/day/{token}"
    rows: list[dict[str, Any]] = []
    for row in sheet.rows:
        record = row.record
        rows.append(
            {
                "row": row,
                "record": record,
                "start": record.start.astimezone(zone),
                "end": record.end.astimezone(zone),
                "service": directory.service(record.service_id).name,
                "status": record.outcome or record.status,
                "mark_action": f"{base}/bookings/{record.id}/status?date={sheet.day}",
                "cancel_action": f"{base}/bookings/{record.id}/cancel?date={sheet.day}",
                "decide_action": f"{base}/bookings/{record.id}/decide?date={sheet.day}",
            }
        )
    return renderer.render(
        "staff/day.html",
        clinic=clinic,
        heading=spoken_day(sheet.day),
        rows=rows,
        previous_href=f"{base}?date={sheet.previous}",
        next_href=f"{base}?date={sheet.next}",
        message=message,
        error=error,
    )
