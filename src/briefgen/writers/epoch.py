"""When a document says it was made: one rule for every writer, so builds are reproducible."""

from __future__ import annotations

import os
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING

from briefgen.errors import UsageError
from briefgen.outputs import check_epoch

if TYPE_CHECKING:        # only named: a build that skips everything need not load the model
    from briefgen import model

FALLBACK_EPOCH = 946684800          # 2000-01-01T00:00:00Z


def resolve_epoch(epoch: int | None, meta: model.Meta) -> datetime:
    """The moment the document is dated with, in UTC.

    In order: ``epoch``; else the ``SOURCE_DATE_EPOCH`` environment variable (the
    reproducible-builds convention); else ``meta.date`` at 00:00 UTC; else 2000-01-01.
    """
    if epoch is None:
        epoch = default_epoch(meta.date)
    return datetime.fromtimestamp(epoch, tz=timezone.utc)


def default_epoch(iso_date: str) -> int:
    """The seconds a document dated ``iso_date`` is built with when no epoch is given:
    ``SOURCE_DATE_EPOCH``, else that date. The release build hashes this, not the clock."""
    epoch = _env_epoch()
    return _meta_epoch(iso_date) if epoch is None else epoch


def _env_epoch() -> int | None:
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None or value == "":
        return None
    try:
        seconds = int(value)
    except ValueError:
        raise UsageError(f"SOURCE_DATE_EPOCH is not a whole number of seconds; "
                         f"expected an integer such as 1700000000, got {value!r}") from None
    return check_epoch(seconds)      # within what a DOCX (a ZIP file) can date


def _meta_epoch(iso_date: str) -> int:
    try:
        day = date.fromisoformat(iso_date)
    except ValueError:
        return FALLBACK_EPOCH
    return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())
