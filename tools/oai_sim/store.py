"""Event store of the simulator: newest-first keyset pagination over lazy datasets and explicit events.

Order is (effective_at desc, id desc); a cursor id stands for its event's key, so ``after=X`` returns events
with a key below X's and ``before=X`` the ones just above it (returned newest-first). Events added later
(late arrivals "behind" a checkpoint) simply take their place in that order.
"""
from __future__ import annotations

import heapq
import threading
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

from .catalog import TENANT_TYPES
from .generator import Dataset

Key = Tuple[int, str]
Event = Dict[str, Any]
LOW_ID, HIGH_ID = "", "\uffff"


class DatasetSegment:
    """A lazy generator Dataset: index order == key order."""

    def __init__(self, ds: Dataset) -> None:
        self.ds = ds

    def key(self, i: int) -> Key:
        return (self.ds.eff[i], self.ds.id_of(i))

    def _bisect(self, k: Key, right: bool) -> int:
        lo, hi = 0, len(self.ds)
        while lo < hi:
            mid = (lo + hi) // 2
            mk = self.key(mid)
            if mk < k or (right and mk == k):
                lo = mid + 1
            else:
                hi = mid
        return lo

    def keys_desc(self, upper: Key, upper_incl: bool, lower: Key) -> Iterator[Tuple[Key, int]]:
        i = self._bisect(upper, right=upper_incl) - 1
        stop = self._bisect(lower, right=False)
        while i >= stop:
            yield self.key(i), i
            i -= 1

    def keys_asc(self, lower: Key, lower_incl: bool, upper: Key) -> Iterator[Tuple[Key, int]]:
        i = self._bisect(lower, right=not lower_incl)
        stop = self._bisect(upper, right=True)
        while i < stop:
            yield self.key(i), i
            i += 1

    def key_of_id(self, event_id: str) -> Optional[Key]:
        i = self.ds.index_of(event_id)
        return None if i is None else self.key(i)

    def type_of(self, ref: int) -> str:
        return self.ds.type_of(ref)

    def event(self, ref: int) -> Event:
        return self.ds.event(ref)

    def __len__(self) -> int:
        return len(self.ds)


class ListSegment:
    """Explicit event dicts (thread-safe inserts happen under the store lock)."""

    def __init__(self) -> None:
        self.keys: List[Key] = []
        self.by_id: Dict[str, Event] = {}

    def add(self, ev: Event) -> None:
        self.by_id[ev["id"]] = ev
        insort(self.keys, (int(ev["effective_at"]), ev["id"]))

    def keys_desc(self, upper: Key, upper_incl: bool, lower: Key) -> Iterator[Tuple[Key, str]]:
        i = (bisect_right if upper_incl else bisect_left)(self.keys, upper) - 1
        stop = bisect_left(self.keys, lower)
        while i >= stop:
            yield self.keys[i], self.keys[i][1]
            i -= 1

    def keys_asc(self, lower: Key, lower_incl: bool, upper: Key) -> Iterator[Tuple[Key, str]]:
        i = (bisect_left if lower_incl else bisect_right)(self.keys, lower)
        stop = bisect_right(self.keys, upper)
        while i < stop:
            yield self.keys[i], self.keys[i][1]
            i += 1

    def key_of_id(self, event_id: str) -> Optional[Key]:
        ev = self.by_id.get(event_id)
        return None if ev is None else (int(ev["effective_at"]), event_id)

    def type_of(self, ref: str) -> str:
        return self.by_id[ref]["type"]

    def event(self, ref: str) -> Event:
        return self.by_id[ref]

    def __len__(self) -> int:
        return len(self.keys)


Segment = Union[DatasetSegment, ListSegment]


@dataclass
class Query:
    """A validated list request (see server.parse_query)."""
    gte: Optional[int] = None
    lte: Optional[int] = None
    project_ids: Sequence[str] = ()
    event_types: Sequence[str] = ()
    actor_ids: Sequence[str] = ()
    actor_emails: Sequence[str] = ()
    resource_ids: Sequence[str] = ()
    tenant_only: bool = False
    limit: int = 20
    after: Optional[str] = None
    before: Optional[str] = None


@dataclass
class Page:
    data: List[Event] = field(default_factory=list)
    has_more: bool = False


class UnknownCursor(KeyError):
    pass


def actor_ids_of(ev: Event) -> List[str]:
    actor = ev.get("actor") or {}
    sess, key = actor.get("session") or {}, actor.get("api_key") or {}
    ids = [(sess.get("user") or {}).get("id"), key.get("id"), (key.get("user") or {}).get("id"),
           (key.get("service_account") or {}).get("id")]
    return [i for i in ids if i]


def actor_emails_of(ev: Event) -> List[str]:
    actor = ev.get("actor") or {}
    users = [(actor.get("session") or {}).get("user") or {}, (actor.get("api_key") or {}).get("user") or {}]
    return [u["email"] for u in users if u.get("email")]


def _event_filter(q: Query) -> Optional[Callable[[Event], bool]]:
    checks: List[Callable[[Event], bool]] = []
    if q.project_ids:
        pids = set(q.project_ids)
        checks.append(lambda e: (e.get("project") or {}).get("id") in pids)
    if q.actor_ids:
        aids = set(q.actor_ids)
        checks.append(lambda e: bool(aids.intersection(actor_ids_of(e))))
    if q.actor_emails:
        emails = {m.lower() for m in q.actor_emails}
        checks.append(lambda e: any(m.lower() in emails for m in actor_emails_of(e)))
    if q.resource_ids:
        rids = set(q.resource_ids)
        checks.append(lambda e: isinstance(e.get(e["type"]), dict) and e[e["type"]].get("id") in rids)
    if not checks:
        return None
    return lambda e: all(c(e) for c in checks)


def _scan(seg: Segment, lower: Key, upper: Key, cursor: Optional[Key], ascending: bool) -> Iterator[Tuple[Key, Any]]:
    if cursor is None:
        return seg.keys_desc(upper, True, lower)
    if ascending:  # before=cursor: the keys just above it
        return seg.keys_asc(max(lower, cursor), cursor < lower, upper)
    return seg.keys_desc(min(upper, cursor), cursor > upper, lower)


def _tagged(seg: Segment, keys: Iterator[Tuple[Key, Any]]) -> Iterator[Tuple[Key, Segment, Any]]:
    for k, ref in keys:
        yield k, seg, ref


class EventStore:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.segments: List[Segment] = []
        self.explicit = ListSegment()
        self.segments.append(self.explicit)

    def add(self, events: Union[Dataset, Iterable[Event]]) -> int:
        with self.lock:
            if isinstance(events, Dataset):
                if any(self.key_of_id(events.id_of(i)) for i in (0, len(events) - 1) if len(events)):
                    raise ValueError("dataset already loaded")
                self.segments.append(DatasetSegment(events))
                return len(events)
            count = 0
            for ev in events:
                if self.key_of_id(ev["id"]) is not None:
                    raise ValueError("duplicate event id %s" % ev["id"])
                self.explicit.add(ev)
                count += 1
            return count

    def __len__(self) -> int:
        with self.lock:
            return sum(len(s) for s in self.segments)

    def key_of_id(self, event_id: str) -> Optional[Key]:
        for seg in self.segments:
            k = seg.key_of_id(event_id)
            if k is not None:
                return k
        return None

    def query(self, q: Query) -> Page:
        lower: Key = (q.gte, LOW_ID) if q.gte is not None else (-(2 ** 62), LOW_ID)
        upper: Key = (q.lte, HIGH_ID) if q.lte is not None else (2 ** 62, HIGH_ID)
        with self.lock:
            ascending = q.before is not None
            cursor_id = q.after if q.after is not None else q.before
            cursor = self.key_of_id(cursor_id) if cursor_id is not None else None
            if cursor_id is not None and cursor is None:
                raise UnknownCursor(cursor_id)
            iters = [_tagged(s, _scan(s, lower, upper, cursor, ascending)) for s in self.segments]
            merged = heapq.merge(*iters, key=lambda t: t[0], reverse=not ascending)
            return self._take(merged, q, ascending)

    def _take(self, merged: Iterator[Tuple[Key, Segment, Any]], q: Query, ascending: bool) -> Page:
        types = set(q.event_types)
        match = _event_filter(q)
        out: List[Event] = []
        for _key, seg, ref in merged:
            etype = seg.type_of(ref)
            if (etype in TENANT_TYPES) != q.tenant_only or (types and etype not in types):
                continue
            ev = seg.event(ref)
            if match is not None and not match(ev):
                continue
            if len(out) == q.limit:
                return Page(out[::-1] if ascending else out, True)
            out.append(ev)
        return Page(out[::-1] if ascending else out, False)
