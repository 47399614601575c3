"""The README's CIM block stays true to the knowledge objects: every field we create is documented and the
per-dataset counts match the lookup."""
from __future__ import annotations

import re
from collections import Counter

from cim_support import REPO, conf, exact_lookup, props_stanza


def _block() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return text[text.index("<!-- BEGIN cim -->"):text.index("<!-- END cim -->")]


def _created_fields() -> set:
    st = props_stanza()
    fields = {k[len("EVAL-"):] for k in st if k.startswith("EVAL-")}
    for k, v in st.items():
        if k.startswith("FIELDALIAS-"):
            words = v.split()
            fields |= {words[i + 1] for i, w in enumerate(words) if w in ("AS", "ASNEW")}
        if k.startswith("EXTRACT-"):
            fields |= set(re.findall(r"\(\?<([A-Za-z_][A-Za-z0-9_]*)>", v))
        if k.startswith("REPORT-"):
            for name in v.replace(",", " ").split():
                fields |= set(re.findall(r"(\w+)::", conf("transforms.conf")[name]["FORMAT"]))
        if k.startswith("LOOKUP-"):
            out = v.split(" OUTPUT ", 1)[1].split()
            fields |= {w for i, w in enumerate(out) if w != "AS" and (i + 1 >= len(out) or out[i + 1] != "AS")}
    return fields


def test_every_created_field_is_documented():
    block = _block()
    missing = sorted(f for f in _created_fields() if "`%s`" % f not in block)
    assert not missing, missing


def test_dataset_counts_match_the_lookup():
    counts = Counter(r["dataset"] for r in exact_lookup().values())
    block = _block()
    assert re.search(r"\| %d configuration types" % counts["All_Changes"], block)
    assert re.search(r"\| %d user, invite" % counts["Account_Management"], block)
    assert "each of the %d types" % len(exact_lookup()) in block
