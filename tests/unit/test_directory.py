from __future__ import annotations

import re
from pathlib import Path

import pytest

from kat_widgets.directory import load_directory, parse_directory
from kat_widgets.errors import DirectoryError, NotFoundError
from kat_widgets.settings import BUNDLED_DIRECTORY

SEED_ADDRESSES = {
    "american-fork": "48 N 1100 E Suite B, American Fork, UT 84003",
    "draper": "721 E 12200 S, Draper, UT 84020",
    "layton": "2950 N Church St Suite 101, Layton, UT 84040",
    "murray": "154 E Myrtle Ave Suite 204, Murray, UT 84107",
    "springville": "672 W 400 S Suite 201, Springville, UT 84663",
}


def bundled_text() -> str:
    return BUNDLED_DIRECTORY.read_text(encoding="utf-8")


def test_bundled_directory_has_the_five_seed_clinics() -> None:
    directory = load_directory(BUNDLED_DIRECTORY)
    assert {c.id: c.address.one_line for c in directory.clinics} == SEED_ADDRESSES
    for clinic in directory.clinics:
        assert clinic.timezone == "America/Denver"
        assert clinic.phone == "+1-833-686-4687"
        assert clinic.coordinates.precision == "rooftop-estimate"
        assert all(member.sample for member in clinic.staff)
        assert all(room.sample for room in clinic.rooms)


def test_bundled_catalog_follows_the_five_steps() -> None:
    directory = load_directory(BUNDLED_DIRECTORY)
    info = directory.service("info-call")
    assert info.public and info.free and info.mode == "phone-video"
    assert {s.step for s in directory.services} == {
        "info",
        "connect",
        "prepare",
        "experience",
        "integrate",
        "reconnect",
    }
    assert {s.route for s in directory.services if s.step == "experience"} == {"im", "oral", "iv"}
    assert [s.id for s in directory.services if s.public] == ["info-call"]
    assert "Spravato" in directory.organization.regulatory_note


def test_unknown_clinic_is_a_lookup_error() -> None:
    directory = load_directory(BUNDLED_DIRECTORY)
    with pytest.raises(NotFoundError, match="nowhere"):
        directory.clinic("nowhere")
    with pytest.raises(LookupError):
        directory.service("nothing")


def test_timezone_typo_names_file_and_path(tmp_path: Path) -> None:
    text = bundled_text().replace('timezone = "America/Denver"', 'timezone = "America/Denvr"', 3)
    text = text.replace('timezone = "America/Denvr"', 'timezone = "America/Denver"', 2)
    bad = tmp_path / "clinics.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(DirectoryError) as info:
        load_directory(bad)
    assert info.value.file == str(bad)
    assert info.value.path == "clinics[2].timezone"
    assert "America/Denvr" in str(info.value) and str(bad) in str(info.value)


def test_duplicate_clinic_id_is_refused() -> None:
    text = bundled_text().replace('id = "layton"', 'id = "draper"')
    with pytest.raises(DirectoryError, match=r"clinics\[2\]\.id: duplicate clinic id 'draper'"):
        parse_directory(text, source="dup.toml")


def test_service_with_missing_role_is_refused() -> None:
    text = bundled_text().replace('roles = ["navigator"]\npublic', 'roles = ["navigatr"]\npublic')
    with pytest.raises(DirectoryError) as info:
        parse_directory(text)
    assert info.value.path == "services[0].roles[0]"
    assert "unknown role 'navigatr'" in str(info.value)


def test_wrong_type_reports_msgspec_path() -> None:
    text = bundled_text().replace("duration_minutes = 20", 'duration_minutes = "twenty"')
    with pytest.raises(DirectoryError) as info:
        parse_directory(text)
    assert info.value.path == "services[0].duration_minutes"
    assert "Expected `int`" in str(info.value)


def test_unknown_field_is_a_typo() -> None:
    text = bundled_text().replace('postal_code = "84020"', 'postcode = "84020"')
    with pytest.raises(
        DirectoryError, match=r"line \d+: clinics #2 \(id \"draper\"\) > address"
    ) as caught:
        parse_directory(text)
    assert caught.value.path == "clinics[1].address"  # msgspec's own path, for programs
    assert text.splitlines()[caught.value.line - 1] == "[clinics.address]"  # type: ignore[operator]


def test_toml_syntax_error_gives_line() -> None:
    with pytest.raises(DirectoryError, match=re.escape("line 1")):
        parse_directory("[organization\n", source="broken.toml")


def test_clinic_offering_service_without_staff_role_is_refused() -> None:
    text = bundled_text().replace(
        'roles = ["medical"]\nsample = true', 'roles = ["therapist"]\nsample = true', 1
    )
    with pytest.raises(
        DirectoryError, match=r"clinics\[0\]\.services\[1\].*needs staff with role 'medical'"
    ):
        parse_directory(text)


def test_hours_must_open_before_they_close() -> None:
    text = bundled_text().replace(
        "opens = 08:00:00\ncloses = 18:00:00", "opens = 18:00:00\ncloses = 08:00:00", 1
    )
    with pytest.raises(DirectoryError, match=r"clinics\[0\]\.hours\[0\]"):
        parse_directory(text)


def test_missing_file_is_a_directory_error(tmp_path: Path) -> None:
    with pytest.raises(DirectoryError, match="cannot read file"):
        load_directory(tmp_path / "nope.toml")


def test_a_clinic_with_its_own_number_is_shown_with_that_number(tmp_path: Path) -> None:
    import msgspec

    from kat_widgets import Settings, Widgets
    from kat_widgets.directory import Directory

    bundled = load_directory(BUNDLED_DIRECTORY)
    own = "+1-801-555-0100"
    clinics = tuple(
        msgspec.structs.replace(c, phone=own) if c.id == "layton" else c
        for c in bundled.data.clinics
    )
    directory = Directory(msgspec.structs.replace(bundled.data, clinics=clinics))
    organization = directory.organization
    assert organization.phone_label(organization.phone) == "1-833-NUMINUS (686-4687)"
    assert organization.phone_label(own) == own
    widgets = Widgets(Settings(data_dir=str(tmp_path)), directory=directory)
    for html in (widgets.clinic_list(), widgets.locator("84041")):
        layton = html.split("Numinus Layton", 1)[1].split("Opening hours", 1)[0]
        assert f">{own}</a>" in layton, layton
        draper = html.split("Numinus Draper", 1)[1].split("Opening hours", 1)[0]
        assert ">1-833-NUMINUS (686-4687)</a>" in draper


def test_an_invalid_weekday_names_the_line_entry_and_the_valid_days() -> None:
    text = bundled_text().replace('days = ["mon"', 'days = ["funday"', 1)
    with pytest.raises(DirectoryError) as caught:
        parse_directory(text, source="clinics.toml")
    message = str(caught.value)
    assert message.startswith("clinics.toml, line ")
    assert "clinics #1 (id" in message and "> days #1: 'funday' is not one of" in message
    assert all(day in message for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
    assert '"funday"' in text.splitlines()[caught.value.line - 1]  # type: ignore[operator]


def test_a_line_break_in_a_clinic_name_is_refused_with_its_line() -> None:
    text = bundled_text().replace('name = "Numinus Draper"', 'name = "Numinus\\nDraper"', 1)
    with pytest.raises(
        DirectoryError, match=r"line \d+: clinics #2 \(id \"draper\"\) > name: must be one line"
    ):
        parse_directory(text)
