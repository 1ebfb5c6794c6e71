"""Every page and state a visitor meets, at 320, 390, 768 and 1280 px (#16).

Demo page, locator results, open times, booking form with errors, confirmation, manage page,
the cancel question, cancelled, an embed page, a host page with an iframe, the static embed.js
page and an error page. In each: nothing pans sideways, no two interactive targets overlap,
every target is at least 24 x 24 px (links inside a sentence excepted, as WCAG 2.5.8 allows),
axe-core finds nothing, and a screenshot goes to the gallery.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import axe_violations, describe, screenshot
from .e2e_flow import fill_booking_form, partner_site
from .test_booking_widget import _form_url

ROOT = Path(__file__).parents[2]
STATIC_EXAMPLE = ROOT / "examples" / "static_html" / "index.html"
WIDTHS = (320, 390, 768, 1280)
STATES = (
    "demo",
    "locator-results",
    "open-times",
    "booking-errors",
    "confirmation",
    "manage",
    "cancel-question",
    "cancelled",
    "embed-page",
    "iframe-host",
    "static-embed",
    "error-page",
)
GALLERY = (
    "demo-390",
    "demo-1280",
    "locator-results-390",
    "locator-results-1280",
    "open-times-390",
    "open-times-1280",
    "booking-errors-390",
    "booking-errors-1280",
    "confirmation-390",
    "confirmation-1280",
    "manage-390",
    "manage-1280",
    "cancel-question-390",
    "cancel-question-1280",
    "cancelled-390",
    "cancelled-1280",
    "embed-page-390",
    "embed-page-1280",
    "iframe-host-390",
    "iframe-host-1280",
    "static-embed-390",
    "static-embed-1280",
    "error-page-390",
    "error-page-1280",
)
"""The names docs/ shows (spelled out: the docs test looks for them here)."""
IFRAME_HOST = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Partner page</title>
<style>iframe { width: 100%; border: 0; height: 900px; }</style></head>
<body><main><h1>Open times</h1>
<iframe title="Open times at our Draper clinic"
  src="KAT/embed/availability?clinic=draper&amp;service=info-call"></iframe>
</main></body></html>"""

TARGETS = """() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  const found = [];
  const walk = (root) => {
    root.querySelectorAll(selector).forEach((element) => found.push(element));
    root.querySelectorAll('*').forEach((element) => element.shadowRoot && walk(element.shadowRoot));
  };
  walk(document);
  return found.flatMap((element) => {
    const box = element.getBoundingClientRect();
    if (box.width < 2 || box.height < 2) return [];  // visually hidden (a skip link, unfocused)
    if (!element.checkVisibility({opacityProperty: true, visibilityProperty: true})) return [];
    const style = getComputedStyle(element);
    const own = (element.textContent || '').trim().length;
    const around = (element.parentElement.textContent || '').trim().length;
    const label = element.id && element.getRootNode().querySelector(`label[for="${element.id}"]`);
    const labelBox = label ? label.getBoundingClientRect() : null;
    return [{
      html: element.outerHTML.slice(0, 140),
      inline: style.display === 'inline' && around > own,  // a link in a sentence
      rects: [...element.getClientRects()].map((r) => [r.left, r.top, r.width, r.height]),
      width: box.width, height: box.height,
      // a checkbox or radio whose label is clickable too: the pair is the target
      labelled: labelBox ? [Math.max(box.right, labelBox.right) - Math.min(box.left, labelBox.left),
                            Math.max(box.bottom, labelBox.bottom) - Math.min(box.top, labelBox.top)]
                         : null,
    }];
  });
}"""


EMBEDS_SHOWN = """() => [...document.querySelectorAll('[data-kat-widget]')].every((host) =>
  host.shadowRoot && !host.shadowRoot.querySelector('.kat-widget-root > slot'))"""
"""Every embed.js widget on the page shows its fragment (not the host's fallback any more)."""
WIDE = """() => {
  const found = [];
  const walk = (root) => root.querySelectorAll('*').forEach((element) => {
    const box = element.getBoundingClientRect();
    if (box.right > window.innerWidth + 0.5) {
      found.push(`${element.tagName.toLowerCase()}.${element.className} right=${box.right}`);
    }
    if (element.shadowRoot) walk(element.shadowRoot);
  });
  walk(document);
  return found.slice(0, 10);
}"""
"""What reaches past the window's right edge (a failure's explanation)."""


def _overlap(a: list[float], b: list[float]) -> float:
    width = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    height = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return width * height if width > 0.5 and height > 0.5 else 0.0


def _check_targets(frame: Any, where: str) -> int:
    targets = frame.evaluate(TARGETS)
    small = [
        t["html"]
        for t in targets
        if not t["inline"]
        and (t["width"] < 24 or t["height"] < 24)
        and not (t["labelled"] and min(t["labelled"]) >= 24)
    ]
    assert small == [], f"{where}: targets under 24 x 24 px: {small}"
    overlapping = [
        (a["html"], b["html"])
        for i, a in enumerate(targets)
        for b in targets[i + 1 :]
        if any(_overlap(ra, rb) for ra in a["rects"] for rb in b["rects"])
    ]
    assert overlapping == [], f"{where}: overlapping targets: {overlapping[:3]}"
    return len(targets)


def _check(page: Any, state: str, width: int, *, frame: Any = None) -> None:
    where = f"{state} at {width} px"
    assert state in STATES
    pans = "() => document.documentElement.scrollWidth <= window.innerWidth"
    page.wait_for_load_state("load")  # the stylesheets applied before anything is measured
    page.wait_for_function(EMBEDS_SHOWN)  # embed.js widgets too (each waits for its stylesheets)
    assert page.evaluate(pans), f"{where}: the page pans sideways: {page.evaluate(WIDE)}"
    targets = _check_targets(page, where)
    if frame is not None:
        frame.wait_for_load_state("load")
        assert frame.evaluate(pans), f"{where}: the framed page pans sideways"
        targets += _check_targets(frame, f"{where} (in the iframe)")
    assert targets > 0, f"{where}: nothing to use?"
    violations = axe_violations(page)
    assert violations == [], f"{where}: {describe(violations)}"
    screenshot(page, f"{state}-{width}")


@pytest.mark.parametrize("sized", WIDTHS, indirect=True)
def test_every_state_at_every_width(sized: Any, tmp_path: Path) -> None:
    page, width = sized, sized.kat_width
    with partner_site(tmp_path) as (site, origin, kat):
        page.goto(kat.url + "/")
        _check(page, "demo", width)

        page.goto(kat.url + "/?q=84020")
        expect(page.locator(".kat-locator-clinic").first).to_be_visible()
        _check(page, "locator-results", width)

        page.goto(kat.url + "/fragments/availability?clinic=draper&service=info-call")
        _check(page, "open-times", width)

        # one booking per width, each at its own time
        page.goto(_form_url(kat, "murray", width // 8))
        page.get_by_role("button", name="Book").click()
        expect(page.locator(".kat-error-summary")).to_be_focused()
        _check(page, "booking-errors", width)

        fill_booking_form(page, name="Every State", email="states@example.com")
        page.get_by_role("button", name="Book").click()
        expect(page.get_by_role("heading", name="You are booked")).to_be_visible()
        _check(page, "confirmation", width)

        page.get_by_role("link", name="Change or cancel this appointment").click()
        expect(page.get_by_role("link", name="Cancel this appointment")).to_be_visible()
        _check(page, "manage", width)

        page.get_by_role("link", name="Cancel this appointment").click()
        expect(page.get_by_role("heading", name="Cancel this appointment?")).to_be_focused()
        _check(page, "cancel-question", width)

        page.get_by_role("button", name="Yes, cancel it").click()
        expect(page.locator("[role=status]")).to_contain_text("cancelled")
        _check(page, "cancelled", width)

        page.goto(kat.url + "/embed/locator?q=84020")
        expect(page.locator(".kat-locator-clinic").first).to_be_visible()
        _check(page, "embed-page", width)

        (site / "iframe.html").write_text(IFRAME_HOST.replace("KAT", kat.url), encoding="utf-8")
        page.goto(origin + "/iframe.html")
        frame = page.frame_locator("iframe")
        expect(frame.locator(".kat-time").first).to_be_attached()
        inner = next(f for f in page.frames if f.url.startswith(kat.url))
        _check(page, "iframe-host", width, frame=inner)

        html = STATIC_EXAMPLE.read_text(encoding="utf-8").replace("http://127.0.0.1:8000", kat.url)
        (site / "index.html").write_text(html, encoding="utf-8")
        page.goto(origin + "/index.html")
        expect(page.locator("[data-kat-widget=clinics] .kat-clinic").first).to_be_visible()
        expect(page.locator("[data-kat-widget=availability] .kat-time").first).to_be_attached()
        _check(page, "static-embed", width)

        page.goto(kat.url + "/embed/availability?clinic=nowhere")
        expect(page.get_by_role("heading", name="Not found")).to_be_visible()
        _check(page, "error-page", width)
    assert all(name.rsplit("-", 1)[0] in STATES for name in GALLERY)
