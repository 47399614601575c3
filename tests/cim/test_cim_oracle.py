"""CIM compliance held against Splunk's own definitions: pytest-splunk-addon 8.0.0's data_models/*.json and
CommonFields.json (tests/cim/cim_oracle.py reads them from the installed package).

pytest-splunk-addon maps each tags.conf stanza to the datasets whose tags the stanza holds, searches each dataset
chain's constraints plus the stanza, and requires every `required` field (and every `conditional` one where its
condition holds) to be extracted in every event, single-valued (multivalue fields after `nomv`), with a value that
passes the field's `validity` eval and its expected values. Here the same searches run in splsim over one event of
every spec event type for every actor kind, plus one event per fall-back lookup row; every failure must be listed,
with its reason, in the README's table of fields the source cannot provide, and every row of that table must
still be needed. Validity expressions run in splsim's eval engine unchanged.
"""
from __future__ import annotations

import fnmatch
import re
import shutil
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, List, Optional, Set, Tuple

import pytest

from cim_oracle import (PSA_VERSION, Dataset, definitions, field_search, mapped_chains, not_allowed_fields,
                        fields_under_test)
from cim_support import REPO, actor_kind, conf, created_fields, exact_lookup, lookup_rows, readme_cim_block

from oai_audit.events import to_raw
from splsim import Engine

GAPS_HEADER = "| Data set | Field | Event types | Actor | Reason |"
NO_EVENTS = "(no events)"
UNKNOWN_TYPES = "(unknown types)"  # README token for the fall-back rows' events (fallback_events)
FALLBACK_MARK = "zz_future"
FALLBACK_PATTERN = "*%s*" % FALLBACK_MARK
# A failure: (data set, field or NO_EVENTS, event type, actor kind as user_type or "none")
Failure = Tuple[str, str, str, str]


def kind_of(obj: Dict[str, Any]) -> str:
    return actor_kind(obj) or "none"


def tag_stanzas(app_default: Optional[str] = None) -> Dict[str, List[str]]:
    """tags_parser.get_tags: stanza `eventtype=x` becomes the search term `eventtype="x"`, with all its tags."""
    parser = conf("tags.conf") if app_default is None else _conf_at(app_default, "tags.conf")
    out: Dict[str, List[str]] = {}
    for section in parser.sections():
        term = section.replace("=", '="', 1) + '"'
        out[term] = [k for k in parser[section] if k != "__name__"]
    return out


def _conf_at(directory: str, name: str):
    from addonfactory_splunk_conf_parser_lib import TABConfigParser

    p = TABConfigParser()
    p.read("%s/%s" % (directory, name))
    return p


def fallback_events(actor: Dict[str, Any]) -> List[Dict[str, Any]]:
    """One event per wildcard row of the lookup, named so that this row is its first match."""
    out = []
    for i, row in enumerate(r for r in lookup_rows() if "*" in r["event_type"]):
        t = row["event_type"].replace("*", FALLBACK_MARK)
        out.append({"id": "audit_log-fallback-%d" % i, "type": t, "effective_at": 1767225600 + i, "actor": actor,
                    t: {"id": "obj_%s_%d" % (FALLBACK_MARK, i)}})
    return out


@dataclass
class OracleRun:
    models: Set[str]
    chains: List[Tuple[str, List[str]]]      # (tags.conf stanza, dataset chain names)
    covered: Set[str]                         # event ids that some mapped dataset tested
    failures: Set[Failure]


def run_oracle(engine: Engine, objs: List[Dict[str, Any]], stanzas: Dict[str, List[str]]) -> OracleRun:
    events = [engine.make_event(to_raw(o)) for o in objs]
    by_id = {o["id"]: (o["type"], kind_of(o)) for o in objs}
    run = OracleRun(set(), [], set(), set())
    for stanza, tags in stanzas.items():
        for model, chain in mapped_chains(tags):
            ds: Dataset = chain[-1]
            run.models.add(model)
            run.chains.append((stanza, [d.name for d in chain]))
            ids = {r["id"] for r in engine.search(field_search(chain, stanza, None), events)}
            run.covered |= ids
            if not ids:
                run.failures.add((ds.name, NO_EVENTS, "", ""))
            for fld in fields_under_test(ds):
                for r in engine.search(field_search(chain, stanza, fld), events):
                    n, found, valid = int(r["event_count"]), int(r["field_count"]), int(r["valid_count"])
                    if not (found == n and valid == found):  # missing, multivalue, or invalid
                        run.failures.add((ds.name, fld.name) + by_id[r["id"]])
            if ds.name == "Account_Management":
                # The object_category validity's stated intent: `user` on every tag=account event. Evaluated
                # literally it also passes other values there (tag is multivalue, change + account, and
                # `tag!="account"` holds for its `change` value), so the intent is checked here too and our
                # decision shows in the README table.
                spl = field_search(chain, stanza, None).replace(" | stats", ' | search NOT object_category="user" | stats')
                run.failures |= {(ds.name, "object_category") + by_id[r["id"]] for r in engine.search(spl, events)}
    return run


@dataclass(frozen=True)
class GapRow:
    dataset: str
    field: str
    types: Tuple[str, ...]
    actors: Optional[FrozenSet[str]]  # None = any actor
    reason: str

    def covers(self, f: Failure) -> bool:
        ds, fld, t, kind = f
        if (ds, fld) != (self.dataset, self.field):
            return False
        if fld == NO_EVENTS:
            return True
        return any(fnmatch.fnmatchcase(t, p) for p in self.types) and (self.actors is None or kind in self.actors)


def readme_gaps(block: Optional[str] = None) -> List[GapRow]:
    block = readme_cim_block() if block is None else block
    assert GAPS_HEADER in block, "the README CIM section lacks the table %r" % GAPS_HEADER
    lines = block[block.index(GAPS_HEADER):].splitlines()[2:]
    rows = []
    for line in lines:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        assert len(cells) == 5, line
        ticks = [re.findall(r"`([^`]+)`", c) for c in cells]
        assert len(ticks[0]) == 1 and cells[3], line
        fld = NO_EVENTS if cells[1] == NO_EVENTS else ticks[1][0]
        actors = None if cells[3] == "any" else frozenset(ticks[3])
        types = tuple(ticks[2]) + ((FALLBACK_PATTERN,) if UNKNOWN_TYPES in cells[2] else ())
        rows.append(GapRow(ticks[0][0], fld, types, actors, cells[4]))
    return rows


@pytest.fixture(scope="module")
def oracle_objs(generated) -> List[Dict[str, Any]]:
    session_actor = next(o["actor"] for o in generated if kind_of(o) == "session_user")
    return list(generated) + fallback_events(session_actor)


@pytest.fixture(scope="module")
def oracle(engine, oracle_objs) -> OracleRun:
    return run_oracle(engine, oracle_objs, tag_stanzas())


def test_oracle_is_the_pinned_pytest_splunk_addon():
    d = definitions()
    assert d["version"] == PSA_VERSION
    assert {"Change", "Authentication"} <= set(d["data_models"])
    roots = {o["name"]: o for o in d["data_models"]["Change"]["objects"]}
    assert roots["All_Changes"]["search_constraints"].startswith("tag=change")
    # pytest-splunk-addon also tests field clusters; these two models define none (a version that adds some must
    # extend run_oracle, not pass silently)
    stack = list(d["data_models"]["Change"]["objects"]) + list(d["data_models"]["Authentication"]["objects"])
    while stack:
        ds = stack.pop()
        assert not ds.get("fields_cluster"), ds["name"]
        stack += ds.get("child_dataset") or []


def test_every_type_and_fallback_row_is_tested(oracle, oracle_objs):
    """All 145 spec types (each actor kind) and every fall-back row reach a mapped dataset and were checked."""
    assert {o["type"] for o in oracle_objs if not o["id"].startswith("audit_log-fallback")} == set(exact_lookup())
    assert {o["id"] for o in oracle_objs} == oracle.covered
    first_rows = [next(r["event_type"] for r in lookup_rows() if fnmatch.fnmatchcase(o["type"], r["event_type"]))
                  for o in oracle_objs if o["id"].startswith("audit_log-fallback")]
    assert first_rows == [r["event_type"] for r in lookup_rows() if "*" in r["event_type"]]


def test_tags_map_only_to_change_and_authentication(oracle, oracle_objs):
    assert oracle.models == {"Change", "Authentication"}
    assert len(oracle.chains) == 15 and len(oracle_objs) == 593  # the README's numbers
    chains = {(s, tuple(c)) for s, c in oracle.chains}
    assert ('eventtype="openai_audit_network_change"', ("All_Changes", "Network_Changes")) in chains
    assert ('eventtype="openai_audit_auditing_change"', ("All_Changes", "Auditing_Changes")) in chains
    assert ('eventtype="openai_audit_account_management"', ("All_Changes", "Account_Management",
                                                            "Accounts_Created")) in chains


def test_every_failure_is_a_documented_gap_and_every_gap_is_needed(oracle):
    rows = readme_gaps()
    undocumented = sorted(f for f in oracle.failures if not any(r.covers(f) for r in rows))
    assert not undocumented, "CIM requirements not met and not in the README table: %s" % undocumented[:40]
    stale = [r for r in rows if not any(r.covers(f) for f in oracle.failures)]
    assert not stale, "README table rows no failure needs: %s" % stale


def test_removing_an_extraction_makes_the_oracle_fail(tmp_path, oracle_objs):
    """A mutant app without EVAL-dvc: the same run now reports dvc missing on Change events, undocumented."""
    app = tmp_path / "package"
    shutil.copytree(REPO / "package" / "default", app / "default")
    shutil.copytree(REPO / "package" / "lookups", app / "lookups")
    props = app / "default" / "props.conf"
    text = props.read_text(encoding="utf-8")
    assert "\nEVAL-dvc = " in text
    props.write_text(re.sub(r"\nEVAL-dvc = [^\n]*", "", text), encoding="utf-8")
    objs = [o for o in oracle_objs if o["type"] in ("project.created", "api_key.deleted")]
    run = run_oracle(Engine(app_dir=str(app)), objs, tag_stanzas(str(app / "default")))
    rows = readme_gaps()
    new = {f for f in run.failures if not any(r.covers(f) for r in rows)}
    assert ("All_Changes", "dvc", "project.created", "session_user") in new


def test_a_new_type_without_lookup_row_is_not_silently_compliant(engine, oracle_objs):
    """An event type the add-on does not know falls back to `*`: no action, no object_category; the gaps table
    names that fall-back row only, so a failure for a new exact type would show as undocumented."""
    actor = next(o["actor"] for o in oracle_objs if kind_of(o) == "session_user")
    obj = {"id": "audit_log-new", "type": "widget.teleported", "effective_at": 1767225600, "actor": actor,
           "widget.teleported": {"id": "w_1"}}
    run = run_oracle(engine, [obj], tag_stanzas())
    rows = readme_gaps()
    assert ("All_Changes", "action", "widget.teleported", "session_user") in run.failures
    assert not any(r.covers(("All_Changes", "action", "widget.teleported", "session_user")) for r in rows)


def test_readme_gap_table_parser_rejects_unknown_rows():
    block = GAPS_HEADER + "\n|---|---|---|---|---|\n| `All_Changes` | `src` | `*` | `user_api_key` | no IP |\n"
    (row,) = readme_gaps(block)
    assert row.covers(("All_Changes", "src", "api_key.created", "user_api_key"))
    assert not row.covers(("All_Changes", "src", "api_key.created", "session_user"))
    assert not row.covers(("All_Changes", "user", "api_key.created", "user_api_key"))


def test_common_fields_that_es_fills_are_never_extracted(engine, oracle_objs):
    """CommonFields.json: *_bunit, *_category, *_priority (asset and identity correlation fills them) are neither
    created by props.conf nor present on any event; `tag` is not created in props.conf (tags.conf does that)."""
    never = not_allowed_fields(("not_allowed_in_search_and_props", "not_allowed_in_search"))
    not_in_props = not_allowed_fields(("not_allowed_in_search_and_props", "not_allowed_in_props"))
    assert {"user_category", "src_priority", "dest_bunit", "dvc_category"} <= set(never)
    assert "tag" in not_in_props
    assert not created_fields() & set(not_in_props)
    for obj in oracle_objs:
        fields = engine.extract(engine.make_event(to_raw(obj)))
        assert not set(fields) & set(never), obj["type"]
