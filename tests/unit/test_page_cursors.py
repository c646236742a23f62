"""Page cursors come back from clients: only a key of the query's own shape, tenant and range is ever used."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from chalicelib.adapters.dynamodb import cursors
from chalicelib.adapters.dynamodb.models import ClaimModel
from chalicelib.domain.errors import InvalidInputError

pytestmark = pytest.mark.unit

BY_STATUS = cursors.key_schema(ClaimModel, ClaimModel.by_tenant_status)
KEY = {"tenant_id": {"S": "t1"}, "claim_id": {"S": "01J"}, "status_claim": {"S": "open#01J"}}


def forged(key: Any) -> str:
    raw = key if isinstance(key, str) else json.dumps(key)
    return base64.urlsafe_b64encode(raw.encode()).decode()


def test_the_key_schema_is_the_tables_key_and_the_indexs() -> None:
    assert BY_STATUS == {"claim_id": "S", "tenant_id": "S", "status_claim": "S"}
    assert cursors.key_schema(ClaimModel, ClaimModel.by_tenant) == {"claim_id": "S", "tenant_id": "S"}


def test_a_cursor_this_query_made_reads_back_as_its_key() -> None:
    cursor = cursors.encode(KEY)

    assert cursors.decode(cursor, "t1", BY_STATUS, starts_with={"status_claim": "open#"}) == KEY


@pytest.mark.parametrize(
    "key",
    [
        KEY | {"claim_id": {"N": "1"}},
        KEY | {"claim_id": {"N": "1e999999"}},
        KEY | {"claim_id": {"S": 7}},
        KEY | {"claim_id": {"S": ""}},
        KEY | {"claim_id": {"S": "01J", "N": "1"}},
        {k: v for k, v in KEY.items() if k != "status_claim"},
        KEY | {"created_at": {"S": "x"}},
        KEY | {"tenant_id": {"S": "t2"}},
        [KEY],
        7,
        "[" * 600 + "]" * 600,
    ],
    ids=[
        "numeric",
        "numeric-beyond-range",
        "number-as-string-value",
        "empty",
        "two-types",
        "missing-attribute",
        "extra-attribute",
        "other-tenant",
        "list",
        "number",
        "deep",
    ],
)
def test_a_forged_or_foreign_cursor_is_refused_naming_the_cursor(key: Any) -> None:
    cursor = forged(key)

    with pytest.raises(InvalidInputError) as caught:
        cursors.decode(cursor, "t1", BY_STATUS, starts_with={"status_claim": "open#"})
    assert (caught.value.field, caught.value.message) == ("cursor", "not a cursor a previous page returned")


def test_a_cursor_of_another_status_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        cursors.decode(cursors.encode(KEY), "t1", BY_STATUS, starts_with={"status_claim": "paid#"})


@pytest.mark.parametrize(
    "cursor", ["%%%", "Zm9v", "x" * (cursors.MAX_CURSOR_LENGTH + 1)], ids=["not-base64", "not-json", "long"]
)
def test_garbage_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidInputError):
        cursors.decode(cursor, "t1", BY_STATUS)
