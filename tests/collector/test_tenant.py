"""The tenant-scoped stream: tenant_only=true with its own checkpoint; non-tenant orgs get one warning."""
from __future__ import annotations

import pytest

from oai_sim.generator import generate
from oai_sim.server import Simulator

from oai_audit.checkpoint import MemoryStore, from_record
from oai_audit.eventtypes import is_tenant_scoped
from oai_audit.poller import stream_specs

from collector_support import KEY, NOW, ListSink, key, poll

START = NOW - 2 * 86400


@pytest.fixture(scope="module")
def mixed():
    return generate(700, seed=21, start=START, end=NOW - 30)


def test_tenant_stream_collects_tenant_events_with_its_own_checkpoint(mixed):
    tenant_ids = {e["id"] for e in mixed if is_tenant_scoped(e["type"])}
    assert 0 < len(tenant_ids) < len(mixed)
    with Simulator(mixed, admin_key=KEY) as sim:
        store, sink = MemoryStore(), ListSink()
        main, tenant = poll(sim.base_url, store, sink, start=START, tenant=True)
        assert main.error is None and tenant.error is None and tenant.warning is None
        assert sorted(sink.ids) == sorted(e["id"] for e in mixed)
        assert tenant.events == len(tenant_ids) and main.events == len(mixed) - len(tenant_ids)
        tenant_reqs = [r for r in sim.requests if r.query.get("tenant_only") == ["true"]]
        assert len(tenant_reqs) == tenant.requests and len(sim.requests) == main.requests + tenant.requests
        assert from_record(store.get(key("main"))).covered_to is not None
        assert from_record(store.get(key("tenant"))).covered_to is not None
        assert key("main") != key("tenant")


def test_without_the_checkbox_only_the_main_stream_runs(mixed):
    with Simulator(mixed, admin_key=KEY) as sim:
        sink = ListSink()
        [main] = poll(sim.base_url, MemoryStore(), sink, start=START)
        assert main.error is None
        assert all(not is_tenant_scoped(e["type"]) for e in sink.events)
        assert all("tenant_only" not in r.query for r in sim.requests)


def test_org_not_tenant_enabled_gets_one_warning_and_main_is_unaffected(mixed):
    """The spec documents ``tenant_only`` but not how an org that is not tenant-enabled refuses it: the
    simulator's 400 is its own invention. Other plausible answers (403, 404) are tested against our own server
    in test_hostile_pages.py."""
    with Simulator(mixed, admin_key=KEY, tenant_enabled=False) as sim:
        store, sink = MemoryStore(), ListSink()
        main, tenant = poll(sim.base_url, store, sink, start=START, tenant=True)
        assert main.error is None and main.events == sum(1 for e in mixed if not is_tenant_scoped(e["type"]))
        assert tenant.error is None and tenant.warning is not None and "tenant" in tenant.warning
        assert tenant.requests == 1 and tenant.retries == 0  # one refusal, no retry storm
        assert store.get(key("tenant")) is None


def test_event_type_filter_is_split_between_streams():
    warnings = []
    specs = stream_specs(["api_key.created", "tenant.created", "role.bound_to_resource"], ["proj_1"], True)
    assert [(s.name, list(s.query.event_types), s.query.tenant_only) for s in specs] == [
        ("main", ["api_key.created"], False), ("tenant", ["tenant.created", "role.bound_to_resource"], True)]
    only_tenant = stream_specs(["tenant.created"], [], False, warn=warnings.append)
    assert only_tenant == [] and len(warnings) == 1  # never an unfiltered main stream by accident
    assert [s.name for s in stream_specs([], [], True)] == ["main", "tenant"]
    assert [s.name for s in stream_specs(["tenant.created"], [], True)] == ["tenant"]


def test_filtered_tenant_stream_against_the_simulator(mixed):
    types = sorted({e["type"] for e in mixed if is_tenant_scoped(e["type"])})[:3] + ["project.created"]
    with Simulator(mixed, admin_key=KEY) as sim:
        sink = ListSink()
        results = poll(sim.base_url, MemoryStore(), sink, start=START, tenant=True, event_types=types)
        assert all(r.error is None for r in results)
        assert sorted(sink.ids) == sorted(e["id"] for e in mixed if e["type"] in types)
