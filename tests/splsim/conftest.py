"""Shared fixtures: an Engine over the small fixture app and a few audit-log events."""
from __future__ import annotations

from typing import List

import pytest
from splsim_testdata import BASE_T, FIXTURE_APP, audit_event

from splsim import Engine, Event

@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine(app_dir=FIXTURE_APP)


@pytest.fixture(scope="session")
def events(engine: Engine) -> List[Event]:
    raws = [
        audit_event("login.failed", BASE_T + 10, email="alice@example.com", ip="192.0.2.10"),
        audit_event("login.failed", BASE_T + 20, email="alice@example.com", ip="10.1.2.3"),
        audit_event("login.succeeded", BASE_T + 30, email="bob@example.com", ip="10.1.2.4"),
        audit_event("api_key.created", BASE_T + 3600, email="bob@example.com",
                    payload={"id": "key_1", "data": {"scopes": ["api.read", "api.write"]}}),
        audit_event("project.created", BASE_T + 7200, email="carol@example.com",
                    payload={"id": "proj_1", "data": {"name": "p1", "title": "Project One"}}),
        audit_event("mystery.event", BASE_T + 7300, email="dave@example.com"),
    ]
    return [engine.make_event(r) for r in raws]
