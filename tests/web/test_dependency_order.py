"""Every route resolves its dependencies one after another, never in a task group (#14).

Litestar resolves dependencies that do not depend on each other concurrently: an anyio task
group and a task per dependency, which cost a query route ~70 us of its ~240 us for two
dictionary lookups. The query dependencies take the router's ``kat`` so that they come after it.
"""

from __future__ import annotations

from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient


def test_no_route_resolves_dependencies_concurrently(app: Litestar) -> None:
    concurrent: dict[str, list[list[str]]] = {}
    resolved = 0
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for method, (_, kwargs_model) in route.route_handler_map.items():
            batches = [
                sorted(dep.key for dep in batch) for batch in kwargs_model.dependency_batches
            ]
            resolved += sum(len(batch) for batch in batches)
            if any(len(batch) > 1 for batch in batches):
                concurrent[f"{method} {route.path}"] = batches
    assert not concurrent
    assert resolved > 20  # the routes were read: kat, and a query for the query routes


def test_query_routes_still_read_and_check_their_parameters(client: TestClient[Litestar]) -> None:
    assert (
        client.get("/api/locate", params={"q": "84020"}).json()["results"][0]["clinic"]["id"]
        == "draper"
    )
    bad = client.get("/api/locate", params={"q": "84020", "limit": "0"})
    assert bad.status_code == 400
    fragment = client.get("/fragments/locator", params={"q": "84020", "limit": "x"})
    assert fragment.status_code == 422
    assert 'lang="en"' in fragment.text
