"""The whole flow in Spanish in Chromium (#17): search, open times, book, confirmation, manage,
move, cancel; every page says lang="es" and axe-core finds nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import LiveServer, axe_violations, describe, screenshot
from .e2e_flow import NEAREST, ZIP, flow_settings

SHOTS = (
    "es-demo-results",
    "es-open-times",
    "es-booking-form",
    "es-confirmation",
    "es-manage",
    "es-cancelled",
)
"""Gallery names (spelled out: the docs test looks for them here)."""


@pytest.fixture(scope="module")
def kat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with LiveServer(flow_settings(tmp_path_factory.mktemp("e2e-spanish"))) as server:
        yield server


def _check(page: Any, shot: str) -> None:
    assert shot in SHOTS
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.lang") == "es", page.url
    violations = axe_violations(page)
    assert violations == [], f"{shot}: {describe(violations)}"
    screenshot(page, shot)


def test_the_whole_flow_in_spanish(kat: LiveServer, browser: Any) -> None:
    # a browser set to Spanish: Accept-Language picks the language, no ?lang= needed
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="es-US", bypass_csp=True
    )
    page = context.new_page()
    try:
        page.goto(kat.url + "/")
        assert page.evaluate("document.documentElement.lang") == "es"
        page.get_by_label("Código postal, ciudad o dirección").fill(ZIP)
        page.get_by_role("button", name="Buscar clínicas").click()
        first = page.locator(".kat-locator-clinic").first
        expect(first.locator(".kat-badge")).to_have_text(re.compile(r"^(Abierto|Cerrado) ahora"))
        expect(page.locator(".kat-locator-place")).to_have_text(f"Cerca de {ZIP}, Draper, UT")
        _check(page, "es-demo-results")

        first.get_by_role("link", name=f"Reserve una llamada informativa gratuita con {NEAREST}")\
            .click()  # fmt: skip
        expect(page.get_by_text("Elija un horario para reservar.")).to_be_visible()
        _check(page, "es-open-times")

        # next week's first time: far enough ahead to move and cancel online
        page.get_by_role("link", name="Semana siguiente").click()
        expect(page.get_by_text("Elija un horario para reservar.")).to_be_visible()
        page.locator(".kat-day-first .kat-time").first.click()
        expect(
            page.get_by_role("heading", name="Reservar: Llamada informativa gratuita")
        ).to_be_visible()
        page.get_by_role("button", name="Reservar el").click()  # empty: the errors, in Spanish
        summary = page.locator(".kat-error-summary")
        expect(summary).to_be_focused()
        expect(summary).to_contain_text("Por favor, revise 3 campos:")
        _check(page, "es-booking-form")

        page.get_by_label("Su nombre").fill("Visitante Prueba")
        page.get_by_label("Correo electrónico").fill("visitante@example.com")
        page.get_by_label("Pueden comunicarse conmigo").check()
        page.get_by_role("button", name="Reservar el").click()
        expect(page.get_by_role("heading", name="Su cita está reservada")).to_be_visible()
        _check(page, "es-confirmation")

        page.get_by_role("link", name="Cambiar o cancelar esta cita").click()
        expect(page.get_by_role("heading", name="Su cita", exact=True)).to_be_visible()
        _check(page, "es-manage")

        page.locator("input[type=radio][name=start]").first.check()
        page.get_by_role("button", name="Cambiar mi cita").click()
        expect(page.locator("[role=status]")).to_have_text(
            "Su cita se cambió. Por favor, actualice su calendario."
        )
        assert page.evaluate("document.documentElement.lang") == "es"

        page.get_by_role("link", name="Cancelar esta cita").click()
        expect(page.get_by_role("heading", name="¿Cancelar esta cita?")).to_be_focused()
        page.get_by_role("button", name="Sí, cancelarla").click()
        expect(page.locator("[role=status]")).to_contain_text("Su cita está cancelada.")
        _check(page, "es-cancelled")
    finally:
        context.close()
