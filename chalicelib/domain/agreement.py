"""The agreement in force on a claim: a promise to pay, an instalment plan, a pause or a dispute.

While one is in force the ladder holds; each kind (but a dispute, which the merchant decides) names the day the
workflow looks at it again. The claim stores it as `to_dict()`, the shape the API shows (api.responses.Agreement),
and `agreement_from_dict` reads it back, so what was stored before these types existed still reads.
(The tenant's rules for what may be agreed are chalicelib.domain.agreements.AgreementRules.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from .disputes import DisputeReason
from .instalments import Instalment, evaluate_plan

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .agreements import AgreementRules
    from .instalments import PlanState


class AgreementKind(StrEnum):
    PROMISE = "promise"
    INSTALMENTS = "instalments"
    PAUSE = "pause"
    DISPUTE = "dispute"


@dataclass(frozen=True)
class Promise:
    """The debtor will pay by `date`; the workflow checks on `deadline`, the date plus the tenant's grace."""

    date: dt.date
    deadline: dt.date

    kind: ClassVar[AgreementKind] = AgreementKind.PROMISE
    review_day_name: ClassVar[str] = "deadline"

    @property
    def review_on(self) -> dt.date:
        return self.deadline

    def same_terms(self, other: Agreement | None) -> bool:
        return isinstance(other, Promise) and (other.date, other.deadline) == (self.date, self.deadline)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": str(self.kind), "date": self.date.isoformat(), "deadline": self.deadline.isoformat()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Promise:
        return cls(_day(data["date"]), _day(data["deadline"]))


@dataclass(frozen=True)
class InstalmentPlan:
    """The balance in instalments; the rest is what the workflow counted at its last look (see evaluate_plan)."""

    schedule: tuple[Instalment, ...]
    paid_at_start: int  # the claim's paid total when the plan began: payments since then pay instalments
    wake_on: dt.date | None  # the next day anything can change
    late_so_far: int = 0
    last_late: int = 0
    reminded_through: int = 0
    late_grace_until: dt.date | None = None

    kind: ClassVar[AgreementKind] = AgreementKind.INSTALMENTS
    review_day_name: ClassVar[str] = "wake_on"

    @property
    def review_on(self) -> dt.date | None:
        return self.wake_on

    def same_terms(self, other: Agreement | None) -> bool:
        """The same schedule: what the workflow counted since is bookkeeping, not terms."""
        return isinstance(other, InstalmentPlan) and other.schedule == self.schedule

    def standing(self, paid: int, today: dt.date, rules: AgreementRules) -> PlanState:
        """Where the plan stands today, the claim's paid total being `paid`."""
        grace = self.late_grace_until.isoformat() if self.late_grace_until else None
        return evaluate_plan(
            self.schedule,
            paid - self.paid_at_start,
            today,
            rules,
            self.late_so_far,
            last_late=self.last_late,
            reminded_through=self.reminded_through,
            late_grace_until=grace,
        )

    def counted(self, state: PlanState) -> InstalmentPlan:
        """The plan with what this look counted, so looking again the same day counts nothing twice."""
        return replace(
            self,
            wake_on=state.wake_on,
            late_so_far=state.late_count,
            last_late=state.last_late,
            reminded_through=state.reminded_through,
            late_grace_until=_day(state.late_grace_until) if state.late_grace_until else None,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "schedule": [i.to_dict() for i in self.schedule],
            "paid_at_start": self.paid_at_start,
            "wake_on": self.wake_on.isoformat() if self.wake_on else None,
            "late_so_far": self.late_so_far,
            "last_late": self.last_late,
            "reminded_through": self.reminded_through,
            "late_grace_until": self.late_grace_until.isoformat() if self.late_grace_until else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> InstalmentPlan:
        return cls(
            schedule=tuple(Instalment.from_dict(i) for i in data["schedule"]),
            paid_at_start=int(data["paid_at_start"]),
            wake_on=_day(data["wake_on"]) if data.get("wake_on") else None,
            late_so_far=int(data.get("late_so_far", 0)),
            last_late=int(data.get("last_late", 0)),
            reminded_through=int(data.get("reminded_through", 0)),
            late_grace_until=_day(data["late_grace_until"]) if data.get("late_grace_until") else None,
        )


@dataclass(frozen=True)
class Pause:
    """A hardship pause: the ladder resumes on `until`."""

    until: dt.date
    reason: str

    kind: ClassVar[AgreementKind] = AgreementKind.PAUSE
    review_day_name: ClassVar[str] = "until"

    @property
    def review_on(self) -> dt.date:
        return self.until

    def same_terms(self, other: Agreement | None) -> bool:
        return isinstance(other, Pause) and (other.until, other.reason) == (self.until, self.reason)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": str(self.kind), "until": self.until.isoformat(), "reason": self.reason}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Pause:
        return cls(_day(data["until"]), str(data["reason"]))


@dataclass(frozen=True)
class Dispute:
    """The debtor objects; the ladder holds until the merchant decides, so there is no day to look again."""

    reason: DisputeReason
    message: str
    opened: dt.date

    kind: ClassVar[AgreementKind] = AgreementKind.DISPUTE
    review_day_name: ClassVar[str] = ""

    @property
    def review_on(self) -> None:
        return None

    def same_terms(self, other: Agreement | None) -> bool:
        return isinstance(other, Dispute) and (other.reason, other.message) == (self.reason, self.message)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "reason": str(self.reason),
            "message": self.message,
            "opened": self.opened.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Dispute:
        return cls(DisputeReason(data["reason"]), str(data["message"]), _day(data["opened"]))


Agreement = Promise | InstalmentPlan | Pause | Dispute
_KINDS: dict[str, type[Promise] | type[InstalmentPlan] | type[Pause] | type[Dispute]] = {
    AgreementKind.PROMISE: Promise,
    AgreementKind.INSTALMENTS: InstalmentPlan,
    AgreementKind.PAUSE: Pause,
    AgreementKind.DISPUTE: Dispute,
}


def agreement_from_dict(data: Mapping[str, Any] | None) -> Agreement | None:
    """The agreement as stored on the claim; an empty dict is none in force."""
    if not data:
        return None
    kind = data.get("kind")
    if kind not in _KINDS:
        raise ValueError(f"unknown kind of agreement '{kind}'")
    return _KINDS[str(kind)].from_dict(data)


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
