"""Generated events validate against the spec's AuditLog schema (read from ../shared when present), and carry
no property the schema does not declare except the session fields the spec's own examples show."""
from __future__ import annotations

from pathlib import Path
from typing import List

import pytest
import yaml

from oai_sim import generator as g

from sim_support import schema_errors

SPEC = Path(__file__).resolve().parents[2].parent / "shared" / "openai-audit-api" / "openapi-audit-logs.yaml"
# fields the spec examples use on session actors without declaring them (README ambiguity 5)
EXAMPLE_ONLY = {"actor.session.user_agent", "actor.session.ja3", "actor.session.ja4",
                "actor.session.ip_address_details"}


@pytest.mark.skipif(not SPEC.exists(), reason="../shared not present")
def test_generated_events_match_the_spec_schema():
    schemas = yaml.safe_load(SPEC.read_text())["components"]["schemas"]
    declared = schemas["AuditLog"]["properties"]
    events = g.one_of_each(seed=17, at=1767225600) + g.generate(3000, seed=18, start=1767225600,
                                                                end=1767225600 + 86400)
    problems: List[str] = []
    for ev in events:
        problems += ["%s %s" % (ev["type"], e)
                     for e in schema_errors(ev, schemas["AuditLog"], schemas, "", EXAMPLE_ONLY)]
        t = ev["type"]
        if t in declared:  # the payload under the type's own key, where the spec declares one
            problems += ["%s %s" % (t, e) for e in schema_errors(ev[t], declared[t], schemas, t, EXAMPLE_ONLY)]
    assert not problems, problems[:20]
    assert {e["type"] for e in events} == set(g.EVENT_TYPES)
    # the checker itself can fail: an undeclared payload field, a wrong type, a bad enum value
    bad = dict(events[0], effective_at="1767225600")
    bad["actor"] = {"type": "robot"}
    assert len(schema_errors(bad, schemas["AuditLog"], schemas, "", EXAMPLE_ONLY)) == 2
    assert schema_errors({"id": "k", "extra": 1}, declared["api_key.deleted"], schemas, "api_key.deleted") == [
        "api_key.deleted.extra: not declared by the schema"]
