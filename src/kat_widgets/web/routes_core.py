"""Health, the clinic list and the demo page."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency
from litestar.response import Response
from markupsafe import Markup

from kat_widgets.errors import StorageUnavailableError
from kat_widgets.web.context import AnyRequest, KatContext
from kat_widgets.web.schemas import ClinicList, Health, clinic_out

__all__ = ["ROUTES", "clinics", "demo_page", "healthz"]


@get("/healthz", tags=["health"], sync_to_thread=False)
def healthz() -> Health:
    """Liveness: the process answers."""
    return Health(status="ok")


@get("/api/clinics", tags=["clinics"], sync_to_thread=False)
def clinics(kat: NamedDependency[KatContext]) -> ClinicList:
    """Every clinic in the directory, as the public sees it."""
    return ClinicList(clinics=[clinic_out(clinic) for clinic in kat.directory.clinics])


@get("/", include_in_schema=False, sync_to_thread=False)
def demo_page(request: AnyRequest, kat: NamedDependency[KatContext]) -> Response[str]:
    """The demo host page showing every widget."""
    widgets = kat.widgets_for(request)
    try:
        availability = widgets.availability(
            "draper", "info-call", busy_provider=kat.busy_provider, now=kat.clock()
        )
    except StorageUnavailableError:  # the rest of the page works without the database
        phone = kat.directory.organization.phone_display or kat.directory.organization.phone
        availability = Markup("<p>Online booking is not available right now. Call us at {}.</p>")
        availability = availability.format(phone)
    html = widgets.render(
        "demo/page.html",
        clinics=kat.directory.clinics,
        widgets_html=widgets.clinic_list(),
        availability_html=availability,
    )
    return Response(str(html), media_type="text/html; charset=utf-8")


ROUTES = [healthz, clinics, demo_page]
