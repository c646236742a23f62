"""Which claims a bank reversal takes money back from: those the reversed credit paid, and only when that is certain.

A reversal (a returned transfer, a recalled or cancelled credit, a storno) takes back money a credit
brought. The credit is found by what both share, the end-to-end id or the bank's reference together with
account, currency and amount, and the money goes back out of the claims that credit paid, in the shares
it paid them. Failing that, a text naming exactly one claim's payment reference is as good a link as it
is for a credit. Anything else is a person's decision: a reversal is never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .bank_statements import Allocation, EntryKind, EntryStatus

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .bank_statements import BankEntry, StatementEntry
    from .claim import Claim

REVERSED_CREDIT = "reversed_credit"
REFERENCE = "reference"
_APPLIED = (EntryStatus.MATCHED, EntryStatus.ASSIGNED)


@dataclass(frozen=True)
class ReversalMatch:
    allocations: tuple[Allocation, ...]
    method: str  # "reversed_credit" | "reference"
    reverses: str | None  # the entry id of the credit taken back, when it was found


def match_reversal(
    reversal: StatementEntry, credits: Sequence[BankEntry | None], referenced: Sequence[Claim]
) -> ReversalMatch | str:
    """The allocations to take back, or why a person must decide.

    `credits` are the imported entries sharing the reversal's transfer keys (None for one that cannot be
    read back); `referenced` the tenant's claims whose payment reference its text names.
    """
    if credits:
        return _through_credit(credits)
    if len(referenced) > 1:
        return "its text names several claims"
    if referenced:
        return _through_reference(reversal, referenced[0])
    return "no imported credit shares its end-to-end id or bank reference and amount, and its text names no claim"


def _through_credit(credits: Sequence[BankEntry | None]) -> ReversalMatch | str:
    distinct = {credit.entry_id if credit else None for credit in credits}
    if len(distinct) > 1 or None in distinct:
        return "several imported credits share its end-to-end id or bank reference and amount"
    credit = next(c for c in credits if c is not None)
    if credit.kind != EntryKind.CREDIT or credit.status not in _APPLIED or not credit.allocations:
        return f"it takes back credit {credit.entry_id}, which was not applied to a claim"
    return ReversalMatch(credit.allocations, REVERSED_CREDIT, credit.entry_id)


def _through_reference(reversal: StatementEntry, claim: Claim) -> ReversalMatch | str:
    if claim.ledger.currency != reversal.currency:
        return f"its text names claim {claim.claim_id}, which is in {claim.ledger.currency}"
    if claim.ledger.paid < reversal.amount:
        return f"its text names claim {claim.claim_id}, on which less than the reversed amount was paid"
    return ReversalMatch((Allocation(claim.claim_id, reversal.amount),), REFERENCE, None)
