"""Shared constants and helpers of the simulator tests (imported as a top-level module by pytest)."""
from __future__ import annotations

from typing import Any, Dict, List

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
