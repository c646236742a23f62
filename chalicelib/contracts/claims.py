"""A new claim as it crosses the boundary: the claims API's body and the generic shop webhook's invoice.created."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import phonenumbers
from pydantic import EmailStr, Field, field_validator, model_validator

from chalicelib.contracts.strict import MinorUnits, StrictModel, Text
from chalicelib.domain.claim_intake import DATE_RANGE
from chalicelib.domain.debtor import Debtor, DebtorKind
from chalicelib.domain.errors import InvalidInputError
from chalicelib.domain.languages import is_language
from chalicelib.domain.money import validate_currency


class DebtorIn(StrictModel):
    name: Text
    email: EmailStr
    phone: Annotated[str, Field(min_length=3, max_length=32)]
    language: Annotated[str, Field(pattern=r"^[a-z]{2}$", description="ISO 639-1")]
    kind: Literal["consumer", "business"]
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
    customer_since: date | None = None
    opt_outs: list[Literal["email", "sms", "call", "letter", "push"]] = Field(default_factory=list)

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        if value not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"'{value}' is not an ISO 3166-1 country code")
        return value

    @field_validator("language")
    @classmethod
    def _real_language(cls, value: str) -> str:
        if not is_language(value):
            raise ValueError(f"'{value}' is not an ISO 639-1 language code")
        return value

    @model_validator(mode="after")
    def _e164_phone(self) -> DebtorIn:
        try:
            number = phonenumbers.parse(self.phone, self.country)
        except phonenumbers.NumberParseException as exc:
            raise InvalidInputError("debtor.phone", "not a phone number") from exc
        if not phonenumbers.is_valid_number(number):
            raise InvalidInputError("debtor.phone", f"'{self.phone}' is not a valid phone number")
        self.phone = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return self

    def to_domain(self) -> Debtor:
        return Debtor(
            name=self.name,
            email=str(self.email),
            phone=self.phone,
            language=self.language,
            kind=DebtorKind(self.kind),
            country=self.country,
            customer_since=self.customer_since,
            opt_outs=frozenset(self.opt_outs),
        )


class ClaimIn(StrictModel):
    external_id: Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[\x21-\x7e][\x20-\x7e]*$")]
    debtor: DebtorIn
    amount: MinorUnits
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    due_date: Annotated[date, Field(description=f"the day the invoice fell due: {DATE_RANGE}")]
    invoice_date: date | None = Field(default=None, description=f"not after due_date: {DATE_RANGE}")
    description: Annotated[str, Field(max_length=500)] | None = None

    @field_validator("currency")
    @classmethod
    def _iso_currency(cls, value: str) -> str:
        try:
            return validate_currency(value)
        except InvalidInputError as exc:
            raise ValueError(exc.message) from exc
