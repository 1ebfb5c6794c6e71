"""Slot NDJSON for 5 clinics x 90 days: our msgspec writer vs fhir.resources models.

Baselines, in the same run: building the same Slots as ``fhir.resources`` R4B models and
writing each with ``model_dump_json``, and ``model_dump_json`` alone on prebuilt models. All
outputs are parsed back here and must be the same resources. Timed interleaved (medians, min,
max; speed-ups round by round).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

from _harness import HERE, figure, interleaved, ratio, report

# this file is fhir.py: drop its folder from the path so ``fhir`` is the fhir.resources package
sys.path[:] = [p for p in sys.path if p not in (str(HERE), "")]

from fhir.resources.R4B.extension import Extension  # noqa: E402
from fhir.resources.R4B.reference import Reference  # noqa: E402
from fhir.resources.R4B.slot import Slot as FhirSlot  # noqa: E402

from kat_widgets.directory import Clinic, load_directory  # noqa: E402
from kat_widgets.fhir.publish import ClinicSlots, slots_file  # noqa: E402
from kat_widgets.fhir.resources import (  # noqa: E402
    BOOKING_DEEP_LINK,
    BOOKING_PHONE,
    SLOT_CAPACITY,
    Site,
    instant,
    schedule_id,
    slot_id,
)
from kat_widgets.scheduling import Interval, Slot  # noqa: E402
from kat_widgets.settings import BUNDLED_DIRECTORY  # noqa: E402

directory = load_directory(BUNDLED_DIRECTORY)
SITE = Site(url="https://clinic.example/widgets")
DAYS = 90


def make_slots(clinic: Clinic) -> list[Slot]:
    """08:00-18:00 every 30 minutes, 20-minute calls, every day for ``DAYS`` days (DST inside)."""
    slots = []
    for offset in range(DAYS):
        day = dt.date(2027, 1, 4) + dt.timedelta(days=offset)
        for minute in range(8 * 60, 18 * 60, 30):
            start = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), clinic.zone)
            end = start + dt.timedelta(minutes=20)
            slots.append(
                Slot(
                    clinic_id=clinic.id,
                    service_id="info-call",
                    start=start,
                    end=end,
                    hold=Interval(start.astimezone(dt.UTC), end.astimezone(dt.UTC)),
                    resources=(f"{clinic.id}-navigator",),
                )
            )
    return slots


def model(slot: Slot, phone: str) -> FhirSlot:
    return FhirSlot(
        id=slot_id(slot),
        extension=[
            Extension(url=BOOKING_DEEP_LINK, valueUrl=SITE.booking_link(slot)),
            Extension(url=BOOKING_PHONE, valueString=phone),
            Extension(url=SLOT_CAPACITY, valueInteger=slot.seats_left),
        ],
        schedule=Reference(reference=f"Schedule/{schedule_id(slot.clinic_id, slot.service_id)}"),
        status="free",
        start=instant(slot.start),
        end=instant(slot.end),
    )


def resources(body: bytes) -> list[Any]:
    return [json.loads(line) for line in body.decode().splitlines()]


def main() -> None:
    found = [ClinicSlots(clinic, make_slots(clinic), "bench") for clinic in directory.clinics]
    prebuilt = [[model(slot, f.clinic.phone) for slot in f.slots] for f in found]

    def ours() -> bytes:
        return b"".join(slots_file(f, SITE) for f in found)

    def models() -> bytes:
        return b"".join(
            (model(slot, f.clinic.phone).model_dump_json(exclude_none=True) + "\n").encode()
            for f in found
            for slot in f.slots
        )

    def dump_only() -> bytes:
        return b"".join(
            (m.model_dump_json(exclude_none=True) + "\n").encode() for ms in prebuilt for m in ms
        )

    assert resources(ours()) == resources(models()) == resources(dump_only()), "they disagree"
    times = interleaved(
        {"ours": ours, "fhir_resources": models, "fhir_resources_dump_only": dump_only}, rounds=5
    )
    figures: dict[str, object] = {
        "clinics": len(found),
        "days": DAYS,
        "slots": sum(len(f.slots) for f in found),
        "bytes": len(ours()),
        **{f"{name}_ms": figure(values).scaled(1000, 1) for name, values in times.items()},
        "speedup_vs_fhir_resources": {
            k: round(1 / v, 1)
            for k, v in ratio(times, "ours", "fhir_resources").scaled(1, 4).items()
        },
        "speedup_vs_dump_only": {
            k: round(1 / v, 1)
            for k, v in ratio(times, "ours", "fhir_resources_dump_only").scaled(1, 4).items()
        },
    }
    report("fhir", figures)


if __name__ == "__main__":
    main()
