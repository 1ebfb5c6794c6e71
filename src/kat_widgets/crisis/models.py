"""Crisis resources as msgspec Structs: a resource, the ways to reach it, the whole data file."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from kat_widgets.structs import Base, Slug

__all__ = [
    "LANGUAGES",
    "Channel",
    "ChannelKind",
    "CrisisData",
    "CrisisResource",
    "Language",
    "LocalText",
    "Role",
]

Language = Literal["en", "es", "fr"]
LANGUAGES: tuple[Language, ...] = ("en", "es", "fr")
ChannelKind = Literal["call", "text", "chat", "app", "video", "tty", "web"]
Role = Literal["lead", "emergency", "resource", "directory"]
LocalText = dict[Language, Annotated[str, msgspec.Meta(min_length=1, max_length=400)]]
"""Text in several languages; ``en`` is required (checked by the loader), the others optional."""

PhoneNumber = Annotated[str, msgspec.Meta(pattern=r"^[0-9](?:[0-9-]{1,18}[0-9])?$")]
HttpsUrl = Annotated[str, msgspec.Meta(pattern=r"^https://[^\s\"'<>]+$", max_length=300)]
RegionCode = Annotated[str, msgspec.Meta(pattern=r"^(?:[A-Z]{2}(?:-[A-Z0-9]{1,3})?|elsewhere)$")]
Keyword = Annotated[str, msgspec.Meta(pattern=r"^[A-Z0-9]{2,20}$")]


class Channel(Base, kw_only=True, frozen=True):
    """One way to reach a resource: a number to call or text, a chat page, an app."""

    kind: ChannelKind
    number: PhoneNumber = ""
    """Digits as people dial them: ``988``, ``741741``, ``1-800-273-8255``."""
    keyword: Keyword = ""
    """The word to text (``HOME``, ``AYUDA``, ``CONNECT``); always printed."""
    press: Annotated[str, msgspec.Meta(pattern=r"^[0-9]$")] = ""
    """A menu option to press after calling (``1`` veterans, ``2`` Spanish); never in Canada."""
    url: HttpsUrl = ""
    languages: tuple[Language, ...] = ()
    """Page languages this channel is shown for; empty means every language."""
    label: LocalText = msgspec.field(default_factory=dict)
    """Wording that replaces the generated one (``Text your ZIP code to 435748``)."""
    secondary: bool = False
    """A secondary mention only, such as the legacy 1-800-273-8255 number."""
    unverified: bool = False
    """Not confirmed by a source: hidden unless unverified entries are asked for."""

    @property
    def href(self) -> str:
        """``tel:988``, ``sms:741741`` (never a body), ``tel:+18002738255``, or the URL."""
        if self.kind in ("call", "tty"):
            return f"tel:{_dial(self.number)}"
        if self.kind == "text" and self.number:
            return f"sms:{_dial(self.number)}"
        return self.url

    @property
    def url_label(self) -> str:
        """The URL as people read it: ``988lifeline.org/chat``."""
        text = self.url.removeprefix("https://").removeprefix("www.")
        return text.rstrip("/")

    def shown_in(self, lang: str) -> bool:
        return not self.languages or lang in self.languages


def _dial(number: str) -> str:
    digits = number.replace("-", "")
    if len(digits) == 10:
        return f"+1{digits}"
    if len(digits) == 11 and digits.startswith("1"):
        return f"+{digits}"
    return digits


class CrisisResource(Base, kw_only=True, frozen=True):
    """A crisis line or service, where it applies, and when and against what it was checked."""

    id: Slug
    role: Role = "resource"
    regions: Annotated[tuple[RegionCode, ...], msgspec.Meta(min_length=1)]
    name: LocalText
    audience: LocalText = msgspec.field(default_factory=dict)
    hours: LocalText = msgspec.field(default_factory=dict)
    languages: tuple[str, ...] = ()
    """Languages the service answers in (``en``, ``es``, ``fr``, ``asl``, ...)."""
    channels: tuple[Channel, ...] = ()
    source: HttpsUrl
    """The page these facts were checked against."""
    also_source: tuple[HttpsUrl, ...] = ()
    verified: dt.date
    """When the facts were last checked against ``source``."""
    unverified: bool = False
    """Facts not confirmed by a source: hidden unless unverified entries are asked for."""
    notes: str = ""
    """For operators only; never shown to visitors."""

    def text(self, field: LocalText, lang: str) -> str:
        """``field`` in ``lang``, falling back to English."""
        for key, value in field.items():
            if key == lang:
                return value
        return field.get("en", "")

    def name_in(self, lang: str) -> str:
        return self.text(self.name, lang)

    def channels_for(self, lang: str, *, include_unverified: bool = False) -> tuple[Channel, ...]:
        """Main channels shown on a page in ``lang`` (secondary mentions excluded)."""
        return tuple(
            ch
            for ch in self.channels
            if ch.shown_in(lang) and not ch.secondary and (include_unverified or not ch.unverified)
        )

    def secondary_for(self, lang: str, *, include_unverified: bool = False) -> tuple[Channel, ...]:
        return tuple(
            ch
            for ch in self.channels
            if ch.shown_in(lang) and ch.secondary and (include_unverified or not ch.unverified)
        )


class CrisisData(Base, kw_only=True, frozen=True):
    """The whole crisis data file as decoded, before cross-checks."""

    resources: Annotated[tuple[CrisisResource, ...], msgspec.Meta(min_length=1)]
