"""The virtual clock (strategy days in real seconds) and when a debtor may be contacted."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.clock import VirtualClock
from chalicelib.domain.contact_policy import (
    ContactWindow,
    in_window,
    is_day_of_rest,
    next_allowed,
    reachable_channels,
)
from chalicelib.domain.debtor import Debtor, DebtorKind
from chalicelib.domain.ladder import Channel

pytestmark = pytest.mark.unit

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def clock_at(real: datetime, day_seconds: float) -> VirtualClock:
    return VirtualClock(day_seconds=day_seconds, epoch=EPOCH, real_now=lambda: real)


def berlin(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A Berlin wall-clock time as the UTC instant the domain works with."""
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


# --- the virtual clock --------------------------------------------------------------------------


def test_at_a_real_day_length_virtual_time_is_real_time() -> None:
    real = datetime(2026, 11, 7, 20, 15, 30, 123456, tzinfo=UTC)
    clock = clock_at(real, 86400)
    assert clock.now() == real
    assert clock.today() == date(2026, 11, 7)


def test_at_half_a_second_per_day_one_real_second_is_two_virtual_days() -> None:
    clock = clock_at(EPOCH + timedelta(seconds=1), 0.5)
    assert clock.now() == EPOCH + timedelta(days=2)


def test_virtual_time_runs_from_the_epoch_at_the_clock_speed() -> None:
    # GIVEN ten real seconds per strategy day, 25 real seconds after the epoch
    clock = clock_at(EPOCH + timedelta(seconds=25), 10)
    # THEN two and a half strategy days have passed
    assert clock.speed == 8640
    assert clock.now() == EPOCH + timedelta(days=2, hours=12)


def test_a_virtual_duration_converts_back_to_real_seconds() -> None:
    assert clock_at(EPOCH, 10).real_duration(timedelta(days=3)) == pytest.approx(30.0)
    assert clock_at(EPOCH, 86400).real_duration(timedelta(hours=1)) == pytest.approx(3600.0)


def test_waiting_for_a_whole_number_of_virtual_days_takes_that_many_day_lengths() -> None:
    clock = clock_at(EPOCH + timedelta(seconds=100), 10)
    assert clock.wait_seconds_until(clock.now() + timedelta(days=3)) == 30


def test_the_wait_is_rounded_down_to_whole_real_seconds_so_it_never_passes_the_moment() -> None:
    # GIVEN one virtual hour at ten real seconds per day is 0.42 real seconds
    clock = clock_at(EPOCH + timedelta(seconds=100), 10)
    # THEN Step Functions waits the whole seconds only; the fraction is the acting step's to wait out
    assert clock.real_seconds_until(clock.now() + timedelta(hours=1)) == pytest.approx(10 / 24)
    assert clock.wait_seconds_until(clock.now() + timedelta(hours=1)) == 0
    assert clock.wait_seconds_until(clock.now() + timedelta(days=1, hours=1)) == 10


def test_a_step_waits_out_the_fraction_of_a_second_and_arrives_on_the_moment() -> None:
    # GIVEN a clock at half a second per day whose sleep moves real time on
    real = [EPOCH + timedelta(seconds=100)]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        real[0] += timedelta(seconds=seconds)

    clock = VirtualClock(0.5, EPOCH, real_now=lambda: real[0], sleep=sleep)
    eight = clock.now() + timedelta(hours=10)
    # WHEN the step is to act at a moment 0.21 real seconds away
    arrived = clock.wait_until(eight)
    # THEN it slept exactly that long and the virtual clock shows the moment
    assert arrived
    assert slept == [pytest.approx(0.5 * 10 / 24, abs=0.001)]
    assert eight <= clock.now() < eight + timedelta(minutes=1)


def test_a_step_does_not_wait_for_what_is_the_state_machines_to_wait_for() -> None:
    slept: list[float] = []
    clock = VirtualClock(0.5, EPOCH, real_now=lambda: EPOCH, sleep=slept.append)

    assert not clock.wait_until(EPOCH + timedelta(days=4))  # two real seconds away
    assert clock.wait_until(EPOCH - timedelta(hours=1))  # passed already
    assert slept == []


def test_real_and_virtual_instants_convert_both_ways() -> None:
    clock = clock_at(EPOCH + timedelta(seconds=7), 0.5)
    virtual = clock.now() + timedelta(hours=20)
    # (a real microsecond is a fifth of a virtual second at this speed)
    assert abs(clock.to_virtual(clock.to_real(virtual)) - virtual) < timedelta(seconds=1)


def test_the_wait_for_a_moment_in_the_past_is_zero() -> None:
    clock = clock_at(EPOCH + timedelta(seconds=100), 10)
    assert clock.wait_seconds_until(clock.now() - timedelta(days=5)) == 0
    assert clock.wait_seconds_until(clock.now()) == 0


def test_in_production_a_wait_of_one_day_is_86400_seconds() -> None:
    real = datetime(2026, 11, 7, 20, 0, tzinfo=UTC)
    assert clock_at(real, 86400).wait_seconds_until(real + timedelta(days=1)) == 86400


# --- quiet hours, Sundays and holidays ----------------------------------------------------------


def test_an_sms_on_saturday_evening_moves_to_monday_morning_in_berlin() -> None:
    # GIVEN Saturday 7 Nov 2026, 21:00 in Berlin (after the window, and Sunday is a day of rest)
    at = berlin(2026, 11, 7, 21)
    # WHEN
    allowed = next_allowed(at, Channel.SMS, "DE")
    # THEN Monday 9 Nov, 08:00 in Berlin
    assert allowed == berlin(2026, 11, 9, 8) == datetime(2026, 11, 9, 7, 0, tzinfo=UTC)


def test_an_sms_on_the_saturday_before_easter_monday_moves_to_tuesday_morning() -> None:
    # Easter Sunday 5 Apr 2026 and Easter Monday 6 Apr 2026 (a national holiday); summer time
    assert next_allowed(berlin(2026, 4, 4, 21), Channel.SMS, "DE") == berlin(2026, 4, 7, 8)


def test_a_call_on_sunday_moves_to_monday_morning() -> None:
    assert next_allowed(berlin(2026, 11, 8, 11), Channel.CALL, "DE") == berlin(2026, 11, 9, 8)


def test_christmas_holidays_move_a_message_to_the_next_working_day() -> None:
    # 25 and 26 Dec 2026 are public holidays (Fri, Sat), 27 Dec is a Sunday
    for day in (berlin(2026, 12, 25, 10), berlin(2026, 12, 26, 10), berlin(2026, 12, 24, 21)):
        assert next_allowed(day, Channel.EMAIL, "DE") == berlin(2026, 12, 28, 8)


def test_an_sms_at_seven_in_the_morning_waits_until_eight_the_same_day() -> None:
    assert next_allowed(berlin(2026, 11, 10, 7), Channel.SMS, "DE") == berlin(2026, 11, 10, 8)


def test_a_message_inside_the_window_on_a_working_day_is_not_moved() -> None:
    at = berlin(2026, 11, 7, 19, 59)  # Saturday is a working day in Germany
    assert next_allowed(at, Channel.SMS, "DE") == at


def test_at_eight_in_the_evening_the_window_is_closed() -> None:
    assert next_allowed(berlin(2026, 11, 10, 20), Channel.PUSH, "DE") == berlin(2026, 11, 11, 8)


@pytest.mark.parametrize(
    "at",
    [berlin(2026, 11, 8, 3), berlin(2026, 12, 25, 23), berlin(2026, 11, 10, 6)],
    ids=["sunday-night", "christmas-night", "early-morning"],
)
def test_the_agency_hand_over_is_never_moved(at: datetime) -> None:
    assert next_allowed(at, Channel.AGENCY, "DE") == at
    assert in_window(at, Channel.AGENCY, "DE")


@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.SMS, Channel.CALL, Channel.LETTER, Channel.PUSH])
def test_every_channel_to_the_debtor_keeps_the_window_the_letter_included(channel: Channel) -> None:
    assert next_allowed(berlin(2026, 12, 25, 23), channel, "DE") == berlin(2026, 12, 28, 8)
    assert not in_window(berlin(2026, 11, 10, 20), channel, "DE")
    assert in_window(berlin(2026, 11, 10, 19, 59), channel, "DE")
    assert in_window(berlin(2026, 11, 10, 8), channel, "DE")
    assert not in_window(berlin(2026, 11, 10, 7, 59), channel, "DE")


def test_the_window_follows_the_debtors_country() -> None:
    # GIVEN 06:00 in New York is 11:00 UTC, fine for Berlin but too early for a US debtor
    at = datetime(2026, 11, 10, 11, 0, tzinfo=UTC)
    assert next_allowed(at, Channel.SMS, "DE") == at
    assert next_allowed(at, Channel.SMS, "US") == datetime(2026, 11, 10, 8, 0, tzinfo=ZoneInfo("America/New_York"))


def test_a_custom_window_is_respected() -> None:
    window = ContactWindow(opens=time(9, 0), closes=time(18, 0))
    assert next_allowed(berlin(2026, 11, 10, 8, 30), Channel.SMS, "DE", window) == berlin(2026, 11, 10, 9)


def test_the_allowed_time_is_a_utc_aware_instant() -> None:
    allowed = next_allowed(berlin(2026, 11, 7, 21), Channel.SMS, "DE")
    assert allowed.tzinfo is not None
    assert allowed.utcoffset() == timedelta(0)


def test_sundays_and_public_holidays_are_days_of_rest() -> None:
    assert is_day_of_rest(datetime(2026, 11, 8, 12, tzinfo=BERLIN), "DE")  # Sunday
    assert is_day_of_rest(datetime(2026, 10, 3, 12, tzinfo=BERLIN), "DE")  # Tag der Deutschen Einheit
    assert not is_day_of_rest(datetime(2026, 11, 7, 12, tzinfo=BERLIN), "DE")  # Saturday


# --- reachability -------------------------------------------------------------------------------


def make_debtor(phone: str = "+4915112345678", opt_outs: frozenset[str] = frozenset()) -> Debtor:
    return Debtor("Erika Mustermann", "erika@example.com", phone, "de", DebtorKind.CONSUMER, "DE", opt_outs=opt_outs)


ALL = (Channel.EMAIL, Channel.SMS, Channel.CALL, Channel.LETTER, Channel.PUSH)


def test_a_debtor_with_phone_and_push_endpoint_is_reachable_on_every_channel() -> None:
    assert reachable_channels(ALL, make_debtor(), has_push_endpoint=True) == ALL


def test_without_phone_sms_and_call_are_dropped_and_the_order_is_kept() -> None:
    assert reachable_channels(ALL, make_debtor(phone=""), has_push_endpoint=True) == (
        Channel.EMAIL,
        Channel.LETTER,
        Channel.PUSH,
    )


def test_an_opt_out_removes_exactly_that_channel() -> None:
    debtor = make_debtor(opt_outs=frozenset({"sms", "letter"}))
    assert reachable_channels(ALL, debtor) == (Channel.EMAIL, Channel.CALL)
