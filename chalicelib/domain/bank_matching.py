"""Which claims a bank credit pays: by payment reference first, then by amount and debtor name."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from stdnum import iso11649

from .bank_statements import Allocation, StatementEntry
from .payment_reference import BODY_LENGTH

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from .claim import Claim

REFERENCE_LENGTH = 4 + BODY_LENGTH  # "RF", two check digits, the body
NAME_THRESHOLD = 88.0  # token_sort_ratio of normalised names; below it two names are different people

# Crockford's base32 reads O as 0 and I, L as 1: what a debtor typed by mistake still finds the claim.
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_BODY_ALPHABET = frozenset("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe", "å": "aa"})
# Legal forms and salutations say nothing about who paid; banks and shops write them differently.
_NOISE_WORDS = frozenset(
    {
        *("gmbh", "mbh", "ag", "ug", "kg", "ohg", "gbr", "ek", "ev", "eg", "kgaa", "se", "co", "haftungsbeschraenkt"),
        *("ltd", "limited", "plc", "llp", "inc", "llc", "corp", "sarl", "sa", "sas", "bv", "nv", "srl", "spa"),
        *("herr", "herrn", "frau", "hr", "fr", "dr", "prof", "mr", "mrs", "ms"),
    }
)


@dataclass(frozen=True)
class Match:
    allocations: tuple[Allocation, ...]
    method: str  # "reference" | "name_amount"
    confidence: float  # 1.0 for a reference; the name similarity (0–1) otherwise


def find_references(text: str) -> list[str]:
    """Mahnwerk payment references in free remittance text, in order of appearance.

    Debtors type them in lower case, with or without the groups of four, inside longer text, and
    banks break remittance lines anywhere, so all but letters and digits is dropped and at every
    'RF' the next REFERENCE_LENGTH characters are a candidate. Only a valid ISO 11649 check digit
    makes a candidate a reference: a mistyped one is no match (it goes on to name and amount).
    """
    compact = re.sub(r"[^0-9A-Z]", "", text.upper())
    found: list[str] = []
    start = compact.find("RF")
    while start != -1:
        candidate = _candidate(compact[start : start + REFERENCE_LENGTH])
        if candidate and candidate not in found:
            found.append(candidate)
        start = compact.find("RF", start + 1)
    return found


def _candidate(raw: str) -> str | None:
    if len(raw) != REFERENCE_LENGTH:
        return None
    rest = raw[2:].translate(_CONFUSABLE)
    if not rest[:2].isdigit() or not set(rest[2:]) <= _BODY_ALPHABET:
        return None
    candidate = "RF" + rest
    return candidate if iso11649.is_valid(candidate) else None


def allocate(amount: int, claims: Sequence[Claim]) -> tuple[Allocation, ...]:
    """Split a credit over the claims it pays: oldest due date first, each up to its balance.

    What is left goes to the last claim as an over-payment, so no money is ever dropped; a credit
    below the balance is a partial payment of the oldest claims.
    """
    ordered = sorted(claims, key=lambda c: (c.due_date, c.claim_id))
    shares: dict[str, int] = {}
    remaining = amount
    for claim in ordered:
        share = min(remaining, claim.ledger.balance)
        if share > 0:
            shares[claim.claim_id] = share
            remaining -= share
    if remaining > 0:
        last = ordered[-1].claim_id
        shares[last] = shares.pop(last, 0) + remaining
    return tuple(Allocation(claim_id, share) for claim_id, share in shares.items())


def match_by_reference(entry: StatementEntry, referenced: Sequence[Claim]) -> Match | None:
    """The claims the remittance names; another currency than the claims' needs a person to look."""
    if not referenced or any(c.ledger.currency != entry.currency for c in referenced):
        return None
    return Match(allocate(entry.amount, referenced), "reference", 1.0)


def match_by_name_amount(
    entry: StatementEntry, open_claims: Sequence[Claim], threshold: float = NAME_THRESHOLD
) -> Match | None:
    """A credit without a reference pays a claim, or all open claims of one debtor, of exactly its amount.

    The payer's name must match the debtor's; any second candidate (another claim of the same
    amount, a similar name) makes it ambiguous, and ambiguous money goes to a person, not a guess.
    """
    wanted = normalise_name(entry.credit.debtor_name or "")
    if not wanted:
        return None
    by_debtor: dict[str, list[Claim]] = defaultdict(list)
    for claim in open_claims:
        if claim.ledger.currency == entry.currency and claim.ledger.balance > 0 and not claim.closed:
            by_debtor[normalise_name(claim.debtor.name)].append(claim)
    candidates: list[tuple[float, tuple[Claim, ...]]] = []
    for debtor, claims in by_debtor.items():
        score = name_similarity(wanted, debtor)
        if score < threshold:
            continue
        candidates += [(score, (c,)) for c in claims if c.ledger.balance == entry.amount]
        if len(claims) > 1 and sum(c.ledger.balance for c in claims) == entry.amount:
            candidates.append((score, tuple(claims)))
    if len(candidates) != 1:
        return None
    score, chosen = candidates[0]
    return Match(allocate(entry.amount, chosen), "name_amount", round(score / 100, 3))


def match_entry(
    entry: StatementEntry, referenced: Sequence[Claim], open_claims: Callable[[], Sequence[Claim]]
) -> Match | None:
    """Reference first; name and amount only when the text names no claim of the tenant.

    A credit that names a claim but cannot be applied to it (another currency) is not matched by
    name: the debtor meant that claim, and a person should decide. None means review.
    """
    if referenced:
        return match_by_reference(entry, referenced)
    return match_by_name_amount(entry, open_claims())


def normalise_name(name: str) -> str:
    """Lower case, umlauts spelt out, accents, punctuation, legal forms and salutations dropped."""
    text = name.casefold().translate(_TRANSLITERATION)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = text.replace(".", "")  # "e.K.", "G.m.b.H." become one word
    words = [word for word in re.split(r"[^a-z0-9]+", text) if word and word not in _NOISE_WORDS]
    return " ".join(words)


def name_similarity(left: str, right: str) -> float:
    """0–100 on already normalised names; word order does not matter ("Mustermann, Erika").

    rapidfuzz is imported here, when a credit without a reference is matched, not with the module:
    every Lambda of the app imports the bank services, and it would add to each cold start.
    """
    from rapidfuzz import fuzz

    return float(fuzz.token_sort_ratio(left, right))
