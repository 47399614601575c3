"""Shared constants and helpers of the simulator tests (imported as a top-level module by pytest)."""
from __future__ import annotations

from typing import Any, Dict, Iterable, List

import httpx

KEY = "sk-admin-test"
T0 = 1767225600


def newest_first(evs: List[Dict[str, Any]]) -> List[str]:
    return [e["id"] for e in sorted(evs, key=lambda e: (e["effective_at"], e["id"]), reverse=True)]


def page_all(client: httpx.Client, url: str, params: Dict[str, Any]) -> List[Dict[str, Any]]:
    out: List[Dict[str, Any]] = []
    after = None
    for _ in range(10000):
        p = dict(params, **({"after": after} if after else {}))
        body = client.get(url, params=p).json()
        out.extend(body["data"])
        if not body["has_more"]:
            return out
        after = body["last_id"]
    raise AssertionError("pagination did not end")


def api_error(r: httpx.Response, status: int) -> Dict[str, Any]:
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert set(err) == {"message", "type", "param", "code"}
    return err


TYPES = {"string": str, "integer": int, "boolean": bool, "object": dict, "array": list}


def schema_errors(value: Any, schema: Dict[str, Any], schemas: Dict[str, Any], path: str,
                  example_only: Iterable[str] = ()) -> List[str]:
    """Where ``value`` breaks ``schema`` (OpenAPI 3.1 subset: $ref, anyOf, type, enum, required, properties,
    items); a property the schema does not declare is an error unless its path is in ``example_only`` (or it is
    the payload under the key equal to the object's own ``type``, as audit-log objects carry)."""
    if "$ref" in schema:
        return schema_errors(value, schemas[schema["$ref"].rsplit("/", 1)[-1]], schemas, path, example_only)
    if "anyOf" in schema:
        options = [schema_errors(value, s, schemas, path, example_only) for s in schema["anyOf"]]
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
                errs += schema_errors(sub, props[key], schemas, where, example_only)
            elif where not in example_only and not (path == "" and key == value.get("type")):
                errs.append("%s: not declared by the schema" % where)
    if kind == "array":
        for i, item in enumerate(value):
            errs += schema_errors(item, schema.get("items", {}), schemas, "%s[%d]" % (path, i), example_only)
    return errs
