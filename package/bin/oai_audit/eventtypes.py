"""Which event types are tenant-scoped (they need ``tenant_only=true``), per the spec's tenant_only text."""
from __future__ import annotations

from typing import List, Sequence, Tuple

TENANT_ROLE_TYPES = frozenset({"role.bound_to_resource", "role.unbound_from_resource"})


def is_tenant_scoped(event_type: str) -> bool:
    return event_type.startswith("tenant.") or event_type in TENANT_ROLE_TYPES


def split(event_types: Sequence[str]) -> Tuple[List[str], List[str]]:
    """(main-stream types, tenant-stream types) of a user filter, order kept."""
    main = [t for t in event_types if not is_tenant_scoped(t)]
    tenant = [t for t in event_types if is_tenant_scoped(t)]
    return main, tenant
