"""How large real-shaped audit events get, against Splunk's search-time extraction limits (README, CIM "Limits").

limits.conf.spec:
- `[spath] extraction_cutoff = 5000`: "For 'extract-all' spath extraction mode, this setting applies extraction only
  to the first <integer> number of bytes. This setting applies both the auto kv extraction and the spath command".
  KV_MODE = json is that automatic extraction.
- `[kv] maxchars = 10240`: "Truncate _raw to this size and then do auto KV."

Events are the input's exact bytes (oai_audit.events.to_raw). Typical sizes come from the simulator (every type, every
actor kind); the worst cases take the spec's fields that have no size bound at realistic large values. For each case
the table lists the fields whose value starts after a limit (lost) or whose multivalue list runs past it (cut), and the
CIM fields of props.conf that read them. `object_id` / `object_attrs` read `_raw` with the json_* eval functions and
are not bounded by either limit.

Print the README table: `.venv/py3.13/bin/python tests/cim/event_sizes.py`.
"""
from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

sys.path[:0] = [str(Path(__file__).resolve().parents[2] / p) for p in ("tools", "package/bin")]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cim_support import props_stanza, spec_rows  # noqa: E402

from oai_audit.events import to_raw  # noqa: E402
from oai_sim.generator import ACTOR_KINDS, make_event  # noqa: E402

SPATH_EXTRACTION_CUTOFF = 5000
KV_MAXCHARS = 10240
SEED = 12
SAMPLES_PER_KIND = 20

# Real certificates made with OpenSSL 3.0.19 (`openssl req -x509 -newkey rsa:N -days 825`, subject
# /C/ST/L/O/OU/CN of a typical mTLS client CA, two subjectAltNames): PEM bytes and lines including the last newline.
PEM_RSA2048 = (1554, 26)
PEM_RSA4096 = (2248, 36)


def _pem(size: Tuple[int, int], seed: int) -> str:
    """A PEM block with the measured certificate's length and line layout (64 base64 characters a line)."""
    total, lines = size
    body_chars = total - len("-----BEGIN CERTIFICATE-----\n") - len("-----END CERTIFICATE-----\n") - (lines - 2)
    rng = random.Random(seed)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    body = "".join(rng.choice(alphabet) for _ in range(body_chars))
    rows = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(rows) + "\n-----END CERTIFICATE-----\n"


def _cidrs(n: int) -> List[str]:
    return ["10.%d.%d.0/24" % (i // 256, i % 256) for i in range(n)]


Mutator = Callable[[Dict[str, Any]], None]
WORST_CASES: List[Tuple[str, str, Mutator]] = [
    ("certificate.deleted, one RSA-2048 PEM", "certificate.deleted",
     lambda p: p.update(certificate=_pem(PEM_RSA2048, 1))),
    ("certificate.deleted, one RSA-4096 PEM", "certificate.deleted",
     lambda p: p.update(certificate=_pem(PEM_RSA4096, 2))),
    ("certificate.deleted, chain of 3 RSA-4096 PEMs", "certificate.deleted",
     lambda p: p.update(certificate="".join(_pem(PEM_RSA4096, s) for s in (3, 4, 5)))),
    ("ip_allowlist.created, 250 ranges", "ip_allowlist.created", lambda p: p.update(allowed_ips=_cidrs(250))),
    ("ip_allowlist.updated, 1000 ranges", "ip_allowlist.updated", lambda p: p.update(allowed_ips=_cidrs(1000))),
    ("certificates.activated, 100 certificates", "certificates.activated",
     lambda p: p.update(certificates=[{"id": "cert_%016d" % i, "name": "mtls-client-%03d" % i} for i in range(100)])),
    ("organization.updated, 200 logged projects", "organization.updated",
     lambda p: p["changes_requested"].update(api_call_logging="enabled_for_selected_projects",
                                             api_call_logging_project_ids=",".join("proj_%024d" % i
                                                                                   for i in range(200)))),
]


def value_offsets(obj: Any) -> Tuple[str, Dict[str, List[Tuple[int, int]]]]:
    """Compact JSON exactly as to_raw writes it, and the byte span (start, end) of each value of each Splunk field
    name (a.b, a{}, a{}.b)."""
    out: List[str] = []
    pos = [0]
    offsets: Dict[str, List[Tuple[int, int]]] = {}

    def emit(s: str) -> None:
        out.append(s)
        pos[0] += len(s.encode("utf-8"))

    def walk(v: Any, name: str) -> None:
        if isinstance(v, dict):
            emit("{")
            for i, (k, x) in enumerate(v.items()):
                emit(("," if i else "") + json.dumps(k, ensure_ascii=False) + ":")
                walk(x, "%s.%s" % (name, k) if name else k)
            emit("}")
        elif isinstance(v, list):
            emit("[")
            for i, x in enumerate(v):
                emit("," if i else "")
                walk(x, name + "{}")
            emit("]")
        else:
            start = pos[0]
            emit(json.dumps(v, ensure_ascii=False))
            offsets.setdefault(name, []).append((start, pos[0]))

    walk(obj, "")
    return "".join(out), offsets


def cim_readers() -> Dict[str, List[str]]:
    """Raw field name -> the props.conf fields (EVAL / FIELDALIAS targets) that read it."""
    readers: Dict[str, List[str]] = {}
    for key, value in props_stanza().items():
        if key.startswith("EVAL-"):
            for src in re.findall(r"'([^']+)'", value):
                readers.setdefault(src, []).append(key[len("EVAL-"):])
        elif key.startswith("FIELDALIAS-"):
            words = value.split()
            for i, w in enumerate(words):
                if w == "AS":
                    readers.setdefault(words[i - 1], []).append(words[i + 1])
    return readers


def beyond(offsets: Dict[str, List[Tuple[int, int]]], limit: int) -> List[str]:
    """Fields lost (their first value starts after the limit) or cut (a value, or the list of values, runs past it),
    with the CIM fields that read them."""
    readers = cim_readers()
    out = []
    for name, spans in offsets.items():
        if spans[-1][1] <= limit:
            continue
        how = "lost" if spans[0][0] >= limit else "cut"
        cim = sorted(set(readers.get(name, [])))
        out.append("`%s` %s%s" % (name, how, " (%s)" % ", ".join("`%s`" % c for c in cim) if cim else ""))
    return out


def typical() -> Tuple[int, str, int]:
    """Largest simulator-shaped event over every type and actor kind: (bytes, type, median bytes)."""
    rng = random.Random(SEED)
    sizes: List[Tuple[int, str]] = []
    for i, row in enumerate(spec_rows()):
        t = row["event_type"]
        kinds = ("session",) if t.startswith(("login.", "logout.")) else ACTOR_KINDS
        for kind in kinds:
            for _ in range(SAMPLES_PER_KIND):
                raw = to_raw(make_event(t, rng, 1767225600 + i, actor_kind=kind))
                sizes.append((len(raw.encode("utf-8")), t))
    sizes.sort()
    return sizes[-1][0], sizes[-1][1], sizes[len(sizes) // 2][0]


def rows() -> List[List[str]]:
    rng = random.Random(SEED)
    out = []
    for label, event_type, mutate in WORST_CASES:
        obj = make_event(event_type, rng, 1767225600, actor_kind="session")
        mutate(obj[event_type])
        raw, offsets = value_offsets(obj)
        assert raw == to_raw(obj)
        size = len(raw.encode("utf-8"))
        cells = [", ".join(beyond(offsets, lim)) or "none" for lim in (SPATH_EXTRACTION_CUTOFF, KV_MAXCHARS)]
        out.append([label, str(size)] + cells)
    return out


def table() -> str:
    biggest, biggest_type, median = typical()
    lines = ["Simulator-shaped events, %d of every type and actor kind: median %d bytes, largest %d (`%s`)."
             % (SAMPLES_PER_KIND, median, biggest, biggest_type), "",
             "| Real-shaped worst case | Event bytes | After byte 5000 (`[spath] extraction_cutoff`) "
             "| After byte 10240 (`[kv] maxchars`) |", "|---|---|---|---|"]
    lines += ["| %s |" % " | ".join(r) for r in rows()]
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
