"""moto remembers every model object it ever made; here it remembers only the live ones.

moto's `BaseModel.__new__` appends each instance to its class's `instances_tracked` list, for the
dashboard (`/moto-api/data.json`) and for S3's reset, which closes the files of the keys it finds there.
Nothing ever removes an entry, so every DynamoDB item version, query result, stream record and shard
iterator stays reachable for the life of the process: after 60 claims the issue counted 2,221 `Table`
objects and 256,686 `StreamRecord`s holding 1.6 GiB. Weak references keep both uses working (they
iterate over the objects still alive) and let the garbage collector have the rest.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from moto.core import common_models, model_instances

if TYPE_CHECKING:
    from collections.abc import Iterator

_original_new = common_models.BaseModel.__new__


class LiveInstances:
    """The part of `list` moto uses (append, iterate, len), holding weak references only."""

    def __init__(self) -> None:
        self._refs: dict[int, weakref.ref[Any]] = {}
        self._strong: list[Any] = []  # objects that cannot be weakly referenced (__slots__ without __weakref__)

    def append(self, instance: Any) -> None:
        key = id(instance)
        refs = self._refs

        def forget(_ref: weakref.ref[Any]) -> None:
            refs.pop(key, None)

        try:
            refs[key] = weakref.ref(instance, forget)
        except TypeError:
            self._strong.append(instance)

    def __iter__(self) -> Iterator[Any]:
        live = [ref() for ref in list(self._refs.values())]
        return iter([instance for instance in live if instance is not None] + self._strong)

    def __len__(self) -> int:
        return len(self._refs) + len(self._strong)


def _tracked(cls: type) -> LiveInstances:
    """The class's own list, replaced by a LiveInstances the first time (and again after moto's reset)."""
    tracked = cls.__dict__.get("instances_tracked")
    if not isinstance(tracked, LiveInstances):
        tracked = LiveInstances()
        cls.instances_tracked = tracked  # type: ignore[attr-defined]
    return tracked


def _new(cls: type, *args: Any, **kwargs: Any) -> Any:
    instance = super(common_models.BaseModel, cls).__new__(cls)  # type: ignore[misc]
    _tracked(cls).append(instance)
    return instance


def track_live_instances_only() -> None:
    """Install (idempotent). Classes defined later and lists reset by moto are converted on first use."""
    if common_models.BaseModel.__new__ is not _original_new:
        return
    common_models.BaseModel.__new__ = _new  # type: ignore[method-assign]
    for models in model_instances.model_data.values():
        for model in models.values():
            if isinstance(model, type):
                _tracked(model)
