"""Health, the clinic list and the demo page."""

from __future__ import annotations

from collections.abc import Mapping

from anyio import to_thread
from litestar import get
from litestar.di import NamedDependency
from litestar.exceptions import ServiceUnavailableException
from litestar.response import Response

from kat_widgets.errors import StorageUnavailableError
from kat_widgets.locator import LocateQuery
from kat_widgets.web.context import AnyRequest, KatContext
from kat_widgets.web.errors import FRAGMENT
from kat_widgets.web.queries import text_dependency
from kat_widgets.web.responses import fragment_response
from kat_widgets.web.schemas import UNAVAILABLE, ClinicList, DeliveryHealth, Health, clinic_out

__all__ = ["ROUTES", "clinics", "clinics_fragment", "demo_page", "healthz", "readyz"]


@get("/healthz", summary="Liveness check", tags=["health"], sync_to_thread=False)
def healthz() -> Health:
    """Liveness: the process answers."""
    return Health(status="ok")


@get("/readyz", summary="Readiness check", tags=["health"], responses=UNAVAILABLE)
async def readyz(kat: NamedDependency[KatContext]) -> Health:
    """Readiness: the booking database answers ``SELECT 1`` (no table, no personal data read).

    With notifications on, also how far delivery is behind (``delivery``: messages due, parked,
    the oldest due message's age). With booking off there is no database to wait for.
    """
    bookings = kat.bookings
    if bookings is None:
        return Health(status="ready")
    try:
        await to_thread.run_sync(bookings.storage.ping)
        delivery = None
        if kat.services.notifications is not None:
            stats = await to_thread.run_sync(lambda: bookings.storage.outbox.stats(now=kat.clock()))
            delivery = DeliveryHealth(
                due=stats.due, parked=stats.parked, oldest_due_seconds=stats.oldest_due_seconds
            )
    except StorageUnavailableError:
        raise ServiceUnavailableException("The booking database is not reachable.") from None
    return Health(status="ready", delivery=delivery)


@get("/api/clinics", summary="List the clinics", tags=["clinics"], sync_to_thread=False)
def clinics(kat: NamedDependency[KatContext]) -> ClinicList:
    """Every clinic in the directory, as the public sees it."""
    return ClinicList(clinics=[clinic_out(clinic) for clinic in kat.directory.clinics])


@get(
    "/",
    include_in_schema=False,
    sync_to_thread=True,
    dependencies={"params": text_dependency(LocateQuery)},
)
def demo_page(
    request: AnyRequest,
    kat: NamedDependency[KatContext],
    params: NamedDependency[Mapping[str, str]],
) -> Response[str]:
    """The demo host page showing every widget (the locator's form submits back here)."""
    html = kat.widgets_for(request).demo_page(
        params, busy_provider=kat.busy_provider, now=kat.clock()
    )
    return Response(str(html), media_type="text/html", headers={"Vary": "Accept-Language"})


@get("/fragments/clinics", include_in_schema=False, sync_to_thread=False, opt=FRAGMENT)
def clinics_fragment(request: AnyRequest, kat: NamedDependency[KatContext]) -> Response[str]:
    """Every clinic with address, phone and hours, as an HTML fragment."""
    view = kat.widgets_for(request).fragment_view("clinics", {})
    return fragment_response(request, kat, view)


ROUTES = [healthz, readyz, clinics, clinics_fragment, demo_page]
