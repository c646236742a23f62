"""Disputes: why the debtor objects, and how the merchant resolves it."""

from __future__ import annotations

from enum import StrEnum

from .errors import InvalidInputError

MAX_MESSAGE_LENGTH = 2000
MIN_OTHER_MESSAGE_LENGTH = 10


class DisputeReason(StrEnum):
    NOT_RECEIVED = "not_received"
    RETURNED = "returned"
    WRONG_AMOUNT = "wrong_amount"
    ALREADY_PAID = "already_paid"
    OTHER = "other"


class DisputeOutcome(StrEnum):
    UPHOLD = "uphold"  # the claim stands: the ladder resumes
    CANCEL = "cancel"  # the merchant withdraws the claim
    ADJUST = "adjust"  # the claim stands at a lower balance


def _choices(enum: type[StrEnum]) -> str:
    return ", ".join(str(member) for member in enum)


def validate_dispute(reason: str, message: str) -> tuple[DisputeReason, str]:
    """The merchant must be able to act on a dispute, so a bare "other" without an explanation is refused."""
    try:
        parsed = DisputeReason(reason)
    except ValueError:
        raise InvalidInputError("reason", f"choose one of: {_choices(DisputeReason)}") from None
    message = message.strip()
    if not message:
        raise InvalidInputError("message", "tell the merchant what happened")
    if len(message) > MAX_MESSAGE_LENGTH:
        raise InvalidInputError("message", f"at most {MAX_MESSAGE_LENGTH} characters")
    if parsed == DisputeReason.OTHER and len(message) < MIN_OTHER_MESSAGE_LENGTH:
        raise InvalidInputError("message", f"for 'other', explain in at least {MIN_OTHER_MESSAGE_LENGTH} characters")
    return parsed, message


def parse_outcome(outcome: DisputeOutcome | str) -> DisputeOutcome:
    try:
        return DisputeOutcome(outcome)
    except ValueError:
        raise InvalidInputError("outcome", f"choose one of: {_choices(DisputeOutcome)}") from None


def validate_adjustment(outcome: DisputeOutcome | str, amount: int | None, balance: int) -> int | None:
    """Returns the new balance for an adjustment, None otherwise.

    An adjustment only lowers the claim: waiving all of it is a cancellation and keeping all of it
    is upholding, and each of those is recorded as such rather than as an adjustment.
    """
    parsed = parse_outcome(outcome)
    if parsed != DisputeOutcome.ADJUST:
        if amount is not None:
            raise InvalidInputError("amount", f"only an adjustment carries an amount, not '{parsed}'")
        return None
    if amount is None:
        raise InvalidInputError("amount", "an adjustment needs the new balance in minor units")
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount < balance:
        raise InvalidInputError("amount", f"the new balance must be more than 0 and less than {balance} (minor units)")
    return amount
