from __future__ import annotations

from typing import Iterator

import pytest

from oai_sim.generator import generate
from oai_sim.server import Simulator

from collector_support import KEY, NOW


@pytest.fixture(scope="module")
def events():
    """1234 non-tenant events over the last three days (ending one minute ago)."""
    return generate(1234, seed=7, start=NOW - 3 * 86400, end=NOW - 60, tenant=False)


@pytest.fixture
def sim(events) -> Iterator[Simulator]:
    with Simulator(events, admin_key=KEY) as s:
        yield s
