"""The dedup map as the README's "Dedup" paragraph states it: ids at or after the next slice's start only,
pruned when a slice completes, a hard cap of 50,000 ids above which the newest are kept and a warning is
logged. Written to kill the mutants of oai_audit/dedup.py that the older tests let through."""
from __future__ import annotations

import logging

from oai_audit.dedup import MAX_SEEN, SeenIds


def test_an_id_exactly_at_the_boundary_is_kept():
    assert SeenIds({"at": 500, "before": 499}).pruned(500) == SeenIds({"at": 500})


def test_the_default_cap_is_50000_ids_and_keeps_the_newest(caplog):
    many = SeenIds({f"id{i}": i for i in range(MAX_SEEN + 3)})
    with caplog.at_level(logging.WARNING, logger="oai_audit.dedup"):
        kept = many.pruned(0)
    assert MAX_SEEN == 50_000 and len(kept) == 50_000
    assert min(kept.ids.values()) == 3  # the three oldest went
    assert any("above the cap of 50000" in r.getMessage() for r in caplog.records)


def test_a_map_at_or_below_the_cap_is_kept_whole_without_a_warning(caplog):
    full = SeenIds({f"id{i}": i for i in range(10)})
    with caplog.at_level(logging.WARNING, logger="oai_audit.dedup"):
        assert full.pruned(0, max_size=10) == full
        assert full.pruned(0, max_size=11) == full
        assert full.pruned(5) == SeenIds({f"id{i}": i for i in range(5, 10)})
    assert caplog.records == []


def test_pruning_drops_what_lies_before_the_boundary_before_applying_the_cap(caplog):
    seen = SeenIds({"old1": 1, "old2": 2, "new1": 10, "new2": 11})
    with caplog.at_level(logging.WARNING, logger="oai_audit.dedup"):
        assert seen.pruned(10, max_size=2) == SeenIds({"new1": 10, "new2": 11})
    assert caplog.records == []  # 2 ids in the overlap: not above the cap
