"""Refuse JSON bodies nested deeper than any request of ours, before a decoder recurses into them.

msgspec (and the standard library) decode nested arrays and objects recursively: 20,000 ``[``
in a 40 KB body exhaust the stack (``RecursionError``, a 500). Our request bodies are one flat
object, so anything nested deeper than ``MAX_DEPTH`` is refused with a 400 (our booking routes
answer it as their 422). Form bodies (a person's free text) are not checked. The body is read
here (by the request gate, :mod:`kat_widgets.web.gate`), at most ``max_bytes`` of it (more is
a 413), and handed on unchanged.
"""

from __future__ import annotations

import re

from litestar.exceptions import ClientException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.types import HTTPScope, Receive, ReceiveMessage, Scope

__all__ = ["MAX_DEPTH", "JsonTooDeep", "checked_body", "json_depth"]

MAX_DEPTH = 32
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(c for c in range(256) if c not in b"[]{}")


def json_depth(body: bytes) -> int:
    """How deep arrays and objects nest in ``body`` (brackets inside strings do not count)."""
    brackets = _STRINGS.sub(b"", body).translate(None, _NOT_BRACKETS)
    depth = deepest = 0
    for char in brackets:
        depth += 1 if char in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


_FORMS = (b"application/x-www-form-urlencoded", b"multipart/form-data")


class JsonTooDeep(ClientException):
    """A body nested deeper than any request of ours (400)."""


def _may_be_json(scope: Scope) -> bool:
    """Litestar decodes a handler's ``data`` as JSON whatever the Content-Type says, so every
    body but a form's (a person's free text, where brackets mean nothing) is checked."""
    for name, value in scope["headers"]:
        if name.lower() == b"content-type":
            return value.split(b";", 1)[0].strip().lower() not in _FORMS
    return True


async def checked_body(
    scope: HTTPScope, receive: Receive, *, max_bytes: int, max_depth: int = MAX_DEPTH
) -> Receive | None:
    """``receive`` again once the body is read and checked: raises ``RequestEntityTooLarge``
    over ``max_bytes``, :class:`JsonTooDeep` past ``max_depth``; ``None`` if the client left.
    Safe methods and form bodies get ``receive`` itself, unread."""
    if scope["method"] in ("GET", "HEAD", "OPTIONS") or not _may_be_json(scope):
        return receive
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client left: nothing to answer
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            raise RequestEntityTooLarge()
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    if json_depth(body) > max_depth:
        raise JsonTooDeep(
            detail=f"The request body is nested too deeply (at most {max_depth} levels)."
        )
    replayed = False

    async def replay() -> ReceiveMessage:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
