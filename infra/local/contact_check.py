"""Whether every message in the local outbox reached its debtor inside the contact window: the demo's last check.

Written apart from chalicelib.domain.contact_policy on purpose: local time, Sundays and public holidays are worked
out here from zoneinfo and the `holidays` package directly, so the demo and the tests check what the stack did
rather than repeat the code that decided it. Only each country's time zone comes from the domain (its one home).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING, Any

import holidays

from chalicelib.domain.contact_policy import debtor_zone

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

# The convention docs/law.md names: working days, 08:00 to 20:00 in the debtor's time zone.
OPENS, CLOSES = time(8, 0), time(20, 0)
# Messages that are not to the debtor: a debtor's message forwarded to the merchant's support address.
_TO_MERCHANT = frozenset({"notice:contact_forwarded"})


def outside_the_window(outbox: Iterable[Mapping[str, Any]], countries: Mapping[str, str]) -> list[str]:
    """One line per message to a debtor that was sent at night, on a Sunday or on a public holiday of their country.

    `countries` maps each claim id to its debtor's country (ISO 3166-1 alpha-2).
    """
    found = []
    for message in outbox:
        if message["stage"] in _TO_MERCHANT:
            continue
        country = countries[message["claim_id"]]
        local = datetime.fromisoformat(message["sent_at"]).astimezone(debtor_zone(country))
        problem = _problem(local, country)
        if problem:
            found.append(
                f"{message['stage']} by {message['channel']} to {message['to']} at "
                f"{local:%a %d %b %Y %H:%M} {local.tzname()} ({country}): {problem}"
            )
    return found


def _problem(local: datetime, country: str) -> str | None:
    if local.weekday() == 6:
        return "a Sunday"
    name = _holiday(local, country)
    if name:
        return f"a public holiday ({name})"
    if not OPENS <= local.time() < CLOSES:
        return "outside 08:00-20:00"
    return None


def _holiday(local: datetime, country: str) -> str | None:
    try:
        calendar = holidays.country_holidays(country.upper(), years=local.year)
    except NotImplementedError:
        return None
    return calendar.get(local.date())
