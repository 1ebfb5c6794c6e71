"""The layout rules of docs/architecture.md, checked on the source itself.

Imports are read with ``ast`` from every module under ``src/kat_widgets``: module level,
inside ``if TYPE_CHECKING:`` and inside functions alike, since each is a dependency.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "kat_widgets"
MAX_LINES = 400
DOMAIN = ("directory", "locator", "scheduling", "crisis", "fhir")
DELIVERY = ("web", "fragments", "cli")


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    _module_name(path): path
    for path in sorted(PACKAGE.rglob("*.py"))
    if "migrations" not in path.parts
}


def _imports(name: str, path: Path) -> Iterator[str]:
    """Every kat_widgets module ``name`` imports, resolved to a module we have."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            # ``from pkg import module`` depends on the module, ``from pkg import name`` on pkg
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            if target.startswith("kat_widgets") and target != name:
                while target not in MODULES and "." in target:
                    target = target.rsplit(".", 1)[0]
                yield target


GRAPH = {name: set(_imports(name, path)) for name, path in MODULES.items()}


def _cycle() -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(GRAPH):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycle_counting_type_checking_and_function_imports() -> None:
    assert _cycle() is None, " -> ".join(_cycle() or [])


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_small(name: str) -> None:
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines (at most {MAX_LINES})"


def _reaches(start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        node = todo.pop()
        for nxt in GRAPH[node] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


@pytest.mark.parametrize("package", DOMAIN)
def test_the_domain_never_imports_delivery_or_storage(package: str) -> None:
    for name in (m for m in MODULES if m.startswith(f"kat_widgets.{package}")):
        bad = {
            dep
            for dep in GRAPH[name]
            if dep.startswith(("kat_widgets.web", "kat_widgets.fragments", "kat_widgets.cli"))
            or dep.startswith(("kat_widgets.booking", "kat_widgets.services"))
        }
        assert not bad, f"{name} imports {sorted(bad)}"


def test_nothing_but_the_entry_point_imports_the_cli() -> None:
    importers = [name for name, deps in GRAPH.items() if "kat_widgets.cli" in deps]
    assert importers == ["kat_widgets.__main__"]


def test_only_the_store_and_the_composition_root_reach_sql() -> None:
    storage = {m for m in MODULES if m.startswith("kat_widgets.booking.storage")}
    allowed = storage | {"kat_widgets.booking.schema", "kat_widgets.services"}
    for name, path in MODULES.items():
        text = path.read_text(encoding="utf-8")
        if "sqlalchemy" in text and name not in allowed and "migrations" not in str(path):
            pytest.fail(f"{name} mentions sqlalchemy")
    fragments = _reaches("kat_widgets.fragments")
    assert not fragments & storage, "fragments reach the booking store"


def _calls_timedelta(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "timedelta":
                lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("layer", DELIVERY)
def test_delivery_layers_do_no_time_arithmetic(layer: str) -> None:
    """Cut-offs, horizons and the times a booking may move to are the domain's answers."""
    paths = [MODULES[m] for m in MODULES if m == f"kat_widgets.{layer}"]
    paths += [MODULES[m] for m in MODULES if m.startswith(f"kat_widgets.{layer}.")]
    found = {str(path.name): _calls_timedelta(path) for path in paths}
    assert not {name: lines for name, lines in found.items() if lines}


def _import_alone(module: str, *, leaves: set[str], then: str = "") -> None:
    """Import ``module`` in a fresh interpreter; none of ``leaves`` (a package, or a module by
    its full name) may be loaded by it. ``then``: more code to run there afterwards."""
    code = (
        f"import sys, {module}\n"
        f"leaves = {sorted(leaves)!r}\n"
        "loaded = set(sys.modules) | {name.split('.')[0] for name in sys.modules}\n"
        "bad = sorted(set(leaves) & loaded)\n"
        "assert not bad, bad\n"
    ) + then
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_importing_fragments_imports_neither_litestar_nor_sqlalchemy() -> None:
    _import_alone("kat_widgets.fragments", leaves={"litestar", "sqlalchemy"})


def test_importing_fragments_leaves_the_booking_use_cases_for_when_they_are_used() -> None:
    # a form's query lives in booking.models; importing it once pulled in the package's
    # __init__, and with it the use cases, the waitlist and the settings (~17 ms, #14)
    _import_alone(
        "kat_widgets.fragments",
        leaves={
            "kat_widgets.booking.service",
            "kat_widgets.booking.waitlist",
            "kat_widgets.scheduling.pathway",
        },
        then=(
            "from kat_widgets.booking import BookingService, Confirmation\n"
            "from kat_widgets.scheduling import check_pathway, find_slots\n"
            "assert BookingService.__module__ == 'kat_widgets.booking.service'\n"
            "assert Confirmation.__module__ == 'kat_widgets.booking.models'\n"
            "assert check_pathway.__module__ == 'kat_widgets.scheduling.pathway'\n"
            "assert find_slots.__module__ == 'kat_widgets.scheduling.engine'\n"
        ),
    )


def test_importing_fragments_leaves_babel_for_the_first_page_in_spanish() -> None:
    # catalogs are read with the standard library's gettext; Babel's dates (~15 ms of import)
    # are imported by the first date or time written in Spanish (#14)
    _import_alone(
        "kat_widgets.fragments",
        leaves={"babel"},
        then=(
            "from kat_widgets import i18n\n"
            "from kat_widgets.fragments.scheduling import spoken_day\n"
            "import datetime as dt\n"
            "with i18n.using('es'):\n"
            "    assert spoken_day(dt.date(2027, 3, 9)) == 'martes, 9 de marzo de 2027'\n"
            "    assert i18n.gettext('Book an appointment') == 'Reservar una cita'\n"
        ),
    )


def test_importing_fhir_imports_no_web_framework_and_no_fhir_library() -> None:
    # the FHIR JSON is built with msgspec; fhir.resources is a test dependency that checks it
    _import_alone("kat_widgets.fhir", leaves={"litestar", "fhir", "pydantic"})


def test_importing_fragments_leaves_the_calendar_parsers_for_when_they_are_used() -> None:
    # icalendar and recurring_ical_events cost ~40 ms of import; only bookings and staff
    # calendars need them, so they are imported where those are shown or read (#14)
    _import_alone("kat_widgets.fragments", leaves={"icalendar", "recurring_ical_events"})
