"""What a debtor can do on the pay page: the one list the routes, the forms, the API document and the use cases follow.

Four of the actions put an agreement in force (chalicelib.domain.agreement): promise, instalments, pause, dispute.
"""

from __future__ import annotations

from enum import StrEnum


class PayAction(StrEnum):
    CHECKOUT = "checkout"  # pay the balance now, by card or wallet at the PSP
    PROMISE = "promise"  # promise to pay by a date
    INSTALMENTS = "instalments"  # pay in instalments
    DISPUTE = "dispute"  # object to the claim
    PAUSE = "pause"  # ask for a breathing space
    CONTACT = "contact"  # write to the merchant


ACTIONS: tuple[str, ...] = tuple(PayAction)
