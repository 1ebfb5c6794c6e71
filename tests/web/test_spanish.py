"""The widgets in Spanish over HTTP (#17): choosing the language, carrying it, and no English left.

The pseudo-locale test renders each page twice, in English and with a catalog whose every entry
is the English wrapped in brackets; a visible text node that comes out the same both times and is
not the clinic's own data (names, addresses, phone numbers) was never sent through the catalog.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlencode

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets import i18n
from kat_widgets.directory import load_directory
from kat_widgets.scheduling import find_slots
from kat_widgets.settings import BUNDLED_DIRECTORY

POT = Path(__file__).parents[2] / "src" / "kat_widgets" / "locale" / "messages.pot"
NAVIGATE = {"Sec-Fetch-Dest": "document"}
PROPER = {"Google Maps", "Apple Maps", "OpenStreetMap", "Utah", "iCalendar", "988", "911"}


def _start(index: int = 3) -> str:
    now = dt.datetime.now(dt.UTC)
    slots = find_slots(
        load_directory(BUNDLED_DIRECTORY),
        "draper",
        "info-call",
        start=now + dt.timedelta(days=3),
        end=now + dt.timedelta(days=20),
        now=now,
    )
    return slots[index].start.isoformat()


class _Visible(HTMLParser):
    """Text a visitor sees or hears: text nodes outside scripts and styles, and labels."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("aria-label", "title", "alt", "placeholder") and value:
                self.found.append(value.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.found.append(" ".join(data.split()))


def visible(html: str) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    return parser.found


def _data_words() -> set[str]:
    directory = load_directory(BUNDLED_DIRECTORY)
    organization = directory.organization
    words = {organization.name, organization.phone_label(organization.phone)}
    for clinic in directory.clinics:
        words |= {clinic.name, clinic.address.one_line, organization.phone_label(clinic.phone)}
    # service names and summaries and the regulatory note are not here: clinics.toml gives
    # them in Spanish too, so a page showing the English forgot to translate them
    return words


def _is_data(text: str, data: set[str]) -> bool:
    if text in data or text in PROPER:
        return True
    stripped = text.strip(" ,.:;()")
    if not re.search(r"[A-Za-z]{2}", stripped):  # numbers, times, distances, punctuation
        return True
    return stripped in data or bool(re.fullmatch(r"[\d.,]+ (mi|km)", stripped))


@pytest.fixture
def pseudo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Spanish is the pseudo-locale: every catalog entry is ``⟦English⟧``."""
    with POT.open("rb") as file:
        template = read_po(file)
    for message in template:
        if message.id:
            if isinstance(message.id, tuple | list):
                message.string = tuple(f"⟦{form}⟧" for form in (message.id[0], message.id[1]))
            else:
                message.string = f"⟦{message.id}⟧"
    buffer = io.BytesIO()
    write_mo(buffer, template)
    buffer.seek(0)
    fake = Translations(fp=buffer)
    real = i18n.catalog
    monkeypatch.setattr(i18n, "catalog", lambda lang: fake if lang == "es" else real(lang))


def _pages(client: TestClient[Litestar]) -> dict[str, str]:
    start = _start()
    form = {"clinic": "draper", "service": "info-call", "start": start}
    posted = {"clinic_id": "draper", "service": "info-call", "start": start}
    return {
        "demo": "/?q=84020",
        "locator-error": "/embed/locator?q=" + "zzzz nowhere",
        "locator-far": "/embed/locator?q=10001",
        "availability": "/fragments/availability?clinic=draper&service=info-call",
        "booking-form": "/fragments/booking?" + urlencode(form),
        "booking-errors": "POST /fragments/booking?" + urlencode(posted),
        "error-page": "/embed/availability?clinic=nowhere",
        "clinics": "/embed/clinics",
    }


def _get(client: TestClient[Litestar], target: str, lang: str) -> str:
    joiner = "&" if "?" in target else "?"
    if target.startswith("POST "):
        path = target.removeprefix("POST ")
        pairs = re.findall(r"([^?&=]+)=([^&]*)", path.split("?", 1)[1])
        body = {key: unquote(value) for key, value in pairs}
        url = path.split("?", 1)[0] + f"?lang={lang}"
        response = client.post(url, data=body, headers=NAVIGATE)
    else:
        response = client.get(f"{target}{joiner}lang={lang}", headers=NAVIGATE)
    assert response.status_code in (200, 404, 422), (target, response.status_code)
    return response.text


def test_no_visible_english_is_left_out_of_the_catalog(
    client: TestClient[Litestar], pseudo: None
) -> None:
    data = _data_words()
    left: dict[str, list[str]] = {}
    for name, target in _pages(client).items():
        english = set(visible(_get(client, target, "en")))
        for text in visible(_get(client, target, "es")):
            if "⟦" in text or _is_data(text, data):
                continue
            if text in english:
                left.setdefault(name, []).append(text)
    assert left == {}, f"visible text that never went through the catalog: {left}"


def test_spanish_pages_say_so_and_carry_the_language(client: TestClient[Litestar]) -> None:
    page = client.get("/fragments/availability?clinic=draper&service=info-call&lang=es",
                      headers=NAVIGATE)  # fmt: skip
    html = page.text
    assert '<html lang="es"' in html
    assert "Elija un horario para reservar. Los horarios están en hora de la montaña." in html
    times = re.findall(r'class="kat-time" href="([^"]+)"', html)
    assert times and all("lang=es#kat-booking" in href for href in times)
    assert "Accept-Language" in page.headers["vary"]

    demo = client.get("/?q=84020&lang=es").text
    assert '<html lang="es"' in demo and "Encuentre una clínica cerca de usted" in demo
    assert '<input type="hidden" name="lang" value="es">' in demo  # the search stays Spanish
    assert "lang=es#kat-open-times-draper-info-call" in demo  # so does "Book"
    assert "Busque ayuda" in demo or "AYUDA" in demo.upper()  # the crisis bar, in Spanish


def test_accept_language_picks_spanish_and_lang_overrides_it(
    client: TestClient[Litestar],
) -> None:
    header = {"Accept-Language": "es-US,es;q=0.9"}
    spanish = client.get("/fragments/locator?q=84020", headers=header)
    assert "Cerca de 84020, Draper, UT" in spanish.text
    english = client.get("/fragments/locator?q=84020&lang=en", headers=header)
    assert "Near 84020, Draper, UT" in english.text
    assert "Near 84020" in client.get("/fragments/locator?q=84020").text  # no header: English
    # read from the raw query string (#14) as Litestar's query parameters read it
    first = client.get("/fragments/locator?lang=es&q=84020&lang=en")
    assert "Cerca de 84020" in first.text  # the first lang wins
    assert "Cerca de 84020" in client.get("/fragments/locator?q=84020&lang=%65s").text
    blank = client.get("/fragments/locator?q=84020&lang=", headers=header)
    assert "Cerca de 84020" in blank.text  # a blank lang leaves it to Accept-Language
    spoken = client.get("/api/locate?q=99999&lang=es")  # the JSON API speaks it too
    assert spoken.status_code == 422
    assert spoken.json()["detail"].startswith("No conocemos el código postal 99999")


def test_form_errors_and_error_pages_in_spanish(client: TestClient[Litestar]) -> None:
    start = _start(4)
    body = {"clinic_id": "draper", "service": "info-call", "start": start}
    answer = client.post("/fragments/booking?lang=es", data=body, headers=NAVIGATE)
    assert answer.status_code == 422
    assert "Por favor, díganos su nombre." in answer.text
    assert "Por favor, revise 3 campos:" in answer.text
    assert '<html lang="es"' in answer.text
    problem = client.get("/embed/availability?clinic=nowhere&lang=es")
    assert problem.status_code == 404
    assert "No encontrado" in problem.text and '<html lang="es"' in problem.text
    locator = client.get("/fragments/locator?q=99999&lang=es")
    assert "No conocemos el código postal 99999" in locator.text


def _book_in_spanish(client: TestClient[Litestar], index: int) -> tuple[str, str]:
    """Book through the plain form in Spanish: (the confirmation page, the manage path)."""
    body = {
        "clinic_id": "draper",
        "service": "info-call",
        "start": _start(index),
        "name": "Visitante Prueba",
        "email": "visitante@example.com",
        "consent": "yes",
    }
    answer = client.post("/fragments/booking?lang=es", data=body, headers=NAVIGATE)
    assert answer.status_code == 201, answer.text
    manage = re.search(r'href="(/bookings/[^"?]+)\?lang=es"', answer.text)
    assert manage, "the manage link carries the language"
    return answer.text, manage.group(1)


def _pages_after_booking(client: TestClient[Litestar], index: int) -> dict[str, str]:
    confirmation, manage = _book_in_spanish(client, index)
    pages = {"confirmation": confirmation}
    # no ?lang= from here on: the manage page speaks the language the visitor booked in
    pages["manage"] = client.get(manage).text
    pages["cancel-question"] = client.get(manage + "?step=cancel").text
    done = client.post(manage + "/cancel", data={"confirm": "yes"}, headers=NAVIGATE)
    assert done.status_code == 200, done.status_code  # after the redirect
    pages["cancelled"] = done.text
    return pages


def test_a_booking_made_in_spanish_stays_spanish(client: TestClient[Litestar]) -> None:
    pages = _pages_after_booking(client, 6)
    assert "Su cita está reservada" in pages["confirmation"]
    assert '<html lang="es"' in pages["manage"] and "Su cita" in pages["manage"]
    assert "Puede cambiar o cancelar en línea hasta el <strong>" in pages["manage"]
    assert "¿Cancelar esta cita?" in pages["cancel-question"]
    assert "Su cita está cancelada." in pages["cancelled"]
    assert "Estado: <strong>Cancelada</strong>" in pages["cancelled"]


def test_no_english_is_left_after_booking(client: TestClient[Litestar], pseudo: None) -> None:
    english = _pages_after_booking_in(client, "en", 7)
    data = _data_words()
    left: dict[str, list[str]] = {}
    for name, html in _pages_after_booking(client, 8).items():
        for text in visible(html):
            if "⟦" not in text and not _is_data(text, data) and text in english[name]:
                left.setdefault(name, []).append(text)
    assert left == {}, f"visible text that never went through the catalog: {left}"


def _pages_after_booking_in(
    client: TestClient[Litestar], lang: str, index: int
) -> dict[str, set[str]]:
    body = {
        "clinic_id": "draper",
        "service": "info-call",
        "start": _start(index),
        "name": "Visitor Test",
        "email": "visitor@example.com",
        "consent": "yes",
    }
    answer = client.post(f"/fragments/booking?lang={lang}", data=body, headers=NAVIGATE)
    assert answer.status_code == 201
    manage = re.search(r'href="(/bookings/[^"?]+)', answer.text)
    assert manage
    path = manage.group(1)
    done = client.post(path + "/cancel", data={"confirm": "yes"}, headers=NAVIGATE)
    return {
        "confirmation": set(visible(answer.text)),
        "manage": set(visible(client.get(path).text)) | set(visible(done.text)),
        "cancel-question": set(visible(client.get(path + "?step=cancel").text)),
        "cancelled": set(visible(done.text)),
    }


def test_the_directorys_own_words_in_spanish(client: TestClient[Litestar]) -> None:
    html = client.get(
        "/fragments/availability?clinic=draper&service=info-call&lang=es", headers=NAVIGATE
    ).text
    assert "Llamada informativa gratuita en Numinus Draper" in html
    demo = client.get("/?lang=es").text
    assert "Aparte de Spravato®, una forma de esketamina" in demo  # the regulatory note
    english = client.get("/").text
    assert "Other than Spravato®, a form of esketamine" in english


def test_the_visitors_calendar_speaks_the_booking_language(client: TestClient[Litestar]) -> None:
    """Their .ics file and the Google and Outlook links are Spanish; the staff's copy is not."""
    import icalendar

    from kat_widgets.booking.calendar import staff_feed_ics
    from kat_widgets.booking.models import BookingRecord

    confirmation, _ = _book_in_spanish(client, 9)
    href = re.search(r'href="(/calendars/bookings/[A-Za-z0-9_-]+\.ics)"', confirmation)
    assert href, "the confirmation links the calendar file"
    event = icalendar.Calendar.from_ical(client.get(href.group(1)).content).events[0]
    assert str(event["SUMMARY"]).endswith(": llamada informativa")
    assert str(event["LOCATION"]).startswith("Llamada por teléfono o video con ")
    assert "Esta entrada del calendario no se vigila" in str(event["DESCRIPTION"])
    assert str(event.walk("VALARM")[0]["DESCRIPTION"]) == "Recordatorio: llamada informativa"
    google = re.search(r'href="(https://calendar\.google\.com/[^"]+)"', confirmation)
    outlook = re.search(r'href="(https://outlook\.office\.com/[^"]+)"', confirmation)
    assert google and outlook
    for link in (google.group(1), outlook.group(1)):
        assert "llamada informativa" in unquote(link.replace("+", " ").replace("&amp;", "&"))

    # the same visit in the staff feed stays English, whatever the visitor spoke
    start = dt.datetime.fromisoformat(_start(9))
    record = BookingRecord(
        id="b1",
        clinic_id="draper",
        service_id="info-call",
        start=start,
        end=start + dt.timedelta(minutes=30),
        status="confirmed",
        sequence=0,
        token_hash="x",
        name="Visitante Prueba",
        email=None,
        phone=None,
        note=None,
        language="es",
        created_at=start,
        updated_at=start,
    )
    with i18n.using("es"):
        staff = staff_feed_ics([record], load_directory(BUNDLED_DIRECTORY), now=start)
    summary = str(icalendar.Calendar.from_ical(staff).events[0]["SUMMARY"])
    assert summary == "Booked: informational call"


def test_every_widget_says_its_language_and_sends_embed_js_its_words(
    client: TestClient[Litestar],
) -> None:
    """A Spanish widget in an English host page is marked lang="es" (WCAG 3.1.2), and carries
    the words embed.js shows around it (its Back button, a failed send) in Spanish."""
    import html
    import json

    for target in (
        "/fragments/locator?q=84020",
        "/fragments/availability?clinic=draper&service=info-call",
        f"/fragments/booking?clinic=draper&service=info-call&start={_start(2)}",
        "/fragments/clinics",
        "/fragments/locator?q=99999",
    ):
        fragment = client.get(f"{target}&lang=es" if "?" in target else f"{target}?lang=es").text
        root = re.search(
            r'<section lang="(\w+)" data-kat-words="([^"]+)" class="kat-widget', fragment
        )
        assert root, target
        assert root.group(1) == "es"
        words = json.loads(html.unescape(root.group(2)))
        assert words["back"] == "Volver" and words["backToResults"] == "Volver a los resultados"
        assert words["failed"].startswith("Lo sentimos")


def test_embed_pages_offer_the_other_language_and_keep_the_choice(
    client: TestClient[Litestar],
) -> None:
    spanish_browser = {"Accept-Language": "es-US,es;q=0.9", **NAVIGATE}
    page = client.get("/embed/locator?q=84020", headers=spanish_browser).text
    assert '<html lang="es"' in page
    switch = re.search(
        r'<nav class="kat-languages kat-embed-languages" aria-label="Idioma">.*?</nav>', page, re.S
    )
    assert (
        switch
        and 'href="?q=84020&amp;lang=en" hreflang="en" lang="en">English</a>' in switch.group(0)
    )
    # the visitor chose English: every link of the page keeps it, or their browser's Spanish
    # would take the next page back
    english = client.get("/embed/locator?q=84020&lang=en", headers=spanish_browser).text
    assert '<html lang="en"' in english
    book = re.findall(r'class="kat-locator-book" href="([^"]+)"', english)
    assert book and all("lang=en" in href for href in book)
    assert 'hreflang="es" lang="es">Español</a>' in english
    # no switch after a form was sent (its link would not show the same page again), and none
    # for the crisis banner, which follows its host's language
    sent = client.post("/fragments/booking?lang=es", data={"clinic_id": "draper"}, headers=NAVIGATE)
    assert "kat-embed-languages" not in sent.text
    assert "kat-embed-languages" not in client.get("/embed/crisis-banner?lang=es").text
