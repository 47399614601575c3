"""The organization inventory the simulator serves from the Admin API list endpoints (users, projects, project
users, project service accounts, project API keys, admin API keys, invites), built from the SAME fixed cast as
the audit events (generator.POPULATION): the user, project, service-account and key ids that act in generated
audit events are the ones listed here.

    inv = Inventory.from_population()          # the 16 users, 8 projects, 6 service accounts, 12 keys
    inv = Inventory.from_population(users=5000, projects=200, keys=2000)   # the cast plus synthetic members

Objects are shaped as the spec's list item schemas (User, Project, ProjectUser, ProjectServiceAccount,
ProjectApiKey, AdminApiKey, Invite; tests/sim/test_inventory_spec_shape.py checks them). Roles, names, dates
and SCIM flags are invented but deterministic. Tests change the inventory between runs with the ``remove_*``
methods (an object that disappears from a list, as after a user is removed, a key or a project deleted).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from .generator import POPULATION, Population
from .payloads import rand_token

Obj = Dict[str, Any]
BASE_TIME = 1735689600  # 2025-01-01T00:00:00Z: creation times are spread over the year before the audit events
DEFAULT_NOW = BASE_TIME + 365 * 86400  # the inventory's present when none is given: the end of that year
DAY = 86400
# How long ago an API key was last used (its share of the keys, range of days before now; None: never used, a null
# last_used_at as the spec allows): most keys in daily or weekly use, some idle for weeks, some stale for months.
KEY_USE = ((0.2, None), (0.45, (0, 30)), (0.15, (30, 90)), (0.2, (90, 365)))


def _redacted(prefix: str, rng: random.Random) -> str:
    return "%s...%s" % (prefix, rand_token(rng, 4))  # already masked, as the API returns it


def key_last_used_at(rng: random.Random, created_at: int, now: int) -> Optional[int]:
    """A key's last_used_at drawn from KEY_USE: never (None), or a time between its creation and ``now``."""
    r, cumulative, days = rng.random(), 0.0, KEY_USE[-1][1]
    for share, span in KEY_USE:
        cumulative += share
        if r < cumulative:
            days = span
            break
    if days is None:
        return None
    return max(created_at, now - rng.randint(days[0] * DAY, days[1] * DAY - 1))


@dataclass
class Inventory:
    users: List[Obj] = field(default_factory=list)
    projects: List[Obj] = field(default_factory=list)
    project_users: Dict[str, List[Obj]] = field(default_factory=dict)
    service_accounts: Dict[str, List[Obj]] = field(default_factory=dict)
    project_keys: Dict[str, List[Obj]] = field(default_factory=dict)
    admin_keys: List[Obj] = field(default_factory=list)
    invites: List[Obj] = field(default_factory=list)

    # construction --------------------------------------------------------------------------------------
    @classmethod
    def from_population(cls, pop: Population = POPULATION, *, users: int = 0, projects: int = 0, keys: int = 0,
                        seed: int = 5, now: int = DEFAULT_NOW) -> "Inventory":
        """The cast of ``pop``; ``users``/``projects``/``keys`` > the cast's size add synthetic members. Keys were
        last used (KEY_USE) relative to ``now``, from a generator of their own (the other values do not move)."""
        rng = random.Random(seed)
        use_rng = random.Random("%d:last_used_at" % seed)
        inv = cls()
        cast_users = [(u["id"], u["email"], u["email"].split("@")[0].capitalize()) for u in pop.users]
        extra_users = [("user-" + rand_token(rng, 24), "member%05d@example.com" % i, "Member %05d" % i)
                       for i in range(max(0, users - len(cast_users)))]
        for n, (uid, email, name) in enumerate(cast_users + extra_users):
            inv.users.append({
                "object": "organization.user", "id": uid, "name": name, "email": email,
                "role": "owner" if n < 3 else "reader", "added_at": BASE_TIME + 3600 * n,
                "is_service_account": False, "is_scim_managed": n % 4 != 3,
                "api_key_last_used_at": None if n % 5 == 4 else BASE_TIME + 86400 * 200 + 60 * n,
            })
        cast_projects = [(p["id"], p["name"]) for p in pop.projects]
        extra_projects = [("proj_" + rand_token(rng, 24), "Project %04d" % i)
                          for i in range(max(0, projects - len(cast_projects)))]
        for n, (pid, name) in enumerate(cast_projects + extra_projects):
            archived = n == len(cast_projects) - 1  # the cast's last project is archived
            inv.projects.append({
                "id": pid, "object": "organization.project", "name": name, "created_at": BASE_TIME + 7200 * n,
                "archived_at": BASE_TIME + 86400 * 100 if archived else None,
                "status": "archived" if archived else "active",
            })
        active = [p for p in inv.projects if p["status"] == "active"]
        for p in inv.projects:
            inv.project_users[p["id"]] = []
            inv.service_accounts[p["id"]] = []
            inv.project_keys[p["id"]] = []
        for n, user in enumerate(inv.users):  # every user is a member of one or two active projects
            for k, proj in enumerate({active[n % len(active)]["id"], active[(n * 7 + 1) % len(active)]["id"]}):
                inv.project_users[proj].append({
                    "object": "organization.project.user", "id": user["id"], "name": user["name"],
                    "email": user["email"], "role": "owner" if user["role"] == "owner" and k == 0 else "member",
                    "added_at": user["added_at"] + 60,
                })
        sa_owner: Dict[str, str] = {}
        for n, sa_id in enumerate(pop.service_accounts):
            proj = active[n % len(active)]
            sa_owner[sa_id] = proj["id"]
            inv.service_accounts[proj["id"]].append({
                "object": "organization.project.service_account", "id": sa_id, "name": "svc-automation-%d" % n,
                "role": "owner" if n == 0 else "member", "created_at": proj["created_at"] + 600 * (n + 1),
            })
        key_ids = list(pop.keys) + ["key_" + rand_token(rng, 16) for _ in range(max(0, keys - len(pop.keys)))]
        sa_ids = list(pop.service_accounts)
        for n, key_id in enumerate(key_ids):
            if n % 3 == 2:  # a third of the keys belong to a service account
                sa_id = sa_ids[n % len(sa_ids)]
                proj_id = sa_owner[sa_id]
                sa = next(s for s in inv.service_accounts[proj_id] if s["id"] == sa_id)
                owner: Obj = {"type": "service_account", "service_account": {
                    "id": sa_id, "name": sa["name"], "created_at": sa["created_at"], "role": sa["role"]}}
            else:
                user = inv.users[n % len(inv.users)]
                proj_id = active[n % len(active)]["id"]
                owner = {"type": "user", "user": {"id": user["id"], "email": user["email"], "name": user["name"],
                                                  "created_at": user["added_at"], "role": "member"}}
            created_at = BASE_TIME + 86400 + 900 * n
            inv.project_keys[proj_id].append({
                "object": "organization.project.api_key", "redacted_value": _redacted("sk-proj-", rng),
                "name": "key %d" % n, "created_at": created_at,
                "last_used_at": key_last_used_at(use_rng, created_at, now), "id": key_id,
                "owner_project_access": "active", "owner": owner,
            })
        for n, owner_user in enumerate(inv.users[:2]):
            inv.admin_keys.append({
                "object": "organization.admin_api_key", "id": "key_admin" + rand_token(rng, 12),
                "name": "Admin key %d" % n, "redacted_value": _redacted("sk-admin-", rng),
                "created_at": BASE_TIME + 86400 * 2 + n, "expires_at": None,
                "last_used_at": key_last_used_at(use_rng, BASE_TIME + 86400 * 2 + n, now),
                "owner": {"type": "user", "object": "organization.user", "id": owner_user["id"],
                          "name": owner_user["name"], "created_at": owner_user["added_at"], "role": "owner"},
            })
        for n, status in enumerate(("pending", "accepted", "expired")):
            inv.invites.append({
                "object": "organization.invite", "id": "invite-" + rand_token(rng, 24),
                "email": "invitee%d@example.com" % n, "role": "reader", "status": status,
                "created_at": BASE_TIME + 86400 * 250 + n, "expires_at": BASE_TIME + 86400 * 257 + n,
                "accepted_at": BASE_TIME + 86400 * 251 if status == "accepted" else None,
                "projects": [{"id": active[0]["id"], "role": "member"}],
            })
        return inv

    # lookups of the server -----------------------------------------------------------------------------
    def project(self, project_id: str) -> Optional[Obj]:
        return next((p for p in self.projects if p["id"] == project_id), None)

    # changes between snapshots (tests) -----------------------------------------------------------------
    def remove_user(self, user_id: str) -> None:
        """The user leaves the organization: gone from the users list and from every project."""
        self.users = [u for u in self.users if u["id"] != user_id]
        for pid in self.project_users:
            self.project_users[pid] = [u for u in self.project_users[pid] if u["id"] != user_id]

    def remove_service_account(self, sa_id: str) -> None:
        for pid in self.service_accounts:
            self.service_accounts[pid] = [s for s in self.service_accounts[pid] if s["id"] != sa_id]

    def remove_key(self, key_id: str) -> None:
        for pid in self.project_keys:
            self.project_keys[pid] = [k for k in self.project_keys[pid] if k["id"] != key_id]
        self.admin_keys = [k for k in self.admin_keys if k["id"] != key_id]

    def remove_project(self, project_id: str) -> None:
        """The project is deleted: gone from the projects list with its members, service accounts and keys (its
        sub-lists then answer 404, the simulator's answer for an unknown project)."""
        self.projects = [p for p in self.projects if p["id"] != project_id]
        for lists in (self.project_users, self.service_accounts, self.project_keys):
            lists.pop(project_id, None)

    @property
    def sizes(self) -> Dict[str, int]:
        return {"users": len(self.users), "projects": len(self.projects),
                "project_users": sum(map(len, self.project_users.values())),
                "service_accounts": sum(map(len, self.service_accounts.values())),
                "project_api_keys": sum(map(len, self.project_keys.values())),
                "admin_api_keys": len(self.admin_keys), "invites": len(self.invites)}
