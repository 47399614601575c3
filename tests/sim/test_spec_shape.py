"""Generated events validate against the spec's AuditLog schema (read from ../shared when present), and carry
no property the schema does not declare except the session fields the spec's own examples show."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml

from oai_sim import generator as g

SPEC = Path(__file__).resolve().parents[2].parent / "shared" / "openai-audit-api" / "openapi-audit-logs.yaml"
# fields the spec examples use on session actors without declaring them (README ambiguity 5)
EXAMPLE_ONLY = {"actor.session.user_agent", "actor.session.ja3", "actor.session.ja4",
                "actor.session.ip_address_details"}
TYPES = {"string": str, "integer": int, "boolean": bool, "object": dict, "array": list}


def _errors(value: Any, schema: Dict[str, Any], schemas: Dict[str, Any], path: str) -> List[str]:
    if "$ref" in schema:
        return _errors(value, schemas[schema["$ref"].rsplit("/", 1)[-1]], schemas, path)
    if "anyOf" in schema:
        options = [_errors(value, s, schemas, path) for s in schema["anyOf"]]
        return [] if any(not o for o in options) else min(options, key=len)
    kind = schema.get("type")
    if kind == "null":
        return [] if value is None else ["%s: expected null" % path]
    if kind in TYPES and (not isinstance(value, TYPES[kind]) or (kind == "integer" and isinstance(value, bool))):
        return ["%s: expected %s, got %r" % (path, kind, value)]
    if "enum" in schema and value not in schema["enum"]:
        return ["%s: %r not in enum" % (path, value)]
    errs: List[str] = []
    if kind == "object" and "properties" in schema:
        props = schema["properties"]
        errs += ["%s: missing required %s" % (path, r) for r in schema.get("required", []) if r not in value]
        for key, sub in value.items():
            where = "%s.%s" % (path, key) if path else key
            if key in props:
                errs += _errors(sub, props[key], schemas, where)
            elif where not in EXAMPLE_ONLY and not (path == "" and key == value.get("type")):
                errs.append("%s: not declared by the schema" % where)
    if kind == "array":
        for i, item in enumerate(value):
            errs += _errors(item, schema.get("items", {}), schemas, "%s[%d]" % (path, i))
    return errs


@pytest.mark.skipif(not SPEC.exists(), reason="../shared not present")
def test_generated_events_match_the_spec_schema():
    schemas = yaml.safe_load(SPEC.read_text())["components"]["schemas"]
    declared = schemas["AuditLog"]["properties"]
    events = g.one_of_each(seed=17, at=1767225600) + g.generate(3000, seed=18, start=1767225600,
                                                                end=1767225600 + 86400)
    problems: List[str] = []
    for ev in events:
        problems += ["%s %s" % (ev["type"], e) for e in _errors(ev, schemas["AuditLog"], schemas, "")]
        t = ev["type"]
        if t in declared:  # the payload under the type's own key, where the spec declares one
            problems += ["%s %s" % (t, e) for e in _errors(ev[t], declared[t], schemas, t)]
    assert not problems, problems[:20]
    assert {e["type"] for e in events} == set(g.EVENT_TYPES)
    # the checker itself can fail: an undeclared payload field, a wrong type, a bad enum value
    bad = dict(events[0], effective_at="1767225600")
    bad["actor"] = {"type": "robot"}
    assert len(_errors(bad, schemas["AuditLog"], schemas, "")) == 2
    assert _errors({"id": "k", "extra": 1}, declared["api_key.deleted"], schemas, "api_key.deleted") == [
        "api_key.deleted.extra: not declared by the schema"]
