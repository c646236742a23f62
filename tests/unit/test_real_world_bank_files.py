"""Bank statements other projects wrote (../shared/real-world/bank): each read right or refused.

The expected values were read from the files by hand: every credit and reversal of a small file, the
count, total and some named entries of a large one, and for a file that cannot be read correctly the
reason it is refused. The files are read in place, never copied into this repository.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from babel.numbers import get_currency_precision

from chalicelib.adapters.bank.mt940 import read_mt940
from chalicelib.adapters.bank.statements import parse_statement
from chalicelib.domain.bank_matching import find_references
from chalicelib.domain.bank_statements import Credit, EntryKind, Statement
from chalicelib.domain.errors import InvalidInputError
from tests.real_world import BANK, SOURCES, needs_real_world

pytestmark = [pytest.mark.unit, needs_real_world]


@dataclass(frozen=True)
class Booking:
    """A credit (or a reversal of one) as the file states it: the amount as written, the booking day."""

    amount: str
    currency: str
    booked: str
    remittance: str
    debtor: str | None = None
    iban: str | None = None
    kind: EntryKind = EntryKind.CREDIT
    doubted: bool = False  # its transaction details do not add up to the booking: a person must look

    @classmethod
    def of(cls, credit: Credit) -> Booking:
        return cls(
            amount=written(credit.amount, credit.currency),
            currency=credit.currency,
            booked=credit.booking_date.isoformat(),
            remittance=credit.remittance,
            debtor=credit.debtor_name,
            iban=credit.debtor_iban,
            kind=credit.kind,
            doubted=credit.doubt is not None,
        )


def written(minor: int, currency: str) -> str:
    """Minor units as a statement writes the amount: 4500.00, 1560395."""
    precision = get_currency_precision(currency)
    return f"{Decimal(minor).scaleb(-precision):.{precision}f}"


def reversal(amount: str, currency: str, booked: str, remittance: str, debtor: str | None = None) -> Booking:
    return Booking(amount, currency, booked, remittance, debtor, kind=EntryKind.REVERSAL)


KONTIST = [
    Booking("50.00", "EUR", "2021-02-15", "", "CHRISTIAN BENDT", "DE59320500000001908722"),
    Booking("120.00", "EUR", "2021-02-15", "-", "Lucien Schünke", "DE77100110012629052284"),
    Booking(
        "95.95",
        "EUR",
        "2021-02-17",
        "Rechnung-Nr.: INV-00002 v. 13.02.21",
        "DM PUTZ + STUCK UG HAFTUNGSBESCHRANKT",
        "DE32334400000003909884",
    ),
    # ?31 holds 23 characters: not a valid German IBAN, but the account the bank named
    Booking("250.00", "EUR", "2021-02-17", "INV-00003", "WCM UG HAFTUNGSBESCHRÄNKT", "DE112312300000231869660"),
]
PENTA = [
    Booking(
        "11.25",
        "EUR",
        "2020-09-03",
        "CCI : 0150577373,PURPOSE:DEVELOPER PROCEEDS,HOPPA PRODUKTVERKAUF AWAKE",
        "HOPPA Inc",
        "GB29DEUT40333124517700",
    ),
    Booking(
        "108.88",
        "EUR",
        "2020-09-17",
        "ERSTATT.20/299/48189 UMS.ST AUG.20 108,88 EUR FINANZAMT",
        "Finanzamt Kiel Erhebungsstelle",
        "DE80200000000020201516",
    ),
    Booking(
        "1.25",
        "EUR",
        "2020-09-29",
        "FCS000539813052 PAYMENT-NUM 1 385766690 POP GOODS AND SERVIC ES",
        "BANK OF CHINA NA",
        "DE93500107570095679081",
    ),
]
SPARKASSE_0919x = [
    Booking("100.00", "EUR", "2010-02-18", "FAM. MEIER ENGLAND", "KUNZ MEIER 57072 SIEGEN"),
    Booking("10.00", "EUR", "2010-02-18", "HANS BAMBEL, MALTA", "AUGUST MEYER ANET TE MEYER"),
]
# DK names and texts run on across ?-subfields only where a subfield filled its 27 characters; these do not.
SPARKASSE = [
    Booking("80.00", "EUR", "2010-02-04", "SOME DESCRIPTION MORE DESC", "MšLLER, GRETEL SOMECITY"),  # š as in the file
    Booking(
        "250.00",
        "EUR",
        "2010-02-17",
        "PARTNERKEY 0123 SPENDE, BITTE AM JAHRESENDEEINE SPENDENBESHEINIGUNG",
        "SOMEONE ELSE",
    ),
    Booking("82.00", "EUR", "2010-02-17", "PROJECT 3377", "HANS UND ERNA SCHNEIDER"),
    Booking("100.00", "EUR", "2010-02-17", "FAM. MEIER ENGLAND", "KUNZ MEIER 57072 SIEGEN"),
    Booking("10.00", "EUR", "2010-02-17", "HANS BAMBEL, MALTA", "AUGUST MEYER ANET TE MEYER"),
    Booking("50.00", "EUR", "2010-02-17", "HAITI", "RAINER MEYER"),
    Booking("250.00", "EUR", "2010-02-17", "G362- SOME ADDRESS 98", "SOME NAME"),
    *SPARKASSE_0919x,
]
VRBANK = [Booking("1.00", "EUR", "2013-12-27", "R CKBUCHUNG", "Testkonto Nummer 2")]
GENKGO = Booking("8.85", "EUR", "2014-12-31", "4654654654654654", "NAME NAME", "NL56AGDH9619008421")
TRIODOS = (
    "TENAAMSTELLING TEGENREKENING EN ADRES TEGENREKENING EN PLAATS TEGENREKENING EN EEN LANGE OMSCHRIJVING VAN DE "
    "TRANSACTIE"
)

# file → (format, account, every credit and reversal in file order, skipped bookings as (amount, part of reason))
READ: dict[str, tuple[str, str, list[Booking], list[tuple[str, str]]]] = {
    "camt053_v02_abnamro_oca.xml": (
        "camt.053.001.02",
        "NL77ABNA0574908765",
        [
            # a returned direct-debit batch (DBIT, RvslInd) takes back two collections
            reversal("564.05", "EUR", "2014-01-05", "Direct Debit S14 0410"),
            reversal("100.00", "EUR", "2014-01-05", "Direct Debit S14 0410"),
            # no RmtInf: the bank's AddtlTxInf is the text
            Booking(
                "1405.31",
                "EUR",
                "2014-01-05",
                "#RD PARTY MEDIA CUSNO 90782 4210773",
                "3rd party Media",
                "NL69ABNA0522123643",
            ),
        ],
        [],
    ),
    "camt053_v02_debit_de.xml": ("camt.053.001.02", "DE14740618130000033626", VRBANK, []),
    "camt053_v02_five_decimals_genkgo.xml": (
        "camt.053.001.02",
        "NL26VAYB8060476890",
        [Booking("8.85", "EUR", "2014-12-31", "Transaction Description")],  # 8.850: three decimals, 8.85 exactly
        [],
    ),
    "camt053_v02_ing_nl_batch.xml": (
        "camt.053.001.02",
        "NL18INGB00012345678",
        [
            Booking("2688.00", "EUR", "2019-06-13", "TERUGGAAF", "TEST", "NL86INGB00066666666"),
            Booking("5000.00", "EUR", "2019-06-18", "", "Bedrijf BV", "NL11INGB0001234567"),
        ],
        [],
    ),
    # TxAmt says 0.04 (and InstdAmt 4500.00): the booked 4500.00 is the money, and a person checks it
    "camt053_v02_instdamt_ch.xml": (
        "camt.053.001.02",
        "CH9788761065025111111",
        [Booking("4500.00", "CHF", "2019-05-13", "Praxis am Weiher", doubted=True)],
        [],
    ),
    "camt053_v02_minimal_genkgo.xml": ("camt.053.001.02", "NL26VAYB8060476890", [GENKGO], []),
    "camt053_v02_multi_statement_genkgo.xml": (
        "camt.053.001.02",
        "NL26VAYB8060476890",
        [Booking("8.85", "EUR", "2014-12-31", "Transaction Description 1")],  # the second statement books a debit
        [],
    ),
    "camt053_v02_ultimate_debtor_genkgo.xml": (
        "camt.053.001.02",
        "NL26VAYB8060476890",
        [Booking("8.85", "EUR", "2014-12-31", "4654654654654654", "DEBTOR NAME NM")],
        [],
    ),
    "camt053_v02_vrbank_de.xml": ("camt.053.001.02", "DE14740618130000033626", VRBANK, []),
    # the booked 8.85 EUR, not the 105.750 its transaction detail claims
    "camt053_v03_genkgo.xml": (
        "camt.053.001.03",
        "NL26VAYB8060476890",
        [Booking(GENKGO.amount, "EUR", GENKGO.booked, GENKGO.remittance, GENKGO.debtor, GENKGO.iban, doubted=True)],
        [],
    ),
    "camt053_v04_genkgo.xml": ("camt.053.001.04", "NL26VAYB8060476890", [GENKGO], []),  # TxDtls/Amt in SEK
    "camt053_v04_txdtls_oca.xml": (
        "camt.053.001.04",
        "CH1111000000123456789",
        [
            Booking(
                "2187.00",
                "CHF",
                "2017-03-22",
                "302388292000011111111111111",
                "Banque Cantonale Vaudoise",
                "CH2222000000123456789",
            ),
            Booking(
                "1296.00",
                "CHF",
                "2017-03-22",
                "302388292000022222222222222",
                "Banque Cantonale Vaudoise",
                "CH3333000000123456789",
            ),
        ],
        [],
    ),
    "camt053_v08_ch.xml": (
        "camt.053.001.08",
        "CH1111111111111111111",
        [
            Booking("474.40", "CHF", "2023-06-20", "INVOICE R77561", "Jon Doe"),
            Booking("88.85", "CHF", "2023-06-20", "RF38000000000000000000552", "Finanz AG"),
        ],
        [],
    ),
    "camt053_v08_genkgo.xml": ("camt.053.001.08", "NL26VAYB8060476890", [GENKGO], []),  # booked as DtTm
    "camt053_v10_viafintech.xml": (
        "camt.053.001.10",
        "11111111",
        [Booking("195.86", "USD", "2023-06-21", "")],
        [],
    ),
    "camt053_variant_latin1_de.xml": (
        "camt.053.001.02",
        "DE14740618130000033626",
        [Booking("1.00", "EUR", "2013-12-27", "R CKBUCHUNG", "Jürgen Müller & Söhne GmbH")],
        [],
    ),
    "camt053_variant_reversals_de.xml": (
        "camt.053.001.02",
        "DE14740618130000033626",
        [*VRBANK, reversal("1.00", "EUR", "2013-12-27", "Storno Gutschrift")],
        [("3.00", "returned or reversed payment from this account")],
    ),
    "mt940_abnamro_kingsquare.sta": (
        "mt940",
        "500950253",
        [Booking("25111.08", "EUR", "2009-06-24", "VERKOOP BECAM HOLDING PER 23/06 ST 1.439 @ 17.52246")],
        [],
    ),
    # ASN: the :61: reference is the payer's 18-character IBAN and its second line the payer's name
    "mt940_asn_nl.940.txt": (
        "mt940",
        "NL81ASNB9999999999",
        [
            Booking(
                "1000.00",
                "EUR",
                "2020-01-05",
                "INTERNE OVERBOEKING VIA MOBIEL",
                "paulissen g j l m",
                "NL56ASNB9999999999",
            ),
            Booking(
                "828.72",
                "EUR",
                "2020-01-29",
                "2020-01-28T14:32:46-000000000000089-NL25INGB9999999999-Transfer Solutions BV-DIVIDEND 28/01/2020",
                "transfer solutions bv",
                "NL25INGB9999999999",
            ),
            Booking(
                "1000.18",
                "EUR",
                "2020-01-31",
                "INTERNE OVERBOEKING VIA MOBIEL",
                "paulissen g j l m",
                "NL56ASNB9999999999",
            ),
        ],
        [],
    ),
    "mt940_cmxl_de_pl_mixed.sta": (
        "mt940",
        "45050050/76198810",
        [
            Booking("18500.00", "DEM", "2013-10-17", "PN2406SCHECK"),
            Booking("4200.00", "DEM", "2013-10-24", "PN2506AUSSENH. NR. 1"),
            Booking("3656.74", "DEM", "2013-10-18", "PN0850EINZAHLG.N"),
            Booking("23040.00", "DEM", "2013-10-19", "PN0812LT.ANLAGE"),
            Booking("3000.00", "EUR", "2002-11-02", "Gehalt Oktober FirmaMustermannGmbH", "MUELLER"),
            Booking(
                "20000.00",
                "PLN",
                "2003-10-20",
                "08106000760000777777777777 15617 INFO INFO INFO INFO INFO INFO 1 ENDINFO INFO INFO INFO INFO INFO 2 "
                "ENDZAPLATA ZA FABRYKATY DO TUB - 200 S ZTUK, TRANZY STORY-300 SZT GR544 I OPORNIKI-5 00 SZT GTX847 "
                "FAKTURA 333/ 2003.",
                "HUTA SZKLA TOPIC UL PRZEMY SLOWA 67 32-669 WROCLAW",
                "PL08106000760000777777777777",  # ?38
            ),
            Booking("40.00", "PLN", "2003-10-20", "Odsetki od lokaty nr 101000022086"),
        ],
        [],
    ),
    "mt940_kontist_de.sta": ("mt940", "DE85110101002482488293", KONTIST, []),
    # mBank: "OD:" is the name, then the address after a gap; "Z RACH.:" the payer's Polish account number
    "mt940_mbank_pl.sta": (
        "mt940",
        "PL29114010810000267002001002",
        [Booking("0.01", "PLN", "2017-01-19", "PRZELEW SRODKOW", "JAN NOWAK", "PL56114010810000267002001001")] * 3,
        [],
    ),
    "mt940_penta_de.sta": ("mt940", "11010100/2324817618", PENTA, []),
    "mt940_rabobank_iban_jejik.sta": ("mt940", "NL71RABO0123456789", [], []),  # two statements of debits only
    "mt940_sns_jejik.sta": ("mt940", "0123456789", [], []),
    "mt940_sparkasse_de.sta": ("mt940", "20090500/0006853030", SPARKASSE, []),
    "mt940_triodos_kingsquare.sta": (
        "mt940",
        "TRIODOSBANK/0666666666",
        [
            Booking("150.00", "EUR", "2012-11-23", f"BBBBAA2U AA99BBBB0555555555 {TRIODOS}"),
            Booking("150.00", "EUR", "2012-11-23", f"BBBBAA2U AA99BBBB0888888888 {TRIODOS}"),
        ],
        [],
    ),
    "mt940_variant_bom_sparkasse.sta": ("mt940", "20090500/0006853030", SPARKASSE, []),
    # CRLF, ISO 8859-1, and a DK :86: wrapped at 65 characters inside ?-subfields, IBAN and name
    "mt940_variant_kontist_crlf_latin1_rf.sta": (
        "mt940",
        "DE85110101002482488293",
        [
            *KONTIST[:2],
            Booking(
                "95.95",
                "EUR",
                "2021-02-17",
                "Rechnung INV-00002 Ref rf79 4v5g t2mq 9p Danke",
                "DM PUTZ + STUCK UG HAFTUNGSBESCHRÄNKT",
                "DE32334400000003909884",
            ),
            KONTIST[3],
            *PENTA,
        ],
        [],
    ),
    "mt940_variant_reversals.sta": (
        "mt940",
        "DE85110101002482488293",
        [*KONTIST, reversal("50.00", "EUR", "2021-02-18", "Rueckbuchung Gutschrift", "CHRISTIAN BENDT")],
        [("117.81", "reversal of a debit (RD)")],
    ),
    "mt940_variant_sparkasse_overlap.sta": ("mt940", "20090500/0006853030", SPARKASSE_0919x, []),
    "mt940_variant_swift_envelope_kontist.sta": ("mt940", "DE85110101002482488293", KONTIST, []),
}


@dataclass(frozen=True)
class Large:
    credits: int
    total: str  # the credits' sum, as a decimal in the file's currency
    reversals: int
    skipped: int
    named: dict[int, Booking]  # position among the file's credits and reversals → the booking there


POSTFINANCE_DD = Booking(
    "56.56",
    "CHF",
    "2016-04-10",
    "GUTSCHRIFT CH-DD-BASISLASTSCHRIFT ID: 41107767420881932 REFERENZ-NR: PMT-ID-1268016165-01",
    "Bernasconi Maria",
    "CH3709000000250094580",
)
LARGE: dict[str, Large] = {
    # a batch of 10 and one of 8 split into their transfers; the 110.00 "SAMMELGUTSCHRIFT RETOUREN" (ICDT/RRTN)
    # is payments of this account coming back; two direct-debit refunds (DBIT, RvslInd) take credits back
    "camt053_v04_postfinance_ch.xml": Large(
        21,
        "1700.56",
        2,
        1,
        {
            0: Booking("100.00", "CHF", "2016-05-27", "CreditorReference", "Hans Kaufmann"),
            12: Booking(
                "100.00",
                "CHF",
                "2016-05-27",
                "MUSTER MITTEILUNG 1 MUSTER MITTEILUNG 2 MUSTER MITTEILUNG 3 MUSTER MITTEILUNG 4",
                "Rutschmann Pia",
                "CH1111111111111111111",
            ),
            20: POSTFINANCE_DD,
            21: Booking(
                "6.00",
                "CHF",
                "2016-04-10",
                "Mitteilung 128",
                "Bernasconi Maria",
                "CH3709000000250094580",
                EntryKind.REVERSAL,
            ),
        },
    ),
    # the same file with one transfer of the 1000.00 batch changed to 90.00: the batch is one doubted credit
    "camt053_variant_batch_mismatch_ch.xml": Large(
        12,
        "1700.56",
        2,
        1,
        {0: Booking("1000.00", "CHF", "2016-05-27", "", doubted=True), 11: POSTFINANCE_DD},
    ),
    "mt940_bunq_nl.sta": Large(
        26,
        "761.66",
        0,
        0,
        {
            0: Booking("2.00", "EUR", "2019-01-31", "", "P.C. Wacki", "NL65BUNQ2206724936"),
            2: Booking("75.00", "EUR", "2019-02-09", "Proficiat", "SRMF WILLEMS", "NL97ABNA0479445079"),
            5: Booking(
                "211.00",
                "EUR",
                "2019-02-21",
                "Nog te ontvangen voor de website vervanggroepenkast.nl",
                "Donect",
                "NL53BUNQ2033988910",
            ),
            # value date 1 April, booked 2 May; the :86: runs on to a second line
            20: Booking(
                "0.61",
                "EUR",
                "2019-05-02",
                "Refund: WWW.ROUTERHOSTING.COM (TAURANGA SOUT, NZ) 1 NZD = 1.639344262295081 EUR",
                "WWW.ROUTERHOSTING.COM",
            ),
        },
    ),
    # 17 returned transfers of this account (GVC 159 RETOURE) are no payments; two stornos (RC) reverse credits
    "mt940_commerzbank_dresdner_sepa.sta": Large(
        24,
        "2038680.20",
        2,
        17,
        {
            0: Booking("66295.08", "EUR", "2007-09-04", "0904059001"),
            1: reversal("204.88", "EUR", "2007-09-04", "0904059003"),
            6: Booking(
                "250000.00",
                "EUR",
                "2007-09-04",
                "TO13 TF20010 MINT 20010 2007-08.30",
                "Daniel Severidt 70 Zeichen Beginn Fuellzeichen xxxxxxx",
                "DE40250100300325207300",
            ),
            11: Booking(
                "50990.05",
                "EUR",
                "2007-09-04",
                "Verwend CTSc-01 eBB TFNr 21005",
                "Florian Frech",
                "DE06508800500194780100",
            ),
        },
    ),
}

REFUSED: dict[str, str] = {
    "camt052_v02_genkgo.xml": "a camt.052 account report (intraday bookings and balances), not a camt.053 statement",
    "camt053_variant_doctype_xxe.xml": "a DOCTYPE is not allowed in a bank statement",
    "camt054_oca.xml": "a camt.054 debit/credit notification, not a camt.053 statement",
    "camt054_v02_genkgo.xml": "a camt.054 debit/credit notification, not a camt.053 statement",
    "camt054_v08_genkgo.xml": "a camt.054 debit/credit notification, not a camt.053 statement",
    # These test files' balances were made up or edited: opening plus bookings is not the closing balance.
    "mt940_abnamro_jejik.sta": "statement ABN AMRO BANK NV (number 19321/1, account 517852257) does not add up",
    "mt940_hsbc_hk_crlf.sta": "statement AIU0006362100017 (number 00001/00001, account 808XXXXXX292) does not add up",
    "mt940_ing_nl_jejik.sta": "statement MPBZ (number 000, account 0001234567) does not add up",
    "mt940_ing_nl_kingsquare.sta": "statement MPBZ (number 100, account 0000000000) does not add up",
    "mt940_knab_jejik.sta": "statement B4G30MS9D00A003D (number 999/1, account 123456789) does not add up",
    "mt940_rabobank_legacy_dot_decimal.sta": (
        "statement 940A030107 (number 00000/00, account 0800003200000001610722 EUR) does not add up"
    ),
    "mt940_raiffeisen_hu.sta": (
        "statement STARTUMS (number 0072, account UBRTHUHB/123456789150ABCDEF002/HUF) does not add up"
    ),
    "mt940_triodos_jejik.sta": "statement 1308728725026/1 (number 1, account TRIODOSBANK/0390123456) does not add up",
}


def read(name: str) -> Statement:
    return parse_statement((BANK / name).read_bytes())


def bookings(statement: Statement) -> list[Booking]:
    return [Booking.of(entry.credit) for entry in statement.entries]


def minor(amount: str, currency: str) -> int:
    return int(Decimal(amount).scaleb(get_currency_precision(currency)))


def test_every_bank_file_of_the_real_world_folder_has_its_expected_outcome() -> None:
    files = {path.name for path in BANK.iterdir() if path != SOURCES}
    assert files == set(READ) | set(LARGE) | set(REFUSED)


@pytest.mark.parametrize("name", sorted(READ))
def test_a_readable_file_yields_each_of_its_credits_and_reversals_as_the_file_states_them(name: str) -> None:
    fmt, account, expected, skipped = READ[name]
    statement = read(name)
    assert (statement.format, statement.account) == (fmt, account)
    assert bookings(statement) == expected
    left_out = [(written(s.amount, s.currency), s.reason) for s in statement.skipped]
    assert [amount for amount, _ in left_out] == [amount for amount, _ in skipped]
    assert all(part in reason for (_, reason), (_, part) in zip(left_out, skipped, strict=True))


@pytest.mark.parametrize("name", sorted(LARGE))
def test_a_large_file_yields_its_count_its_total_and_the_entries_named(name: str) -> None:
    expected = LARGE[name]
    statement = read(name)
    credits = [e.credit for e in statement.entries if e.kind == EntryKind.CREDIT]
    currency = credits[0].currency
    assert len(credits) == expected.credits
    assert sum(c.amount for c in credits) == minor(expected.total, currency)
    assert len(statement.entries) - len(credits) == expected.reversals
    assert len(statement.skipped) == expected.skipped
    found = bookings(statement)
    for position, booking in expected.named.items():
        named = found[position]
        if booking.doubted:  # a doubted batch keeps the texts of its parts, joined
            named = Booking(named.amount, named.currency, named.booked, "", doubted=named.doubted)
        assert named == booking


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_file_that_cannot_be_read_right_is_refused_with_the_reason(name: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        read(name)
    assert refused.value.field == "body"
    assert REFUSED[name] in refused.value.message


def test_the_legacy_rabobank_dialect_is_read_whole_before_its_made_up_balances_refuse_it() -> None:
    # Rabobank's legacy export writes dot decimals, JPY without decimals, the payer's name after a padded
    # reference, and one :86: per line; 26 credits in 39 statements, among them a JPY one.
    statements = read_mt940((BANK / "mt940_rabobank_legacy_dot_decimal.sta").read_bytes())
    credits = [credit for statement in statements for credit in statement.credits]
    assert (len(statements), len(credits)) == (39, 26)
    named = {(written(c.amount, c.currency), c.currency, c.debtor_name, c.remittance, c.booking_date) for c in credits}
    assert ("121189.65", "USD", "CHIPPER FOODS", "INVOICE 38", date(2003, 1, 11)) in named
    assert ("1560395", "JPY", "YAN SO", "SEAFREIGHT DECEMBER 1999", date(2003, 1, 12)) in named
    assert ("300.00", "EUR", None, "Demo gebruiker Spaarpot kantine", date(2003, 1, 9)) in named
    # and every one of the 29 statements that do not add up is counted in the refusal
    assert sum(1 for statement in statements if statement.gap) == 29
    with pytest.raises(InvalidInputError, match=r"and 28 more statements of the file do not add up"):
        read("mt940_rabobank_legacy_dot_decimal.sta")


def test_an_overlapping_redelivery_gives_its_bookings_the_ids_they_have_in_the_full_file() -> None:
    full = [e.entry_id for e in read("mt940_sparkasse_de.sta").entries]
    again = [e.entry_id for e in read("mt940_variant_sparkasse_overlap.sta").entries]
    assert again == full[-2:]


def test_a_lower_case_reference_broken_over_subfields_and_a_line_wrap_is_found_whole() -> None:
    # the variant's third credit writes "Ref r" in ?21 and "f79 4v5g t2mq 9p" in ?22, its :86: wrapped at 65
    third = read("mt940_variant_kontist_crlf_latin1_rf.sta").entries[2]
    assert find_references(third.search_text) == ["RF794V5GT2MQ9P"]
