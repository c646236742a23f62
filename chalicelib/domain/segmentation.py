"""Which kind of customer a debtor is: it decides tone and whether a pre-due nudge is welcome."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from .debtor import DebtorKind

if TYPE_CHECKING:
    from .debtor import Debtor

RELIABLE_AFTER = timedelta(days=365)


class Segment(StrEnum):
    RELIABLE = "reliable"  # an existing customer for a year or more: likely forgot, deserves a wink
    NEW = "new"  # no track record: a reminder before the due date helps
    BUSINESS = "business"  # accounts payable: formal, to the point


def segment_of(debtor: Debtor, today: date) -> Segment:
    if debtor.kind == DebtorKind.BUSINESS:
        return Segment.BUSINESS
    if debtor.customer_since is not None and today - debtor.customer_since >= RELIABLE_AFTER:
        return Segment.RELIABLE
    return Segment.NEW
