"""The simulator's API keys have a spread of last use (tools/oai_sim/inventory.py KEY_USE): the spec's
ProjectApiKey and AdminApiKey ``last_used_at`` is a unixtime integer or null (../shared/openai-admin-api/
openapi-inventory.yaml, anyOf integer / null); the shares and ranges themselves are our simulator's invention.
Deterministic from the seed, relative to the ``now`` given, never before the key's creation nor after now."""
from __future__ import annotations

from collections import Counter
from typing import Any, Dict, List, Optional

from oai_sim.inventory import DAY, DEFAULT_NOW, KEY_USE, Inventory

NOW = 1_795_000_000


def _keys(inv: Inventory) -> List[Dict[str, Any]]:
    return [k for ks in inv.project_keys.values() for k in ks] + inv.admin_keys


def _band(key: Dict[str, Any], now: int) -> Optional[tuple]:
    if key["last_used_at"] is None:
        return None
    return next(days for _, days in KEY_USE if days and days[0] * DAY <= now - key["last_used_at"] < days[1] * DAY)


def test_last_use_is_null_or_between_creation_and_now():
    for now in (NOW, DEFAULT_NOW):
        for k in _keys(Inventory.from_population(users=200, projects=20, keys=500, now=now)):
            used = k["last_used_at"]
            assert used is None or (isinstance(used, int) and k["created_at"] <= used <= now), k


def test_a_spread_of_recent_idle_stale_and_never_used_keys_in_the_shares_of_key_use():
    keys = _keys(Inventory.from_population(users=2000, projects=50, keys=4000, now=NOW))
    counts = Counter(_band(k, NOW) for k in keys)
    assert set(counts) == {days for _, days in KEY_USE}
    for share, days in KEY_USE:  # 4002 draws: each share within 3 points
        assert abs(counts[days] / len(keys) - share) < 0.03, (days, counts)
    cast = Counter(_band(k, NOW) for k in _keys(Inventory.from_population(now=NOW)))
    assert cast[None] and cast[(0, 30)] and cast[(90, 365)], cast  # the 14 keys of the cast show each side


def test_deterministic_from_the_seed_and_nothing_else_moves():
    def uses(**kw):
        return [k["last_used_at"] for k in _keys(Inventory.from_population(now=NOW, **kw))]
    assert uses() == uses() and uses(seed=6) != uses()
    a, b = Inventory.from_population(now=NOW), Inventory.from_population(now=NOW - 30 * DAY)
    strip = [{x: v for x, v in k.items() if x != "last_used_at"} for k in _keys(a)]
    assert strip == [{x: v for x, v in k.items() if x != "last_used_at"} for k in _keys(b)]
    assert a.users == b.users and a.invites == b.invites
