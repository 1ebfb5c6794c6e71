"""Every code snippet in the docs and README works.

```python blocks run (each in a fresh temp dir with ``KAT_DATA_DIR`` set); a block that needs
a server or an outside host is marked ``<!-- skip: reason -->`` right before its fence, and
the reason must be given. ``kat-widgets ...`` command lines in ```sh blocks must parse with
the real CLI parser (nothing is run).
"""

from __future__ import annotations

import re
import runpy
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from kat_widgets.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)\s*$")
SKIP = re.compile(r"^<!--\s*skip(?::\s*(.*?))?\s*-->\s*$")


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    lang: str
    code: str
    skip: str | None  # None: not skipped; "": skipped without a reason

    @property
    def id(self) -> str:
        return f"{self.page.name}:{self.line}"


def blocks() -> list[Block]:
    found: list[Block] = []
    for page in PAGES:
        lines = page.read_text(encoding="utf-8").splitlines()
        i = 0
        while i < len(lines):
            opening = FENCE.match(lines[i])
            if not opening:
                i += 1
                continue
            start = i
            body: list[str] = []
            i += 1
            while i < len(lines) and lines[i].strip() != "```":
                body.append(lines[i])
                i += 1
            before = lines[start - 1].strip() if start else ""
            mark = SKIP.match(before)
            skip = (mark.group(1) or "") if mark else None
            found.append(Block(page, start + 1, opening.group(1), "\n".join(body), skip))
            i += 1
    return found


ALL = blocks()
PYTHON = [b for b in ALL if b.lang == "python"]
SHELL = [b for b in ALL if b.lang == "sh"]


def test_the_docs_have_snippets_to_check() -> None:
    assert PYTHON
    assert SHELL


def test_every_skipped_snippet_says_why() -> None:
    unexplained = [b.id for b in ALL if b.skip == ""]
    assert unexplained == [], "<!-- skip: ... --> needs a reason"


@pytest.mark.parametrize("block", PYTHON, ids=lambda b: b.id)
def test_python_snippet_runs(block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if block.skip is not None:
        pytest.skip(block.skip or "no reason given")
    for name in ("KAT_SETTINGS_FILE", "KAT_DATABASE_URL", "KAT_DIRECTORY_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KAT_DATA_DIR", str(tmp_path / "kat-data"))
    monkeypatch.chdir(tmp_path)
    script = tmp_path / "snippet.py"
    script.write_text(block.code + "\n", encoding="utf-8")
    runpy.run_path(str(script), run_name="__main__")


def kat_command_lines(code: str) -> list[list[str]]:
    """The argument lists given to ``kat-widgets`` in a shell block."""
    joined = re.sub(r"\\\n\s*", " ", code)
    commands: list[list[str]] = []
    for line in joined.splitlines():
        line = line.split(" #", 1)[0]
        for part in re.split(r"&&|\|\||;|\|", line):
            words = shlex.split(part)
            for n, word in enumerate(words):
                if word == "kat-widgets" or word.endswith("/kat-widgets"):
                    args = []
                    for arg in words[n + 1 :]:
                        if arg.startswith(">") or arg.startswith("<"):
                            break
                        args.append(arg)
                    commands.append(args)
                    break
    return commands


def test_command_line_extraction_reads_chains_and_redirects() -> None:
    code = "KAT_X=1 .venv/bin/kat-widgets crisis-snippet --lang es > out.html && echo ok"
    assert kat_command_lines(code) == [["crisis-snippet", "--lang", "es"]]


@pytest.mark.parametrize("block", SHELL, ids=lambda b: b.id)
def test_shell_snippet_kat_widgets_commands_parse(block: Block) -> None:
    parser = build_parser()
    for args in kat_command_lines(block.code):
        try:
            parser.parse_args(args)
        except SystemExit as exit_:
            pytest.fail(f"{block.id}: `kat-widgets {shlex.join(args)}` does not parse ({exit_})")
