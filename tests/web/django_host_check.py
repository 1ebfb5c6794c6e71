"""Run by test_mounting: load the Django ASGI example in a fresh process and report as JSON.

Django's settings can be configured once per process, and another example configures them
differently, so this host is checked in its own interpreter.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

from starlette.testclient import TestClient

from tests.web.crawl import crawl

EXAMPLE = Path(__file__).parents[2] / "examples" / "django_asgi_mount.py"


def main() -> None:
    spec = importlib.util.spec_from_file_location("example_django_asgi_mount", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    with TestClient(module.application) as client:
        statuses = crawl(client.get, "/widgets/")
        for name in ("clinics", "crisis-banner", "locator", "availability?clinic=draper"):
            statuses.update(crawl(client.get, f"/widgets/embed/{name}"))
        report = {
            "crawl": statuses,
            "healthz": client.get("/widgets/healthz").json(),
            "clinics": len(client.get("/widgets/api/clinics").json()["clinics"]),
            "own_page": client.get("/").status_code,
            "not_ours": client.get("/widgets-other").status_code,
        }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
