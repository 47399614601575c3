"""De-duplication: the persisted {id: effective_at} map of ids written inside the overlap (``SeenIds``), and
the bounded in-memory set of ids written in the slice being read (``SliceIds``)."""
from __future__ import annotations

import json
import logging
from typing import Dict, Optional, Set

LOG = logging.getLogger(__name__)

# Hard cap on remembered ids (about 50 bytes each in the checkpoint). Only ids at or after the re-read
# boundary are kept, so this is reached only by more than MAX_SEEN events inside one overlap period.
MAX_SEEN = 50_000
# Ids of the slice being read kept in memory: at least the last SLICE_IDS_KEPT written (two generations).
SLICE_IDS_KEPT = 2_000  # 20 pages: 20,000 cost 12 MiB of peak RSS in a 1M-event backfill

_COMPACT = (",", ":")


class SeenIds:
    """Ids written at or after the re-read boundary, with their ``effective_at``.

    The checkpoint is saved after every page, so the map's JSON text is kept up to date incrementally:
    ``json()`` serialises only the ids added since the last call (one C ``json.dumps``) and splices them in,
    instead of re-encoding the whole map on every page. Entries are only ever added (an id's effective_at
    never changes); ``pruned()`` returns a new map.
    """

    __slots__ = ("ids", "_text", "_pending")

    def __init__(self, ids: Optional[Dict[str, int]] = None) -> None:
        self.ids: Dict[str, int] = dict(ids) if ids else {}
        self._text: Optional[str] = None
        self._pending: Dict[str, int] = {}

    def __contains__(self, event_id: object) -> bool:
        return event_id in self.ids

    def __len__(self) -> int:
        return len(self.ids)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SeenIds) and other.ids == self.ids

    def __repr__(self) -> str:
        return f"SeenIds({self.ids!r})"

    def add(self, event_id: str, effective_at: int) -> None:
        if event_id not in self.ids:
            self.ids[event_id] = effective_at
            self._pending[event_id] = effective_at

    def newest(self) -> Optional[int]:
        return max(self.ids.values()) if self.ids else None

    def pruned(self, boundary: int, max_size: int = MAX_SEEN) -> "SeenIds":
        """Ids at or after ``boundary``; if still above ``max_size``, the newest ``max_size``."""
        kept = {k: v for k, v in self.ids.items() if v >= boundary}
        if len(kept) > max_size:
            LOG.warning("dedup set holds %d ids in the overlap, above the cap of %d: keeping the newest "
                        "(events older than the kept ones may be duplicated if re-read)", len(kept), max_size)
            kept = dict(sorted(kept.items(), key=lambda kv: kv[1], reverse=True)[:max_size])
        if len(kept) == len(self.ids):
            return self
        return SeenIds(kept)

    def json(self) -> str:
        """The map as compact JSON (insertion order)."""
        if self._text is None:
            self._text = json.dumps(self.ids, separators=_COMPACT)
            self._pending = {}
        elif self._pending:
            extra = json.dumps(self._pending, separators=_COMPACT)
            self._text = extra if self._text == "{}" else f"{self._text[:-1]},{extra[1:]}"
            self._pending = {}
        return self._text


class SliceIds:
    """Ids written in the slice being read, bounded: two generations of ``kept`` ids each, so at least the
    last ``kept`` ids are always remembered (pages overlapping by their boundary event, an id repeated inside
    a page or a server serving the same pages again)."""

    __slots__ = ("kept", "current", "previous")

    def __init__(self, kept: int = SLICE_IDS_KEPT) -> None:
        self.kept = kept
        self.current: Set[str] = set()  # the poller adds to this set directly (hot loop)
        self.previous: Set[str] = set()

    def __contains__(self, event_id: object) -> bool:
        return event_id in self.current or event_id in self.previous

    def end_page(self) -> None:
        """Start a new generation once the current one holds ``kept`` ids."""
        if len(self.current) >= self.kept:
            self.previous, self.current = self.current, set()
