"""The dunning strategy as data: stages, their timing relative to the due date, channels and tone."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .errors import InvalidInputError
from .segmentation import Segment


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    CALL = "call"
    LETTER = "letter"
    PUSH = "push"
    AGENCY = "agency"


class Tone(StrEnum):
    FRIENDLY = "friendly"
    NEUTRAL = "neutral"
    FIRM = "firm"


@dataclass(frozen=True)
class Stage:
    name: str
    offset_days: int  # relative to the due date; negative is before it
    channels: tuple[Channel, ...]
    tone: Tone = Tone.FRIENDLY
    fee: int = 0  # minor units, consumer reminder fee (concrete costs only, see docs/law.md)
    charges_interest: bool = False
    segments: frozenset[Segment] | None = None  # None: every segment

    @property
    def hands_over(self) -> bool:
        return Channel.AGENCY in self.channels

    def applies_to(self, segment: Segment) -> bool:
        return self.segments is None or segment in self.segments

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "offset_days": self.offset_days,
            "channels": [str(c) for c in self.channels],
            "tone": str(self.tone),
            "fee": self.fee,
            "charges_interest": self.charges_interest,
            "segments": sorted(str(s) for s in self.segments) if self.segments is not None else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Stage:
        segments = data.get("segments")
        return cls(
            name=str(data["name"]),
            offset_days=int(data["offset_days"]),
            channels=tuple(Channel(c) for c in data["channels"]),
            tone=Tone(data.get("tone", Tone.FRIENDLY)),
            fee=int(data.get("fee", 0)),
            charges_interest=bool(data.get("charges_interest", False)),
            segments=frozenset(Segment(s) for s in segments) if segments is not None else None,
        )


@dataclass(frozen=True)
class Ladder:
    stages: tuple[Stage, ...]

    def __post_init__(self) -> None:
        _validate(self.stages)

    def to_list(self) -> list[dict[str, Any]]:
        return [stage.to_dict() for stage in self.stages]

    @classmethod
    def from_list(cls, rows: list[dict[str, Any]]) -> Ladder:
        try:
            return cls(tuple(Stage.from_dict(row) for row in rows))
        except (KeyError, ValueError, TypeError) as exc:
            raise InvalidInputError("ladder", f"invalid stage: {exc}") from exc


def _validate(stages: tuple[Stage, ...]) -> None:
    if not stages:
        raise InvalidInputError("ladder", "a ladder needs at least one stage")
    offsets = [s.offset_days for s in stages]
    if offsets != sorted(offsets):
        raise InvalidInputError("ladder", "stages must be ordered by offset_days")
    if len({s.name for s in stages}) != len(stages):
        raise InvalidInputError("ladder", "stage names must be unique")
    for stage in stages:
        if not stage.channels:
            raise InvalidInputError("ladder", f"stage '{stage.name}' has no channel")
        if stage.fee < 0:
            raise InvalidInputError("ladder", f"stage '{stage.name}' has a negative fee")
        if stage.hands_over and stage is not stages[-1]:
            raise InvalidInputError("ladder", "the agency hand-over can only be the last stage")


DEFAULT_LADDER = Ladder(
    (
        Stage("pre_due_reminder", -3, (Channel.EMAIL,), Tone.FRIENDLY, segments=frozenset({Segment.NEW})),
        Stage("reminder", 3, (Channel.EMAIL, Channel.PUSH), Tone.FRIENDLY),
        Stage("sms", 10, (Channel.SMS,), Tone.NEUTRAL),
        Stage("call", 17, (Channel.CALL,), Tone.NEUTRAL),
        # The reminder that puts the debtor in default is not chargeable; later ones at most €2.50.
        Stage("final_notice", 24, (Channel.EMAIL, Channel.LETTER), Tone.FIRM, fee=250, charges_interest=True),
        Stage("agency", 31, (Channel.AGENCY,), Tone.FIRM),
    )
)
