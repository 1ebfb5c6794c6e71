"""A small directory for scheduling tests: one clinic, known staff and rooms."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from kat_widgets.directory import Directory, parse_directory

DENVER = ZoneInfo("America/Denver")
UTC = dt.UTC

TOML = """
[organization]
name = "Test Org"
phone = "+1-833-686-4687"
regulatory_note = "Note."

[[roles]]
id = "navigator"
name = "Navigator"
[[roles]]
id = "therapist"
name = "Therapist"
[[roles]]
id = "medical"
name = "Medical"

[[services]]
id = "info-call"
name = "Free informational call"
step = "info"
summary = "Call."
duration_minutes = 20
mode = "phone-video"
roles = ["navigator"]
public = true
policy = { min_notice_minutes = 60, horizon_days = 60, step_minutes = 30 }

[[services]]
id = "connect-assessment"
name = "Connect"
step = "connect"
summary = "Assessment."
duration_minutes = 90
roles = ["medical", "therapist"]
room_kinds = ["consult"]

[[services]]
id = "experience-im"
name = "Experience IM"
step = "experience"
summary = "Session."
duration_minutes = 120
roles = ["medical", "therapist"]
room_kinds = ["treatment"]
buffer_after_minutes = 30
policy = { step_minutes = 60, max_per_day = 2 }
pathway = { requires_completed = ["connect-assessment"], min_days_between_same_step = 7 }

[[services]]
id = "experience-iv"
name = "Experience IV"
step = "experience"
summary = "Session."
duration_minutes = 150
roles = ["medical", "therapist"]
room_kinds = ["treatment"]

[[services]]
id = "integrate-session"
name = "Integrate"
step = "integrate"
summary = "Session."
duration_minutes = 60
roles = ["therapist"]
room_kinds = ["consult"]
pathway = { offered_within_days_after = 14, after_step = "experience" }

[[services]]
id = "integration-group"
name = "Group"
step = "reconnect"
summary = "Group."
duration_minutes = 90
roles = ["therapist"]
room_kinds = ["group"]
capacity = 3
policy = { step_minutes = 90 }

[[clinics]]
id = "test"
name = "Test Clinic"
phone = "+1-833-686-4687"
timezone = "America/Denver"
services = ["info-call", "connect-assessment", "experience-im", "experience-iv",
  "integrate-session", "integration-group"]
address = { street = "1 Main St", city = "Draper", region = "UT", postal_code = "84020" }
coordinates = { lat = 40.5, lon = -111.9 }

[[clinics.hours]]
days = ["mon", "tue", "wed", "thu", "fri"]
opens = 08:00:00
closes = 17:00:00

[[clinics.exceptions]]
date = 2027-03-12
closed = true
note = "Closed"

[[clinics.exceptions]]
date = 2027-03-13
opens = 09:00:00
closes = 12:00:00
note = "Saturday clinic"

[[clinics.staff]]
id = "nav"
name = "Navigator"
roles = ["navigator"]
[[clinics.staff]]
id = "both"
name = "Medical and therapist"
roles = ["medical", "therapist"]
[[clinics.staff]]
id = "ther"
name = "Therapist"
roles = ["therapist"]
hours = [{ days = ["mon", "tue", "wed", "thu", "fri"], opens = 08:00:00, closes = 13:00:00 }]

[[clinics.rooms]]
id = "consult"
name = "Consult"
kind = "consult"
[[clinics.rooms]]
id = "treat-1"
name = "Treatment 1"
kind = "treatment"
[[clinics.rooms]]
id = "group-room"
name = "Group room"
kind = "group"
capacity = 3
"""


def directory() -> Directory:
    return parse_directory(TOML, source="test.toml")


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=DENVER)  # type: ignore[misc]
