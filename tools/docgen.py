"""Pages generated from the code at build time, so they cannot drift.

Used as an MkDocs hook (``hooks:`` in mkdocs.yml) and by tests/docs. Writes into docs/
(gitignored): ``reference/clinics-toml.md`` from the msgspec Structs in
``kat_widgets.directory.models``, ``reference/http-api.md`` from the app's OpenAPI schema, and
``screenshots/*.png`` copied from ``artifacts/screenshots/`` (taken by the browser tests). A
missing screenshot becomes a note on the page instead of a broken image.
"""

from __future__ import annotations

import ast
import inspect
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import msgspec

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SHOTS_FROM = ROOT / "artifacts" / "screenshots"
SHOTS_TO = DOCS / "screenshots"

# where each Struct sits in clinics.toml
TABLES = {
    "DirectoryData": "the top level of the file",
    "Organization": "`[organization]`",
    "Role": "`[[roles]]`",
    "Service": "`[[services]]`",
    "BookingPolicy": "`[services.policy]`",
    "PathwayRules": "`[services.pathway]`",
    "Question": "`[[services.questions]]`",
    "Choice": "`[[services.questions.choices]]`",
    "Route": "a question's `if_yes`, `if_no`, or a choice's `route`",
    "Clinic": "`[[clinics]]`",
    "Address": "`[clinics.address]`",
    "Coordinates": "`[clinics.coordinates]`",
    "HoursRule": "`[[clinics.hours]]`, `[[clinics.staff.hours]]`, `[[clinics.rooms.hours]]`",
    "DateException": "`[[clinics.exceptions]]` (and in staff and rooms)",
    "Staff": "`[[clinics.staff]]`",
    "Room": "`[[clinics.rooms]]`",
}


def directory_structs() -> list[type[msgspec.Struct]]:
    """Every Struct of the directory file, in the order the reference shows them."""
    from kat_widgets.directory import intake, models

    found = [
        obj
        for module in (models, intake)
        for obj in vars(module).values()
        if isinstance(obj, type)
        and issubclass(obj, msgspec.Struct)
        and obj is not models.Base
        and obj.__module__ == module.__name__
    ]
    order = list(TABLES)
    return sorted(found, key=lambda s: order.index(s.__name__) if s.__name__ in order else 99)


def _annotations(cls: type) -> dict[str, tuple[str, str]]:
    """``field -> (annotation source, attribute docstring)`` read from the class source."""
    tree = ast.parse(inspect.getsource(cls))
    body = tree.body[0].body  # type: ignore[attr-defined]
    out: dict[str, tuple[str, str]] = {}
    for i, node in enumerate(body):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            doc = ""
            nxt = body[i + 1] if i + 1 < len(body) else None
            if (
                isinstance(nxt, ast.Expr)
                and isinstance(nxt.value, ast.Constant)
                and isinstance(nxt.value.value, str)
            ):
                doc = " ".join(nxt.value.value.split())
            out[node.target.id] = (ast.unparse(node.annotation), doc)
    return out


class _StripMeta(ast.NodeTransformer):
    """``Annotated[X, msgspec.Meta(...)]`` -> ``X``, collecting the Meta keywords as limits."""

    def __init__(self) -> None:
        self.limits: list[str] = []

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.value, ast.Name) and node.value.id == "Annotated":
            parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            for meta in parts[1:]:
                if isinstance(meta, ast.Call):
                    self.limits += [f"{k.arg}={ast.unparse(k.value)}" for k in meta.keywords]
            return parts[0]
        return node


def _type_and_limits(source: str) -> tuple[str, str]:
    """``Annotated[int, msgspec.Meta(ge=0)] | None`` -> (``int | None``, ``ge=0``)."""
    if not source:
        return "", ""
    strip = _StripMeta()
    tree = strip.visit(ast.parse(source, mode="eval"))
    return ast.unparse(tree).replace("dt.", ""), ", ".join(strip.limits)


ALIAS = re.compile(
    r"^(Slug|Text|Minutes|EmailAddress|Weekday|Precision|Step) = (.+)$", re.MULTILINE
)


def _aliases() -> list[str]:
    """The named types used in the tables (``Slug``, ``Text``, ...), as defined in the code."""
    from kat_widgets.directory import models

    lines = ["## Named types", "", "| name | type | limits |", "|---|---|---|"]
    for name, source in ALIAS.findall(inspect.getsource(models)):
        type_, limits = _type_and_limits(source)
        lines.append(
            f"| `{name}` | `{_cell(type_)}` | `{_cell(limits)}` |"
            if limits
            else f"| `{name}` | `{_cell(type_)}` | |"
        )
    return [*lines, ""]


def _default(field: Any) -> str:
    if field.default is not msgspec.NODEFAULT:
        return f"`{field.default!r}`"
    if field.default_factory is not msgspec.NODEFAULT:
        return "see its table"
    return "**required**"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def clinics_reference() -> str:
    """The clinics.toml field reference, one table per Struct."""
    lines = [
        "# clinics.toml reference",
        "",
        "Generated from `kat_widgets.directory.models` when the site is built. Unknown keys",
        "are refused (a typo is an error); check a file with `kat-widgets check FILE`.",
        "Times are TOML local times (`08:00:00`), dates TOML dates (`2026-12-25`).",
        "A service's `name` and `summary`, a question's and a choice's `label`, and the",
        "organization's `regulatory_note` may also be",
        'a table of languages (`name.en = "..."`, `name.es = "..."`; see translating.md).',
        "",
    ]
    for struct in directory_structs():
        name = struct.__name__
        lines += [f"## {name}", ""]
        if name in TABLES:
            lines += [f"Where: {TABLES[name]}.", ""]
        doc = inspect.getdoc(struct) or ""
        if doc:
            lines += [doc, ""]
        sources = _annotations(struct)
        lines += ["| field | type | default | limits | meaning |", "|---|---|---|---|---|"]
        for field in msgspec.structs.fields(struct):
            source, about = sources.get(field.name, ("", ""))
            type_, limits = _type_and_limits(source)
            lines.append(
                f"| `{field.encode_name}` | `{_cell(type_)}` | {_cell(_default(field))} "
                f"| {f'`{_cell(limits)}`' if limits else ''} | {_cell(about)} |"
            )
        lines.append("")
    return "\n".join(lines + _aliases())


def openapi_schema() -> dict[str, Any]:
    """The app's OpenAPI document, built with a throwaway data folder."""
    from kat_widgets import Settings
    from kat_widgets.web.app import create_app

    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(Settings(data_dir=data_dir, secret_key="d" * 32))
        return app.openapi_schema.to_schema()


def http_reference(schema: dict[str, Any] | None = None) -> str:
    """The HTTP API reference: every operation with its parameters and responses."""
    schema = schema or openapi_schema()
    lines = [
        "# HTTP API reference",
        "",
        "Generated from the app's OpenAPI schema (`GET /schema/openapi.json`) when the site is",
        'built. Errors answer `{"status_code", "detail"}`.',
        "",
    ]
    for path, item in sorted(schema.get("paths", {}).items()):
        for method, op in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            lines += [f"## `{method.upper()} {path}`", ""]
            if op.get("summary"):
                lines += [f"**{op['summary']}**", ""]
            for paragraph in str(op.get("description", "")).split("\n\n"):
                if paragraph.strip():
                    lines += [" ".join(paragraph.replace("``", "`").split()), ""]
            params = op.get("parameters", [])
            if params:
                lines += [
                    "| parameter | in | required | type | description |",
                    "|---|---|---|---|---|",
                ]
                for p in params:
                    kind = p.get("schema", {}).get("type", "")
                    if not kind and "oneOf" in p.get("schema", {}):
                        kind = " or ".join(str(s.get("type", "")) for s in p["schema"]["oneOf"])
                    required = "yes" if p.get("required") else "no"
                    about = _cell(" ".join(str(p.get("description", "")).split()))
                    lines.append(
                        f"| `{p['name']}` | {p.get('in', '')} | {required}"
                        f" | {_cell(str(kind))} | {about} |"
                    )
                lines.append("")
            if "requestBody" in op:
                content = op["requestBody"].get("content", {})
                types = ", ".join(
                    f"`{kind}` {_shape(c.get('schema'))}" for kind, c in content.items()
                )
                lines += [f"Request body: {types}.", ""]
            responses = op.get("responses", {})
            if responses:
                lines += ["| status | meaning | body |", "|---|---|---|"]
                for code, resp in responses.items():
                    about = _cell(" ".join(str(resp.get("description", "")).split()))
                    bodies = ", ".join(
                        f"`{kind}` {_shape(c.get('schema'))}".strip()
                        for kind, c in resp.get("content", {}).items()
                    )
                    lines.append(f"| {code} | {about} | {_cell(bodies)} |")
                lines.append("")
    return "\n".join(lines + _schemas(schema))


def _shape(schema: Any) -> str:
    """A link to a named schema, or a short description of an inline one."""
    if not isinstance(schema, dict):
        return ""
    ref = schema.get("$ref", "")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if schema.get("type") == "object" and "properties" in schema:
        return "(" + ", ".join(f"`{key}`" for key in schema["properties"]) + ")"
    return f"({schema.get('type', '')})" if schema.get("type") else ""


def _prop_type(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return _shape(prop)
    if "oneOf" in prop:
        return " or ".join(_prop_type(p) for p in prop["oneOf"])
    kind = prop.get("type", "")
    if kind == "array":
        return f"array of {_prop_type(prop.get('items', {}))}"
    if isinstance(kind, list):
        kind = " or ".join(kind)
    fmt = f" ({prop['format']})" if "format" in prop else ""
    enum = " one of " + ", ".join(f"`{v}`" for v in prop["enum"]) if "enum" in prop else ""
    return f"{kind}{fmt}{enum}"


def _schemas(schema: dict[str, Any]) -> list[str]:
    """Every named JSON shape: its fields, their types and whether they are required."""
    lines = ["## Schemas", ""]
    for name, body in sorted(schema.get("components", {}).get("schemas", {}).items()):
        lines += [f"### {name}", ""]
        required = set(body.get("required", []))
        props = body.get("properties", {})
        if props:
            lines += ["| field | type | required |", "|---|---|---|"]
            for key, prop in props.items():
                needed = "yes" if key in required else "no"
                lines.append(f"| `{key}` | {_cell(_prop_type(prop))} | {needed} |")
        lines.append("")
    return lines


def _write_if_changed(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def copy_screenshots() -> None:
    """Copy the browser tests' screenshots into docs/screenshots/ (gitignored)."""
    if SHOTS_FROM.is_dir():
        SHOTS_TO.mkdir(exist_ok=True)
        for shot in SHOTS_FROM.glob("*.png"):
            target = SHOTS_TO / shot.name
            old = target.stat() if target.exists() else None
            new = shot.stat()
            # only changed files, so `mkdocs serve` does not rebuild in a loop
            if old is None or (old.st_size, old.st_mtime) != (new.st_size, new.st_mtime):
                shutil.copy2(shot, target)


IMAGE = re.compile(r"!\[([^\]]*)\]\((screenshots/[^)\s]+\.png)\)")


def missing_screenshots_as_notes(markdown: str) -> str:
    """Replace images of screenshots not built yet with a note (no broken link)."""

    def note(match: re.Match[str]) -> str:
        if (DOCS / match.group(2)).exists():
            return match.group(0)
        return (
            f"*Screenshot `{match.group(2)}` ({match.group(1)}) not built: run the browser "
            "tests first (see Development).*"
        )

    return IMAGE.sub(note, markdown)


# MkDocs hooks
def on_pre_build(config: Any) -> None:
    copy_screenshots()
    _write_if_changed(DOCS / "reference" / "clinics-toml.md", clinics_reference())
    _write_if_changed(DOCS / "reference" / "http-api.md", http_reference())


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    return missing_screenshots_as_notes(markdown)
