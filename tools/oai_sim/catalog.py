"""The 145 audit-log event types of the OpenAI spec, copied from ../shared/openai-audit-api/event-types.csv.

`event_types.csv` next to this module is a verbatim copy (a test checks it still equals the shared file),
so the repository is self-contained. Test/demo tooling only: the shipped add-on never reads it.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Dict, FrozenSet, List, Tuple

CSV_PATH = Path(__file__).with_name("event_types.csv")


def _load() -> Tuple[List[str], FrozenSet[str], Dict[str, Tuple[str, ...]]]:
    types: List[str] = []
    tenant: set = set()
    fields: Dict[str, Tuple[str, ...]] = {}
    with CSV_PATH.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name = row["event_type"]
            types.append(name)
            if row["tenant_scoped"].strip().lower() == "true":
                tenant.add(name)
            fields[name] = tuple(f for f in row["payload_fields"].split(";") if f)
    return types, frozenset(tenant), fields


EVENT_TYPES, TENANT_TYPES, PAYLOAD_FIELDS = _load()
"""EVENT_TYPES: all types in spec order; TENANT_TYPES: the tenant-scoped ones (need tenant_only=true);
PAYLOAD_FIELDS: leaf paths inside the payload (``x[].y`` = array of objects), empty when the spec has none."""
