"""De-duplication of ids already written within the overlap: a bounded {id: effective_at} map."""
from __future__ import annotations

import logging
from typing import Dict

LOG = logging.getLogger(__name__)

# Hard cap on remembered ids (about 50 bytes each in the checkpoint). Only ids at or after the re-read
# boundary are kept, so this is reached only by more than MAX_SEEN events inside one overlap period.
MAX_SEEN = 50_000


def remember(seen: Dict[str, int], event_id: str, effective_at: int, boundary: int) -> None:
    """Record a written id if it lies at or after ``boundary`` (the next re-read start)."""
    if effective_at >= boundary:
        seen[event_id] = effective_at


def prune(seen: Dict[str, int], boundary: int, max_size: int = MAX_SEEN) -> Dict[str, int]:
    """Ids at or after ``boundary``; if still above ``max_size``, keep the newest ``max_size``."""
    kept = {k: v for k, v in seen.items() if v >= boundary}
    if len(kept) > max_size:
        LOG.warning("dedup set holds %d ids in the overlap, above the cap of %d: keeping the newest "
                    "(events older than the kept ones may be duplicated if re-read)", len(kept), max_size)
        newest = sorted(kept.items(), key=lambda kv: kv[1], reverse=True)[:max_size]
        kept = dict(newest)
    return kept
