"""Fixtures: the offline engine over the add-on's own package/ directory, and generated events of every type
(every actor kind) written exactly as the modular input writes them (oai_audit.events.to_raw)."""
from __future__ import annotations

import random
from typing import Any, Dict, List, Tuple

import pytest

from cim_support import REPO, spec_rows

from oai_audit.events import to_raw
from oai_sim.generator import ACTOR_KINDS, make_event
from splsim import Engine

AT = 1767225600  # 2026-01-01T00:00:00Z


def _kinds(event_type: str) -> Tuple[str, ...]:
    return ("session",) if event_type.startswith(("login.", "logout.")) else ACTOR_KINDS


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine(app_dir=str(REPO / "package"))


@pytest.fixture(scope="session")
def generated() -> List[Dict[str, Any]]:
    """One event per (spec event type, applicable actor kind), deterministic."""
    rng = random.Random(5)
    out = []
    for i, row in enumerate(spec_rows()):
        for kind in _kinds(row["event_type"]):
            out.append(make_event(row["event_type"], rng, AT + i, actor_kind=kind))
    return out


@pytest.fixture(scope="session")
def indexed(engine: Engine, generated: List[Dict[str, Any]]) -> List[Tuple[Dict[str, Any], Any]]:
    """(source object, indexed event) pairs; _time comes from props (TIME_PREFIX/TIME_FORMAT)."""
    return [(obj, engine.make_event(to_raw(obj))) for obj in generated]
