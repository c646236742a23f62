"""When and how a debtor may be contacted: quiet hours, Sundays and holidays, reachability, opt-outs (docs/law.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import holidays

from .ladder import Channel

if TYPE_CHECKING:
    from .debtor import Debtor

# A debtor's local time zone when nothing better is known: the country's main zone.
_COUNTRY_ZONES = {
    "DE": "Europe/Berlin",
    "AT": "Europe/Vienna",
    "CH": "Europe/Zurich",
    "NL": "Europe/Amsterdam",
    "BE": "Europe/Brussels",
    "FR": "Europe/Paris",
    "IT": "Europe/Rome",
    "ES": "Europe/Madrid",
    "PL": "Europe/Warsaw",
    "GB": "Europe/London",
    "IE": "Europe/Dublin",
    "US": "America/New_York",
}
# Every channel that reaches the debtor keeps quiet hours and days of rest. The letter too: it is dated and
# recorded the moment it is made, goes with its stage's email, and no debtor's timeline shows contact at night.
# Only the hand-over to the agency is not a message to the debtor.
_WINDOWED = frozenset({Channel.EMAIL, Channel.SMS, Channel.CALL, Channel.PUSH, Channel.LETTER})


@dataclass(frozen=True)
class ContactWindow:
    opens: time = time(8, 0)
    closes: time = time(20, 0)


def debtor_zone(country: str) -> ZoneInfo:
    return ZoneInfo(_COUNTRY_ZONES.get(country.upper(), "UTC"))


@cache
def _holidays(country: str, year: int) -> holidays.HolidayBase | None:
    try:
        return holidays.country_holidays(country.upper(), years=year)
    except NotImplementedError:
        return None


def is_day_of_rest(day: datetime, country: str) -> bool:
    calendar = _holidays(country, day.year)
    return day.weekday() == 6 or (calendar is not None and day.date() in calendar)


def next_allowed(at: datetime, channel: Channel, country: str, window: ContactWindow | None = None) -> datetime:
    """The earliest instant at or after `at` (UTC) when `channel` may reach a debtor in `country`."""
    if channel not in _WINDOWED:
        return at
    window = window or ContactWindow()
    zone = debtor_zone(country)
    local = at.astimezone(zone)
    for _ in range(14):  # a fortnight covers every run of holidays
        opens = datetime.combine(local.date(), window.opens, zone)
        closes = datetime.combine(local.date(), window.closes, zone)
        if not is_day_of_rest(local, country) and local < closes:
            return max(local, opens).astimezone(at.tzinfo)
        local = datetime.combine(local.date() + timedelta(days=1), time(0, 0), zone)
    return at


def in_window(at: datetime, channel: Channel, country: str, window: ContactWindow | None = None) -> bool:
    """Whether `channel` may reach a debtor in `country` at the instant `at`; asked right before each send."""
    return next_allowed(at, channel, country, window) <= at


def reachable_channels(
    channels: tuple[Channel, ...], debtor: Debtor, has_push_endpoint: bool = False
) -> tuple[Channel, ...]:
    """Drop channels the debtor cannot be reached on or opted out of; the stage goes on with the rest."""

    def reachable(channel: Channel) -> bool:
        if channel in debtor.opt_outs:
            return False
        if channel == Channel.EMAIL:
            return bool(debtor.email)
        if channel in (Channel.SMS, Channel.CALL):
            return bool(debtor.phone)
        if channel == Channel.PUSH:
            return has_push_endpoint
        return True

    return tuple(c for c in channels if reachable(c))
