"""The crisis banner in Chromium: axe-clean in every variant, keyboard use, sticky bar and focus."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kat_widgets.fragments.crisis import crisis_snippet

from .conftest import LiveServer, axe_violations, describe, screenshot

FILLER = "".join(
    f'<p>Paragraph {n} with <a href="#link-{n}" id="link-{n}">link {n}</a>.</p>' for n in range(40)
)


def host_page(variant: str, region: str, lang: str) -> str:
    """A plain host page embedding the static snippet the way a partner would."""
    snippet = crisis_snippet(region, lang, variant)
    bar = snippet if variant == "bar" else ""
    body = "" if variant == "bar" else snippet
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Clinic page</title></head><body>"
        f"{bar}<main><h1>Clinic page</h1>{body}{FILLER}</main></body></html>"
    )


@pytest.fixture
def small_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1024, "height": 480})
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("variant", ["bar", "card", "inline", "link"])
@pytest.mark.parametrize(
    ("region", "lang"), [("US-UT", "en"), ("US-UT", "es"), ("CA", "fr"), ("elsewhere", "en")]
)
def test_each_variant_has_no_axe_violations(
    page: Any, variant: str, region: str, lang: str
) -> None:
    page.set_content(host_page(variant, region, lang))
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    if lang == "en" and region == "US-UT":
        screenshot(page, f"crisis-{variant}")


def test_closed_bar_has_no_axe_violations(page: Any) -> None:
    page.set_content(host_page("bar", "US-UT", "en"))
    page.locator(".kat-crisis-more > summary").click()
    assert page.locator("details.kat-crisis-more").get_attribute("open") is None
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_dismissed_bar_leaves_a_focusable_get_help_now_link(
    live_server: LiveServer, browser: Any
) -> None:
    context = browser.new_context(java_script_enabled=False)  # the bar needs no JavaScript
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Get help now: call 988"
    page.keyboard.press("Tab")
    focused = "[document.activeElement.tagName, document.activeElement.innerText]"
    assert page.evaluate(focused) == ["SUMMARY", "Hide crisis support"]
    page.keyboard.press("Enter")  # dismiss
    assert page.locator(".kat-crisis-lead").is_hidden()
    assert page.evaluate(focused) == ["SUMMARY", "Show crisis support"]
    link = page.get_by_role("link", name="Get help now: call 988")
    assert link.is_visible() and link.get_attribute("href") == "tel:988"
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.textContent") == "Get help now: call 988"
    screenshot(page, "crisis-bar-dismissed")
    context.close()


def _focus_clear_of_bar(page: Any) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(
        """() => {
            const bar = document.querySelector('.kat-crisis--bar').getBoundingClientRect();
            const el = document.activeElement;
            const inBar = !!el.closest('.kat-crisis--bar');
            const box = el.getBoundingClientRect();
            return {inBar, top: box.top, barBottom: bar.bottom, text: el.textContent,
                    sticky: getComputedStyle(document.querySelector('.kat-crisis--bar')).position};
        }"""
    )
    return result


@pytest.mark.parametrize("direction", ["Tab", "Shift+Tab"])
def test_sticky_bar_never_hides_the_focused_element(small_page: Any, direction: str) -> None:
    small_page.set_content(host_page("bar", "US-UT", "en"))
    if direction == "Shift+Tab":
        small_page.locator("#link-39").focus()
    checked = 0
    for _ in range(45):
        small_page.keyboard.press(direction)
        state = _focus_clear_of_bar(small_page)
        assert state["sticky"] == "sticky"
        if state["inBar"] or state["text"] is None:
            continue
        assert state["top"] >= state["barBottom"] - 1, state
        checked += 1
    assert checked >= 30
