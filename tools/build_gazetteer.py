"""Compute the locator's gazetteer from the installed ``zipcodes`` into the package's data.

Run after upgrading ``zipcodes`` (``tests/unit/test_gazetteer_file.py`` says when):
``.venv/bin/python tools/build_gazetteer.py``. The file records the version it came from; the
app uses it only with that version installed.
"""

from __future__ import annotations

import msgspec

from kat_widgets.locator.gazetteer import SHIPPED_TABLES, tables_from_zipcodes


def main() -> None:
    tables = tables_from_zipcodes()
    SHIPPED_TABLES.write_bytes(msgspec.msgpack.encode(tables))
    size = SHIPPED_TABLES.stat().st_size
    print(
        f"wrote {SHIPPED_TABLES} ({size:,} bytes, {len(tables.zip_codes):,} ZIPs, "
        f"{len(tables.city_keys):,} cities, {tables.source})"
    )


if __name__ == "__main__":
    main()
