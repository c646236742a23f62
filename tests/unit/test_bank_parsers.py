"""Reading bank statements: CAMT.053 (.02 to .13) and MT940 become the same credit entries, debits stay out."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from chalicelib.adapters.bank.statements import parse_statement
from chalicelib.domain.errors import InvalidInputError
from infra.local import bank_files

pytestmark = pytest.mark.unit

# Valid Mahnwerk references; the first as a debtor types it: grouped, lower case.
REF1, REF2, REF3, REF4 = "rf08 apym dx5j gs", "RF24Z2FX9T1KH6", "RF24K7773N8G7D", "RF08P9TCYT2VR4"
VALUES: dict[str, Any] = {
    "MSG_ID": "CSTMT20260304061241",
    "AMOUNT1": 12345,
    "REF1": REF1,
    "NAME1": "Erika Mustermann",
    "AMOUNT2": 5000,
    "REF2": REF2,
    "NAME2": "Hans Müller",
    "AMOUNT3": 7000,
    "REF3": REF3,
    "REF4": REF4,
    "NAME3": "Gartenbau Schmidt GmbH",
    "AMOUNT5": 9990,
    "NAME5": "MUSTERMANN, MAX",
}


def statement_file(name: str, **overrides: Any) -> bytes:
    """A fixture template (see tests/events/bank/README.md) filled with these tests' values; amounts in minor units."""
    return bank_files.statement_file(name, **{**VALUES, **overrides})


@pytest.mark.parametrize("name", ["camt053_001_02.xml", "camt053_001_08.xml"])
def test_camt053_yields_every_booked_credit_with_its_amount_in_minor_units(name: str) -> None:
    # WHEN a CAMT.053 file with four booked credits (one a batch of two), a debit and a pending credit is read
    statement = parse_statement(statement_file(name))
    # THEN each credit is an entry, the batch split into its parts; the debit and the pending entry are left out
    assert [e.amount for e in statement.entries] == [12345, 5000, 7000, 9990, 1730]
    assert {e.currency for e in statement.entries} == {"EUR"}
    assert statement.account == "DE89370400440532013000"
    assert statement.format == "camt." + name.removeprefix("camt").removesuffix(".xml").replace("_", ".")
    assert statement.statement_id.startswith("CSTMT20260304061241")


@pytest.mark.parametrize("name", ["camt053_001_02.xml", "camt053_001_08.xml"])
def test_camt053_entry_carries_remittance_payer_iban_and_bank_reference(name: str) -> None:
    first, batch_a, batch_b, by_name, _ = parse_statement(statement_file(name)).entries
    assert first.credit.remittance == f"Rechnung {REF1} vom 02.03.2026, vielen Dank"
    assert first.credit.debtor_name == "Erika Mustermann"
    assert first.credit.debtor_iban == "DE12500105170648489890"
    assert first.credit.bank_reference in {"2026030300012345", "9031000017650031"}
    assert first.credit.booking_date == date(2026, 3, 3)
    assert first.credit.end_to_end_id is None  # NOTPROVIDED is no reference
    # the structured creditor reference and both unstructured lines are part of the remittance
    assert batch_a.credit.remittance == REF2
    assert batch_a.credit.debtor_name == "Hans Müller"
    assert batch_a.credit.end_to_end_id == "E2E-20260303-000871"
    assert batch_b.credit.remittance == f"Rg. {REF3} und {REF4}"
    assert by_name.credit.debtor_name == "MUSTERMANN, MAX"


def test_mt940_reads_german_structured_details_into_the_same_entries() -> None:
    statement = parse_statement(statement_file("mt940.sta"))
    assert statement.format == "mt940"
    assert statement.account == "37040044/0532013000"
    assert statement.statement_id == "STARTUMSE/00061/001"
    # four credits; the direct debit is left out
    assert [e.amount for e in statement.entries] == [12345, 5000, 9990, 1730]
    first, partial, by_name, nothing = statement.entries
    assert first.credit.remittance == f"{REF1} Rechnung vom 02.03.2026"
    assert first.credit.debtor_name == "Erika Mustermann"
    assert first.credit.debtor_iban == "DE12500105170648489890"
    assert first.credit.bank_reference == "260303112233"
    assert first.credit.booking_date == date(2026, 3, 3)
    # a reference broken across ?21/?22 is whole again; EREF+ is the end-to-end id
    assert REF2 in partial.credit.remittance.replace(" ", "")
    assert partial.credit.end_to_end_id == "E2E-20260303-000871"
    assert by_name.credit.debtor_name == "MUSTERMANN, MAX"
    assert nothing.credit.remittance == "Erstattung Schaden 47-11/2026 Versicherungsnehmer Demo Shop GmbH"
    assert nothing.credit.debtor_name == "Allianz Versicherungs-AG"


def test_mt940_in_windows_1252_keeps_its_umlauts() -> None:
    content = statement_file("mt940.sta", NAME1="Jürgen Weiß").decode().encode("cp1252")
    assert parse_statement(content).entries[0].credit.debtor_name == "Jürgen Weiß"


@pytest.mark.parametrize("name", ["camt053_001_02.xml", "camt053_001_08.xml", "mt940.sta"])
def test_the_same_file_read_twice_gives_the_same_entry_ids(name: str) -> None:
    first = [e.entry_id for e in parse_statement(statement_file(name)).entries]
    again = [e.entry_id for e in parse_statement(statement_file(name, MSG_ID="OTHERFILE")).entries]
    assert first == again
    assert len(set(first)) == len(first)


def test_two_identical_bookings_in_one_file_are_two_entries() -> None:
    # GIVEN the same 17.30 transfer twice on one day, without a bank reference to tell them apart
    closing = bank_files.closing_balance("mt940.sta", **VALUES) + 2 * 1730
    content = statement_file("mt940.sta", CLOSING_BALANCE=closing).decode()
    booking = ":61:2603030303CR17,30NTRFNONREF\n:86:166?00GUTSCHR. UEBERWEISUNG?20Spende?32Max Beispiel\n"
    statement = parse_statement(content.replace(":62F:", booking + booking + ":62F:").encode())
    # THEN both are kept, each with its own id
    twins = [e for e in statement.entries if e.credit.remittance == "Spende"]
    assert len(twins) == 2
    assert twins[0].entry_id != twins[1].entry_id


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"<Document><BkToCstmrStmt/></Document>", "not a camt.053"),
        (b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>', "well-formed"),
        (b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt/></Document>', "no stat"),
        (b"Datum;Betrag;Verwendungszweck\n03.03.2026;123,45;Rechnung 4711\n", "neither"),
        (b":20:STARTUMSE\n:25:37040044/0532013000\n:61:garbage\n:86:x\n", "MT940"),
    ],
)
def test_a_malformed_file_is_refused_with_a_reason(content: bytes, reason: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        parse_statement(content)
    assert raised.value.field == "body"
    assert reason in raised.value.message


def test_a_camt_amount_finer_than_the_currency_allows_is_refused() -> None:
    content = statement_file("camt053_001_02.xml").replace(
        b'<Amt Ccy="EUR">17.30</Amt>', b'<Amt Ccy="EUR">17.305</Amt>'
    )
    with pytest.raises(InvalidInputError, match="not a valid amount"):
        parse_statement(content)


def test_an_external_entity_is_never_resolved() -> None:
    # GIVEN a statement that declares an entity reading a local file (XXE)
    content = statement_file("camt053_001_02.xml").replace(
        b"<Document ",
        b'<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<Document ',
    )
    content = content.replace(b"Erika Mustermann", b"&xxe;", 1)
    # WHEN it is read THEN it is refused before anything is resolved
    with pytest.raises(InvalidInputError, match="DOCTYPE"):
        parse_statement(content)


def test_an_entity_expansion_bomb_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>&lol2;</BkToCstmrStmt>'
        b"</Document>"
    )
    with pytest.raises(InvalidInputError):
        parse_statement(bomb)


@pytest.mark.parametrize("version", [f"{n:02d}" for n in range(2, 14)])
def test_every_camt053_version_from_02_to_13_is_read(version: str) -> None:
    content = statement_file("camt053_001_08.xml").replace(b"camt.053.001.08", f"camt.053.001.{version}".encode())
    statement = parse_statement(content)
    assert statement.format == f"camt.053.001.{version}"
    assert [e.amount for e in statement.entries] == [12345, 5000, 7000, 9990, 1730]


@pytest.mark.parametrize(
    ("namespace", "reason"),
    [
        ("camt.053.001.01", "camt.053.001.01 is not a version Mahnwerk reads: camt.053.001.02 to camt.053.001.13"),
        ("camt.053.001.14", "camt.053.001.14 is not a version Mahnwerk reads: camt.053.001.02 to camt.053.001.13"),
        ("camt.052.001.08", "a camt.052 account report (intraday bookings and balances), not a camt.053 statement"),
        ("camt.054.001.08", "a camt.054 debit/credit notification, not a camt.053 statement"),
        ("pain.001.001.09", "an ISO 20022 pain.001.001.09 message, not a camt.053 statement"),
    ],
)
def test_an_iso_20022_document_that_is_no_camt053_statement_is_refused_naming_what_it_is(
    namespace: str, reason: str
) -> None:
    content = statement_file("camt053_001_08.xml").replace(b"camt.053.001.08", namespace.encode())
    with pytest.raises(InvalidInputError) as refused:
        parse_statement(content)
    assert refused.value.message == reason


def test_a_camt_booking_date_may_be_a_date_and_time_whose_day_is_the_banks() -> None:
    # the first entry of the .08 template books at 2026-03-03T09:14:02+01:00
    assert parse_statement(statement_file("camt053_001_08.xml")).entries[0].credit.booking_date == date(2026, 3, 3)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b":20:X\n:25:DE1\n:28C:1\n:60F:C260302EUR1,00\n:61:2603030303C1,00NTRF\n:62F:C260303EUR2,00\n", None),
        (b":20:X\n:25:DE1\n:60F:C260302EUR1,00\n:61:2613030303C1,00NTRF\n:62F:C260303EUR2,00\n", "not a date"),
        (b":20:X\n:25:DE1\n:60F:C260302EUR1,00\n:61:2603030303C1,00XTRF\n:62F:C260303EUR2,00\n", "transaction type"),
        (b":20:X\n:25:DE1\n:60F:C260302EUR1.005\n:62F:C260303EUR1,00\n", "EUR has 2 decimals"),
        (b":20:X\n:25:DE1\n:60F:C260302EUR1,00\n:62F:C260303USD1,00\n", "opens in EUR and closes in USD"),
        (b":20:X\n:25:DE1\n:28C:7\n:61:2603030303C1,00NTRF\n:62F:C260303EUR2,00\n", "no opening balance"),
        (b"{1:F01X}{2:O942X}{4:\n:20:X\n:25:DE1\n:34F:EUR0,\n:61:2603030303C1,00NTRF\n-}", "MT942"),
        (b"{1:F01X}{2:O940X}{4:\n:20:X\n:25:DE1\n:61:2603030303C1,00NTRF\n", "not closed"),
    ],
)
def test_an_mt940_file_that_cannot_be_read_right_is_refused_with_a_reason_and_no_internal_repr(
    content: bytes, reason: str | None
) -> None:
    if reason is None:  # a well-formed statement, for contrast
        assert [e.amount for e in parse_statement(content).entries] == [100]
        return
    with pytest.raises(InvalidInputError) as refused:
        parse_statement(content)
    assert reason in refused.value.message
    assert " object at 0x" not in refused.value.message


def test_an_mt940_statement_that_does_not_add_up_is_refused_naming_it() -> None:
    content = statement_file("mt940.sta", CLOSING_BALANCE=1)
    with pytest.raises(InvalidInputError) as refused:
        parse_statement(content)
    assert refused.value.message.startswith(
        "MT940: statement STARTUMSE (number 00061/001, account 37040044/0532013000) does not add up: "
        "the opening balance C 12345.67 EUR and its bookings give C 12547.32 EUR, but the closing balance is "
        "C 0.01 EUR"
    )


def test_camt_transaction_details_that_do_not_add_up_make_one_doubted_credit_of_the_booked_amount() -> None:
    # GIVEN the batch of 50.00 + 70.00 booked as 120.00, its first part changed to 40.00
    content = statement_file("camt053_001_02.xml").replace(b'<Amt Ccy="EUR">50.00</Amt>', b'<Amt Ccy="EUR">40.00</Amt>')
    batch = parse_statement(content).entries[1].credit
    assert batch.amount == 12000
    assert batch.doubt == "its transaction details add up to 110.00 EUR, but the bank booked 120.00 EUR"
    assert batch.remittance == f"{REF2} / Rg. {REF3} und {REF4}"
