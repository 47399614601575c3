from __future__ import annotations

from typing import Iterator

import httpx
import pytest

from oai_sim.generator import generate
from oai_sim.server import Simulator

from sim_support import KEY, T0


@pytest.fixture(scope="module")
def events():
    return generate(1200, seed=99, start=T0, end=T0 + 3 * 86400)


@pytest.fixture
def sim(events) -> Iterator[Simulator]:
    with Simulator(events) as s:
        yield s


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(headers={"Authorization": "Bearer " + KEY}, timeout=10) as c:
        yield c
