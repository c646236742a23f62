"""Bank transfer details on the pay page: the creditor's validated account and the GiroCode a banking app scans."""

from __future__ import annotations

from io import BytesIO

import pytest
import zxingcpp
from PIL import Image

from chalicelib.domain.bank_account import CreditorAccount
from chalicelib.domain.errors import InvalidInputError
from chalicelib.web.girocode import epc_payload, girocode_png, girocode_svg

pytestmark = pytest.mark.unit

COMMERZBANK_IBAN = "DE89370400440532013000"  # bank code 37040044, COBADEFFXXX
RAIFFEISEN_IBAN = "AT483200000012345864"  # bank code 32000, RLNWATWWXXX
UNREGISTERED_AT_IBAN = "AT611904300234573201"  # valid check digits, bank code unknown to schwifty
REFERENCE = "RF18539007547034"


def _account(
    holder: str = "Mahnwerk Demo GmbH", iban: str = COMMERZBANK_IBAN, bic: str | None = None
) -> CreditorAccount:
    return CreditorAccount.parse(holder, iban, bic)


def _decoded(png: bytes) -> list[zxingcpp.Barcode]:
    return list(zxingcpp.read_barcodes(Image.open(BytesIO(png))))


# --- the creditor account -----------------------------------------------------------------------


def test_a_german_iban_typed_with_spaces_and_lower_case_is_normalised_and_its_bic_derived() -> None:
    account = CreditorAccount.parse("  Mahnwerk Demo GmbH ", "de89 3704 0044 0532 0130 00")

    assert account == CreditorAccount(holder="Mahnwerk Demo GmbH", iban=COMMERZBANK_IBAN, bic="COBADEFFXXX")
    assert account.iban_pretty == "DE89 3704 0044 0532 0130 00"


def test_an_austrian_iban_is_accepted_and_its_bic_derived() -> None:
    account = CreditorAccount.parse("Wiener Versand KG", "at48 3200 0000 1234 5864")

    assert account.iban == RAIFFEISEN_IBAN
    assert account.bic == "RLNWATWWXXX"
    assert account.iban_pretty == "AT48 3200 0000 1234 5864"


def test_an_iban_of_a_bank_schwifty_does_not_know_is_accepted_without_a_bic() -> None:
    account = CreditorAccount.parse("Grazer Handel OG", UNREGISTERED_AT_IBAN)

    assert account.iban == UNREGISTERED_AT_IBAN
    assert account.bic is None


def test_a_given_bic_is_normalised_and_kept() -> None:
    assert _account(bic="cobadeff xxx").bic == "COBADEFFXXX"
    assert _account(bic="COBADEFF").bic == "COBADEFF"


def test_a_bic_of_another_branch_of_the_same_bank_is_accepted() -> None:
    assert _account(bic="COBADEHHXXX").bic == "COBADEHHXXX"


def test_an_empty_bic_counts_as_not_given() -> None:
    assert _account(bic="  ").bic == "COBADEFFXXX"


@pytest.mark.parametrize(
    ("iban", "why"),
    [
        ("DE89370400440532013001", "wrong check digits"),
        ("DE88370400440532013000", "wrong check digits"),
        ("DE8937040044053201300", "one digit short"),
        ("DE893704004405320130000", "one digit too many"),
        ("not an iban", "garbage"),
        ("", "empty"),
        ("XX89370400440532013000", "no such country"),
    ],
)
def test_an_invalid_iban_is_refused_naming_the_iban(iban: str, why: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        _account(iban=iban)

    assert caught.value.field == "iban", why
    assert "not a valid IBAN" in caught.value.message


@pytest.mark.parametrize("bic", ["COBA1EFF", "COBADEF", "COBAXXFFXXX", "garbage!"])
def test_a_malformed_bic_is_refused_naming_the_bic(bic: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        _account(bic=bic)

    assert caught.value.field == "bic"


def test_a_bic_of_another_bank_is_refused_naming_the_bic_and_the_expected_one() -> None:
    with pytest.raises(InvalidInputError) as caught:
        _account(bic="INGDDEFFXXX")  # ING, not Commerzbank

    assert caught.value.field == "bic"
    assert "COBADEFFXXX" in caught.value.message


def test_a_bic_of_an_austrian_bank_does_not_fit_a_german_iban() -> None:
    with pytest.raises(InvalidInputError) as caught:
        _account(bic="RLNWATWWXXX")

    assert caught.value.field == "bic"


@pytest.mark.parametrize("holder", ["", "   ", "x" * 71, "Mahnwerk\nDemo GmbH"])
def test_a_missing_over_long_or_multi_line_holder_is_refused(holder: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        _account(holder=holder)

    assert caught.value.field == "holder"


def test_a_holder_of_exactly_70_characters_is_accepted() -> None:
    assert _account(holder="x" * 70).holder == "x" * 70


# --- the EPC QR payload -------------------------------------------------------------------------


def test_the_payload_with_a_creditor_reference_is_exactly_what_the_epc_spec_prescribes() -> None:
    payload = epc_payload(_account(), 12345, "EUR", "rf18 5390 0754 7034", "Rechnung 4711")

    assert payload == (
        "BCD\n002\n1\nSCT\nCOBADEFFXXX\nMahnwerk Demo GmbH\nDE89370400440532013000\nEUR123.45\n\nRF18539007547034"
    )


def test_the_payload_without_a_reference_carries_the_text_as_unstructured_remittance() -> None:
    payload = epc_payload(_account(), 12345, "EUR", None, "Rechnung 4711")

    assert payload.split("\n") == [
        "BCD",
        "002",
        "1",
        "SCT",
        "COBADEFFXXX",
        "Mahnwerk Demo GmbH",
        "DE89370400440532013000",
        "EUR123.45",
        "",
        "",
        "Rechnung 4711",
    ]


def test_the_payload_leaves_the_bic_empty_when_it_is_unknown() -> None:
    account = CreditorAccount.parse("Grazer Handel OG", UNREGISTERED_AT_IBAN)

    payload = epc_payload(account, 100, "EUR", REFERENCE, None)

    assert payload == f"BCD\n002\n1\nSCT\n\nGrazer Handel OG\n{UNREGISTERED_AT_IBAN}\nEUR1.00\n\n{REFERENCE}"


def test_an_amount_of_zero_is_left_for_the_debtor_to_enter() -> None:
    payload = epc_payload(_account(), 0, "EUR", REFERENCE, None)

    assert payload.split("\n")[7] == ""


def test_a_payload_without_remittance_ends_after_the_last_filled_field() -> None:
    assert epc_payload(_account(), 500, "EUR", None, None).endswith("\nDE89370400440532013000\nEUR5.00")


@pytest.mark.parametrize(
    ("amount_minor", "line"),
    [(1, "EUR0.01"), (10, "EUR0.10"), (100, "EUR1.00"), (123456, "EUR1234.56"), (99_999_999_999, "EUR999999999.99")],
)
def test_the_amount_is_euros_with_two_decimals(amount_minor: int, line: str) -> None:
    assert epc_payload(_account(), amount_minor, "EUR", REFERENCE, None).split("\n")[7] == line


@pytest.mark.parametrize("amount_minor", [-1, 100_000_000_000])
def test_an_amount_outside_the_epc_range_is_refused(amount_minor: int) -> None:
    with pytest.raises(InvalidInputError) as caught:
        epc_payload(_account(), amount_minor, "EUR", REFERENCE, None)

    assert caught.value.field == "amount"


@pytest.mark.parametrize("currency", ["CHF", "USD", "eur", ""])
def test_a_currency_other_than_euro_is_refused(currency: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        epc_payload(_account(), 12345, currency, REFERENCE, None)

    assert caught.value.field == "currency"


def test_a_remittance_text_over_140_characters_is_refused() -> None:
    assert epc_payload(_account(), 100, "EUR", None, "x" * 140).endswith("\n" + "x" * 140)
    with pytest.raises(InvalidInputError) as caught:
        epc_payload(_account(), 100, "EUR", None, "x" * 141)

    assert caught.value.field == "text"


def test_a_multi_line_remittance_text_is_refused() -> None:
    with pytest.raises(InvalidInputError) as caught:
        epc_payload(_account(), 100, "EUR", None, "Rechnung\n4711")

    assert caught.value.field == "text"


def test_a_holder_over_70_characters_is_refused_even_when_built_without_parse() -> None:
    account = CreditorAccount(holder="x" * 71, iban=COMMERZBANK_IBAN, bic=None)

    with pytest.raises(InvalidInputError) as caught:
        epc_payload(account, 100, "EUR", REFERENCE, None)

    assert caught.value.field == "holder"


def test_a_payload_over_331_bytes_is_refused() -> None:
    # 70 and 140 characters are within the limits, but three bytes each in UTF-8 are not.
    account = _account(holder="€" * 70)

    with pytest.raises(InvalidInputError) as caught:
        epc_payload(account, 100, "EUR", None, "€" * 140)

    assert caught.value.field == "text"
    assert "331" in caught.value.message


def test_an_invalid_creditor_reference_is_refused() -> None:
    with pytest.raises(InvalidInputError) as caught:
        epc_payload(_account(), 100, "EUR", "RF18539007547035", None)

    assert caught.value.field == "reference"


def test_an_iban_outside_the_sepa_zone_is_refused() -> None:
    account = CreditorAccount.parse("Loja Exemplo Ltda", "BR1800360305000010009795493C1")

    with pytest.raises(InvalidInputError) as caught:
        epc_payload(account, 100, "EUR", REFERENCE, None)

    assert caught.value.field == "iban"


# --- the rendered GiroCode ----------------------------------------------------------------------


def test_the_png_decodes_back_to_the_exact_payload() -> None:
    payload = epc_payload(_account(holder="Müller & Söhne GmbH"), 12345, "EUR", REFERENCE, None)

    barcodes = _decoded(girocode_png(payload))

    assert len(barcodes) == 1
    assert barcodes[0].format == zxingcpp.BarcodeFormat.QRCode
    assert barcodes[0].text == payload
    assert barcodes[0].ec_level == "M"


def test_the_largest_payload_still_decodes() -> None:
    payload = epc_payload(_account(holder="Ä" * 70), 99_999_999_999, "EUR", None, "ß" * 61 + "x")
    assert len(payload.encode("utf-8")) == 331

    barcodes = _decoded(girocode_png(payload))

    assert [barcode.text for barcode in barcodes] == [payload]


def test_the_svg_is_inline_markup_with_an_accessible_title() -> None:
    svg = girocode_svg(epc_payload(_account(), 12345, "EUR", REFERENCE, None))

    assert svg.startswith("<svg ")
    assert "<?xml" not in svg
    assert 'role="img"' in svg
    assert "<title>GiroCode</title>" in svg
    assert svg.rstrip().endswith("</svg>")


def test_the_svg_is_about_200_pixels_wide() -> None:
    svg = girocode_svg(epc_payload(_account(), 12345, "EUR", REFERENCE, None))

    width = int(svg.split('width="', 1)[1].split('"', 1)[0])
    assert 150 <= width <= 250
