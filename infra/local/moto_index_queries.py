"""Queries that read the items of one partition, on the table and on its indexes, instead of all items.

moto 5.2.5's `Table.query` starts from `all_items()`: every item of the table, sorted, then filtered
by the key condition. A claim's timeline (a query on the events table) therefore cost O(all events)
and grew with every claim stored. Here a query hands moto only the candidates of its partition: the
table's own partition from the item map, an index's from a map of index hash key to primary keys
that is kept up to date from every write (put, delete, update, a transaction's undo). moto then
sorts, filters, pages and projects those candidates exactly as before, so the answers are the same.
The candidate set only has to contain every match: an item left in a stale bucket is filtered out
by moto's own key condition.
"""

from __future__ import annotations

import contextlib
import inspect
import threading
import weakref
from typing import TYPE_CHECKING, Any

from moto.dynamodb.exceptions import MockValidationException
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table

if TYPE_CHECKING:
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

PrimaryKey = tuple["DynamoType", "DynamoType | None"]
_moto_query = Table.query
_moto_all_items = Table.all_items
_moto_put_item = Table.put_item
_moto_delete_item = Table.delete_item
_moto_update_item = DynamoDBBackend.update_item
_query_signature = inspect.signature(_moto_query)
_narrowed = threading.local()  # the candidates of the query running on this thread


class Partitions:
    """One table's index maps: index name -> index hash value -> primary keys, and the writes not yet applied."""

    def __init__(self) -> None:
        self.maps: dict[str, tuple[str, dict[DynamoType, set[PrimaryKey]], dict[PrimaryKey, DynamoType]]] = {}
        self.dirty: set[PrimaryKey] = set()

    def candidates(self, table: Table, index_name: str, hash_attr: str, value: DynamoType) -> list[Item]:
        if self.maps.get(index_name, ("",))[0] != hash_attr:
            self._build(table, index_name, hash_attr)
        if self.dirty:
            for key in self.dirty:
                self._reindex(table, key)
            self.dirty.clear()
        found = (_stored(table, key) for key in self.maps[index_name][1].get(value, ()))
        return [item for item in found if item is not None]

    def _build(self, table: Table, index_name: str, hash_attr: str) -> None:
        buckets: dict[DynamoType, set[PrimaryKey]] = {}
        of: dict[PrimaryKey, DynamoType] = {}
        for item in _every_item(table):
            value = item.attrs.get(hash_attr)
            if value is not None:
                key = (item.hash_key, item.range_key)
                buckets.setdefault(value, set()).add(key)
                of[key] = value
        self.maps[index_name] = (hash_attr, buckets, of)

    def _reindex(self, table: Table, key: PrimaryKey) -> None:
        item = _stored(table, key)
        for hash_attr, buckets, of in self.maps.values():
            old = of.pop(key, None)
            if old is not None:
                buckets.get(old, set()).discard(key)
            value = item.attrs.get(hash_attr) if item is not None else None
            if value is not None:
                buckets.setdefault(value, set()).add(key)
                of[key] = value


_partitions: weakref.WeakKeyDictionary[Table, Partitions] = weakref.WeakKeyDictionary()


def touched(table: Table, hash_key: DynamoType, range_key: DynamoType | None) -> None:
    """Every write to a stored item comes through here, so the index maps never miss it."""
    partitions = _partitions.get(table)
    if partitions is not None:
        partitions.dirty.add((hash_key, range_key if table.range_key_attr else None))


def _stored(table: Table, key: PrimaryKey) -> Item | None:
    """The item under a primary key, without creating the partition (table.items is a defaultdict)."""
    bucket: Any = table.items.get(key[0])
    if bucket is None or table.range_key_attr is None:
        return bucket
    return bucket.get(key[1])


def _every_item(table: Table) -> list[Item]:
    if table.range_key_attr is None:
        return list(table.items.values())  # type: ignore[arg-type]
    return [item for bucket in table.items.values() for item in bucket.values()]


def _candidates(table: Table, arguments: dict[str, Any]) -> list[Item] | None:
    """The items that can match, or None where moto's own full pass must decide."""
    index_name = arguments.get("index_name")
    if not index_name:
        hash_key = arguments.get("hash_key")
        if hash_key is None:
            return None
        bucket: Any = table.items.get(hash_key)
        if bucket is None:
            return []
        return list(bucket.values()) if table.range_key_attr else [bucket]
    index = {i.name: i for i in table.all_indexes()}.get(index_name)
    conditions = dict(arguments.get("hash_key_conditions") or [])
    hash_attrs = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"] if index else []
    if not hash_attrs or hash_attrs[0] not in conditions:
        return None
    partitions = _partitions.setdefault(table, Partitions())
    return partitions.candidates(table, index_name, hash_attrs[0], conditions[hash_attrs[0]])


def _order(item: Item) -> Any:
    """moto's all_items() order, which its sort by index keys keeps for ties."""
    return (item.hash_key, item.range_key) if item.range_key else item.hash_key


def _query(self: Table, *args: Any, **kwargs: Any) -> Any:
    bound = _query_signature.bind(self, *args, **kwargs)
    candidates = _candidates(self, bound.arguments)
    _narrowed.value = (self, candidates) if candidates is not None else None
    try:
        return _moto_query(self, *args, **kwargs)
    finally:
        _narrowed.value = None


def _all_items(self: Table) -> list[Item]:
    narrowed = getattr(_narrowed, "value", None)
    if narrowed is not None and narrowed[0] is self:
        _narrowed.value = None  # the query's one pass over its candidates
        return sorted(narrowed[1], key=_order)
    return _moto_all_items(self)


def _put_item(self: Table, item_attrs: dict[str, Any], *args: Any, **kwargs: Any) -> Item:
    item = _moto_put_item(self, item_attrs, *args, **kwargs)
    touched(self, item.hash_key, item.range_key)
    return item


def _delete_item(self: Table, hash_key: DynamoType, range_key: DynamoType | None) -> Item | None:
    item = _moto_delete_item(self, hash_key, range_key)
    touched(self, hash_key, range_key)
    return item


def _update_item(self: DynamoDBBackend, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any) -> Item:
    table = self.tables.get(table_name)
    primary_key = None
    with contextlib.suppress(MockValidationException, KeyError):
        primary_key = self.get_keys_value(table, key) if table is not None else None
    try:
        return _moto_update_item(self, table_name, key, *args, **kwargs)
    finally:  # an update that failed half-way may still have changed the item: look at it again either way
        if table is not None and primary_key is not None:
            touched(table, *primary_key)


def query_partitions_only() -> None:
    """Install (idempotent)."""
    Table.query = _query  # type: ignore[method-assign]
    Table.all_items = _all_items  # type: ignore[method-assign]
    Table.put_item = _put_item  # type: ignore[method-assign]
    Table.delete_item = _delete_item  # type: ignore[method-assign]
    DynamoDBBackend.update_item = _update_item  # type: ignore[method-assign]
