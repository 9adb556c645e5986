"""A mapping that a new store version can change without copying: a base dict that is never
changed once shared, and a small dict of the changes made on top of it.

What the analyses keep per store version (``analysis.snapshot``: a table of 100,000 subjects
per property, the typings of a class, the links that count) is shared with the requests still
reading the older version, so a write may not change it in place; copying it whole for each
write cost the write hundreds of milliseconds at 100,000 standards. A :class:`Layered` mapping
instead takes a write's changes as a new layer over the same base (:meth:`Layered.edit`, then
:meth:`Edit.done`): the cost of a write is the size of its changes, plus, once in a while, one
merge of the changes into a new base (when they grow past a fraction of it, so that reads stay
about as fast as a dict's and memory about the same).

Reads (``m[k]``, ``get``, ``in``, ``len``, ``items()``, iteration) are those of a read-only
``dict``; the order of iteration is not a dict's (the base's keys, then those added on top).
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator, Mapping
from itertools import chain, filterfalse
from operator import itemgetter
from typing import Any, Generic, TypeVar, overload

__all__ = ["Edit", "Layered", "layered"]

K = TypeVar("K")
V = TypeVar("V")
D = TypeVar("D")
L = TypeVar("L", bound="Layered[Any, Any]")

#: a key removed on top of the base
_GONE: Any = object()
_MISSING: Any = object()


class Layered(Mapping[K, V], Generic[K, V]):
    """A read-only mapping: ``base`` (a dict nobody changes) with the changes ``top`` over
    it (a key mapped to the marker ``_GONE`` is not there)."""

    __slots__ = ("_base", "_top", "_len", "_keys")

    #: the changes kept on top of the base before they are merged into a new base: at least
    #: ``MERGE_MIN``, else an ``1 / MERGE_SHARE`` of the base
    MERGE_MIN = 256
    MERGE_SHARE = 8

    def __init__(self, base: dict[K, V] | None = None, top: dict[K, Any] | None = None,
                 length: int | None = None) -> None:
        self._base: dict[K, V] = {} if base is None else base
        self._top: dict[K, Any] = {} if top is None else top
        if length is None:
            length = len(self._base)
            for k, v in self._top.items():
                if v is _GONE:
                    length -= k in self._base
                else:
                    length += k not in self._base
        self._len = length
        self._keys: frozenset[K] | None = None

    @classmethod
    def like(cls: type[L], other: Layered[K, V]) -> L:
        """A mapping of this class (a subclass that keeps more) holding what ``other`` holds,
        sharing its dicts."""
        return cls(other._base, other._top, other._len)

    # -- reading ----------------------------------------------------------------------------
    def __getitem__(self, key: K) -> V:
        v = self._top.get(key, _MISSING)
        if v is _MISSING:
            return self._base[key]
        if v is _GONE:
            raise KeyError(key)
        found: V = v
        return found

    @overload
    def get(self, key: K, /) -> V | None: ...

    @overload
    def get(self, key: K, default: V | D, /) -> V | D: ...

    def get(self, key: K, default: Any = None) -> Any:
        v = self._top.get(key, _MISSING)
        if v is _MISSING:
            return self._base.get(key, default)
        return default if v is _GONE else v

    def __contains__(self, key: object) -> bool:
        v = self._top.get(key, _MISSING)  # type: ignore[arg-type]
        if v is _MISSING:
            return key in self._base
        return v is not _GONE

    def __len__(self) -> int:
        return self._len

    # (iterating, the base's keys not on top are picked by C code: filterfalse, map, zip)
    def __iter__(self) -> Iterator[K]:
        top = self._top
        if not top:
            return iter(self._base)
        return chain(filterfalse(top.__contains__, self._base),
                     [k for k, v in top.items() if v is not _GONE])

    def items(self) -> Iterator[tuple[K, V]]:  # type: ignore[override]
        top, base = self._top, self._base
        if not top:
            return iter(base.items())
        keys = list(filterfalse(top.__contains__, base))
        return chain(zip(keys, map(base.__getitem__, keys), strict=True),
                     [(k, v) for k, v in top.items() if v is not _GONE])

    def values(self) -> Iterator[V]:  # type: ignore[override]
        return map(itemgetter(1), self.items())

    def keyset(self) -> frozenset[K]:
        """The keys, as a set (made once: the mapping does not change)."""
        if self._keys is None:
            self._keys = frozenset(self)
        return self._keys

    def keys(self) -> Iterator[K]:  # type: ignore[override]
        return iter(self)

    def count_in(self, other: Container[Any]) -> int:
        """How many of the keys are in ``other``: the base's counted in C, then the changes
        on top one by one (no key set made: a coverage count of a new version costs its
        changes, not a set of 100,000 keys)."""
        base = self._base
        n = len(other.intersection(base)) if isinstance(other, set | frozenset) \
            else sum(map(other.__contains__, base))
        for k, v in self._top.items():
            if k in other:
                n += (v is not _GONE) - (k in base)
        return n

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        return len(self) == len(other) and dict(self.items()) == dict(other.items())

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Layered({dict(self.items())!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (layered, (dict(self.items()),))

    # -- changing (into a new mapping) ------------------------------------------------------
    def edit(self) -> Edit[K, V]:
        """The changes of a new version of this mapping (this one stays as it is)."""
        return Edit(self)

    def changed(self, changes: Mapping[K, Any]) -> Layered[K, V]:
        """This mapping with ``changes`` (key -> new value, or ``Edit.GONE``) applied: a new
        mapping sharing the base, or one with the changes merged into a new base when they
        have grown too many."""
        if not changes:
            return self
        top = {**self._top, **changes}
        length = self._len
        for k, v in changes.items():
            had = self._has(k)
            if v is _GONE:
                length -= had
            else:
                length += not had
        base = self._base
        if len(top) > max(self.MERGE_MIN, len(base) // self.MERGE_SHARE):
            merged = dict(base)
            for k, v in top.items():
                if v is _GONE:
                    merged.pop(k, None)
                else:
                    merged[k] = v
            return Layered(merged, {}, len(merged))
        # a removal of a key the base does not hold need not stay on top
        return Layered(base, {k: v for k, v in top.items() if v is not _GONE or k in base},
                       length)

    def _has(self, key: K) -> bool:
        v = self._top.get(key, _MISSING)
        if v is _MISSING:
            return key in self._base
        return v is not _GONE


class Edit(Generic[K, V]):
    """The changes being made to a :class:`Layered` mapping: reads see them, ``done()`` makes
    the new mapping. Use only as a dict being filled (``get``, ``[k]``, ``in``, ``[k] = v``,
    ``pop``, ``setdefault``)."""

    GONE = _GONE

    __slots__ = ("_old", "_changes")

    def __init__(self, old: Layered[K, V]) -> None:
        self._old = old
        self._changes: dict[K, Any] = {}

    def get(self, key: K, default: Any = None) -> Any:
        v = self._changes.get(key, _MISSING)
        if v is _MISSING:
            return self._old.get(key, default)
        return default if v is _GONE else v

    def __getitem__(self, key: K) -> V:
        v = self.get(key, _MISSING)
        if v is _MISSING:
            raise KeyError(key)
        found: V = v
        return found

    def __contains__(self, key: K) -> bool:
        return self.get(key, _MISSING) is not _MISSING

    def __setitem__(self, key: K, value: V) -> None:
        self._changes[key] = value

    def pop(self, key: K, default: Any = None) -> Any:
        v = self.get(key, _MISSING)
        self._changes[key] = _GONE
        return default if v is _MISSING else v

    def setdefault(self, key: K, default: V) -> V:
        v = self.get(key, _MISSING)
        if v is _MISSING:
            self._changes[key] = default
            return default
        found: V = v
        return found

    def done(self) -> Layered[K, V]:
        return self._old.changed(self._changes)


def layered(items: Mapping[K, V] | Iterable[tuple[K, V]] | None = None) -> Layered[K, V]:
    """A :class:`Layered` mapping holding ``items`` (a dict is taken as it is: do not change it
    afterwards)."""
    if items is None:
        return Layered()
    if isinstance(items, Layered):
        return items
    base = items if type(items) is dict else dict(items)
    return Layered(base, {}, len(base))
