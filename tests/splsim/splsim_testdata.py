"""Test data for the splsim tests: the fixture app path and audit-log event builders."""
from __future__ import annotations

import json
import os
from typing import Any, Dict


HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE_APP = os.path.join(HERE, "fixture_app")
BASE_T = 1767225600  # 2026-01-01T00:00:00Z


def audit_event(type_: str, t: int, *, email: str = "alice@example.com", ip: str = "192.0.2.10",
                payload: Any = None, actor: Any = None) -> str:
    """One audit-log object serialised the way the input writes it (compact JSON)."""
    obj: Dict[str, Any] = {
        "id": f"audit_log-{type_}-{t}",
        "type": type_,
        "effective_at": t,
        "actor": actor or {"type": "session", "session": {"user": {"id": "user-1", "email": email},
                                                          "ip_address": ip, "user_agent": "curl/8"}},
    }
    obj[type_] = payload if payload is not None else {"id": "obj-1"}
    return json.dumps(obj, separators=(",", ":"))
