from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).parent.parent / "examples"


def test_fragments_plain_example_prints_clinic_list() -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "fragments_plain.py")],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert "721 E 12200 S, Draper, UT 84020" in result.stdout
    assert "litestar" not in result.stderr.lower()


def test_fragments_do_not_import_litestar() -> None:
    code = (
        "import sys, kat_widgets.fragments, kat_widgets;"
        "assert not any(m.split('.')[0] == 'litestar' for m in sys.modules), 'litestar imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
