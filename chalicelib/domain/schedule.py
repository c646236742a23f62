"""When each stage of the ladder is due for a claim.

The ladder counts from an anchor, normally the due date. A claim handed over long after its
due date gets the anchor moved so that its first applicable stage is due now: the debtor
receives the first reminder first and the spacing between stages stays as the ladder says,
instead of a burst of catch-up messages. The anchor is fixed at creation; payments and other
events never move it, so a partial payment does not postpone the next stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from .ladder import Ladder, Stage

if TYPE_CHECKING:
    from .segmentation import Segment


def start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), UTC)


@dataclass(frozen=True)
class Schedule:
    anchor: datetime
    stages: tuple[Stage, ...]

    def due_at(self, stage: Stage) -> datetime:
        return ladder_date(self.anchor, stage)


def ladder_date(anchor: datetime, stage: Stage) -> datetime:
    """The stage's date by the ladder alone: its day offset counted from the claim's anchor."""
    return anchor + timedelta(days=stage.offset_days)


def spacing(earlier: Stage, later: Stage) -> timedelta:
    """The time the ladder puts between two of its stages."""
    return timedelta(days=later.offset_days - earlier.offset_days)


def due_after(anchor: datetime, stage: Stage, previous: Stage, previous_at: datetime) -> datetime:
    """The ladder's date of `stage`, but never closer to `previous`, which ran at `previous_at`, than its spacing.

    A stage that ran late (quiet hours, a holiday, an outage) pushes the next one by as much,
    so the debtor always has the full time between two messages; the anchor itself never moves.
    """
    return max(ladder_date(anchor, stage), previous_at + spacing(previous, stage))


def stage_due_at(stages: tuple[Stage, ...], index: int, anchor: datetime, previous_done: datetime | None) -> datetime:
    """When the stage at `index` is due, its predecessor having run at `previous_done` (see due_after)."""
    if index > 0 and previous_done is not None:
        return due_after(anchor, stages[index], stages[index - 1], previous_done)
    return ladder_date(anchor, stages[index])


def applicable_stages(ladder: Ladder, segment: Segment, due_date: date, created_at: datetime) -> tuple[Stage, ...]:
    """Stages for this debtor; a pre-due nudge that could only arrive after the due date is dropped."""
    due = start_of(due_date)
    return tuple(
        s
        for s in ladder.stages
        if s.applies_to(segment) and not (s.offset_days < 0 and due + timedelta(days=s.offset_days) < created_at)
    )


def anchor_for(due_date: date, first: Stage, created_at: datetime) -> datetime:
    due = start_of(due_date)
    if due + timedelta(days=first.offset_days) >= created_at:
        return due
    return created_at - timedelta(days=first.offset_days)
