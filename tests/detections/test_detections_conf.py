"""Conf-level checks of the rendered ES content: required keys, JSON values, names, schedules, AppInspect rules."""
from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Dict, Mapping

import pytest
from addonfactory_splunk_conf_parser_lib import TABConfigParser
from croniter import croniter
from splsim import Engine
from splsim.timeutil import parse_time_modifier

import render_detections as rd
from det_support import APP_DIR, DEFAULT_NOW, LOOKUPS_DIR, ROOT, build_events, parse_time
from oai_audit.events import to_raw

DETECTIONS = rd.load_detections()
IDS = [d["name"] for d in DETECTIONS]
STORIES = {rd.yaml.safe_load(p.read_text())["name"] for p in (ROOT / "detections" / "stories").glob("*.yml")}
SEVERITIES = {"informational", "low", "medium", "high", "critical"}
DOMAIN_PREFIXES = ["Access - ", "Endpoint - ", "Network - ", "Threat - ", "Identity - ", "Audit - "]
MITRE_RE = re.compile(r"^T\d{4}(\.\d{3})?$")
TOKEN_RE = re.compile(r"\$(\w+)\$")


def _parse(name: str) -> TABConfigParser:
    p = TABConfigParser()
    p.read(str(ROOT / "package" / "default" / name))
    return p


SAVED = _parse("savedsearches.conf")
MACROS = _parse("macros.conf")
TRANSFORMS = _parse("transforms.conf")


def _stanza(d: Mapping[str, Any]) -> Dict[str, str]:
    return {k: v for k, v in SAVED.items(rd.stanza_name(d["name"])) if k != "__name__"}


def test_rendered_files_are_in_sync() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "render_detections.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_check_fails_when_a_yaml_changes(tmp_path: Path) -> None:
    """--check logic: a detection edit makes the committed confs stale; other stanzas in shared files survive."""
    import shutil
    shutil.copytree(ROOT / "detections", tmp_path / "detections")
    (tmp_path / "package" / "default").mkdir(parents=True)
    for name in ("savedsearches.conf", "macros.conf", "transforms.conf"):
        shutil.copy(ROOT / "package" / "default" / name, tmp_path / "package" / "default" / name)
    before = rd.rendered_files(tmp_path)
    assert all(p.read_text() == t for p, t in before.items())
    y = tmp_path / "detections" / "scim_disabled.yml"
    y.write_text(y.read_text().replace("severity: high", "severity: critical", 1))
    after = rd.rendered_files(tmp_path)
    changed = [p.name for p, t in after.items() if p.read_text() != t]
    assert changed == ["savedsearches.conf"]  # no README.md in this tmp root
    text = after[tmp_path / "package" / "default" / "savedsearches.conf"]
    assert "[OpenAI Audit - Collector Health - Alert]" in text or "Collector Health" not in \
        (ROOT / "package" / "default" / "savedsearches.conf").read_text()


def test_splice_keeps_foreign_content() -> None:
    existing = "[a]\nx = 1\n\n" + rd.BEGIN + "\n[old]\n" + rd.END + "\n\n[b]\ny = 2\n"
    out = rd.splice(existing, "[new]\nz = 3\n")
    assert out == "[a]\nx = 1\n\n" + rd.BEGIN + "\n[new]\nz = 3\n" + rd.END + "\n\n[b]\ny = 2\n"
    assert rd.splice("", "[n]\n") == rd.BEGIN + "\n[n]\n" + rd.END + "\n"


def test_at_least_seventeen_detections_with_unique_uuid_ids() -> None:
    assert len(DETECTIONS) >= 17
    ids = [d["id"] for d in DETECTIONS]
    assert len(set(ids)) == len(ids)
    for i in ids:
        assert str(uuid.UUID(i)) == i


@pytest.mark.parametrize("det", DETECTIONS, ids=IDS)
def test_name_fits_es_limit(det: Dict[str, Any]) -> None:
    name = rd.stanza_name(det["name"])
    assert name.endswith(" - Rule") and name.startswith("OpenAI Audit - ")
    assert max(len(p + name) for p in DOMAIN_PREFIXES) <= 99


@pytest.mark.parametrize("det", DETECTIONS, ids=IDS)
def test_schedule_and_appinspect_rules(det: Dict[str, Any]) -> None:
    st = _stanza(det)
    assert st["disabled"] == "1" and st["enableSched"] == "1"
    cron = st["cron_schedule"]
    assert croniter.is_valid(cron)
    it = croniter(cron, parse_time(DEFAULT_NOW))
    runs = [it.get_next(float) for _ in range(13)]
    assert runs[-1] - runs[0] > 3600, "runs more than 12 times an hour"  # AppInspect gratuitous cron check
    period = runs[1] - runs[0]
    now = parse_time(DEFAULT_NOW)
    earliest = parse_time_modifier(st["dispatch.earliest_time"], now)
    latest = parse_time_modifier(st["dispatch.latest_time"], now)
    assert not st["dispatch.earliest_time"].startswith("rt") and not st["dispatch.latest_time"].startswith("rt")
    assert latest <= now - 600, "latest must leave room for the 300 s poll interval and the API's delay"
    assert latest - earliest == period, "consecutive runs read touching windows (contentctl: -70m@m..-10m@m hourly)"
    assert st["description"].strip()
    for forbidden in ("action.email.to", "action.script.filename", "action.populate_lookup"):
        assert forbidden not in st
    assert st.get("realtime_schedule", "0") == "0"


@pytest.mark.parametrize("det", DETECTIONS, ids=IDS)
def test_inline_time_range_ends_where_the_dispatch_window_ends(det: Dict[str, Any]) -> None:
    """Splunk Search Reference, "Time modifiers": a time modifier in the search overrides the time range, and
    without latest= the search runs to now. A search that reads further back (inline earliest=) must give
    latest= too, equal to its dispatch.latest_time, and start at the dispatch earliest minus a lookback; the
    slice macros it uses equal the dispatch window (so a run reports only its own slice)."""
    st = _stanza(det)
    assert MACROS.get("openai_audit_slice_earliest", "definition") == st["dispatch.earliest_time"]
    assert MACROS.get("openai_audit_slice_latest", "definition") == st["dispatch.latest_time"]
    expanded = Engine(app_dir=APP_DIR).expand_macros(st["search"])
    first = expanded.split("|")[0]
    earliest = re.findall(r"\bearliest=(\S+)", first)
    latest = re.findall(r"\blatest=(\S+)", first)
    assert len(earliest) == len(latest) <= 1, "earliest= and latest= come together, once"
    if earliest:
        assert latest == [st["dispatch.latest_time"]]
        assert re.fullmatch(re.escape(st["dispatch.earliest_time"]) + r"-\d+s", earliest[0]), earliest
    assert not re.search(r"\bnow\(\)", expanded), "now() is the job's start, not its scheduled time: use addinfo"


@pytest.mark.parametrize("det", DETECTIONS, ids=IDS)
def test_es_correlation_keys(det: Dict[str, Any]) -> None:
    st = _stanza(det)
    name = rd.stanza_name(det["name"])
    assert st["action.correlationsearch.enabled"] == "1"
    assert st["action.correlationsearch.label"] == name
    assert st["action.correlationsearch.detection_type"] == "ebd"
    ann = json.loads(st["action.correlationsearch.annotations"])
    assert ann["mitre_attack"] and all(MITRE_RE.match(t) for t in ann["mitre_attack"])
    assert ann["analytic_story"] and set(ann["analytic_story"]) <= STORIES
    assert ann["kill_chain_phases"] and ann["nist"] and ann["type"] == det["type"]
    meta = json.loads(st["action.correlationsearch.metadata"])
    assert meta["detection_id"] == det["id"] and meta["detection_version"] == str(det["version"])
    is_ttp = det["type"] == "TTP"
    assert st["action.notable"] == ("1" if is_ttp else "0")  # Anomaly: risk only (ESCU convention)
    assert st["action.risk"] == "1"
    for key in ("rule_title", "rule_description"):
        assert TOKEN_RE.search(st["action.notable.param." + key]), f"{key} has no $field$ token"
    assert st["action.notable.param.security_domain"] in {"access", "endpoint", "network", "threat", "identity",
                                                          "audit"}
    assert st["action.notable.param.severity"] in SEVERITIES
    assert st["action.notable.param.nes_fields"]
    drill = json.loads(st["action.notable.param.drilldown_searches"])
    assert drill and all({"name", "search"} <= set(x) for x in drill)
    assert all(("earliest_offset" in x) == ("latest_offset" in x) for x in drill)  # both offsets or neither
    steps = json.loads(st["action.notable.param.next_steps"])
    assert steps["version"] == 1 and steps["data"]
    risk = json.loads(st["action.risk.param._risk"])
    objs = [r for r in risk if "risk_object_field" in r]
    threats = [r for r in risk if "threat_object_field" in r]
    assert {"risk_object_field": "user", "risk_object_type": "user"}.items() <= \
        next(r for r in objs if r["risk_object_field"] == "user").items()
    assert all(0 < r["risk_score"] <= 100 and r["risk_object_type"] in ("user", "system", "other") for r in objs)
    if "src" in det["output_fields"]:  # API-key actors have no address: those detections name the key instead
        assert any(r["risk_object_field"] == "src" for r in objs) or any(t["threat_object_field"] == "src"
                                                                           for t in threats), "src entity"
    assert TOKEN_RE.search(st["action.risk.param._risk_message"])
    assert st["alert.suppress"] == "1"
    assert re.match(r"^[0-9]+[smh]$", st["alert.suppress.period"])
    assert st["alert.suppress.fields"] and " " not in st["alert.suppress.fields"]


@pytest.mark.parametrize("det", DETECTIONS, ids=IDS)
def test_search_shape_and_macros(det: Dict[str, Any]) -> None:
    search = _stanza(det)["search"]
    flt = rd.filter_macro_name(det["name"])
    assert search.startswith("`openai_audit`") and search.endswith(f"`{flt}`")
    assert MACROS.get(flt, "definition") == "search *"
    expanded = Engine(app_dir=APP_DIR).expand_macros(search)
    assert "`" not in expanded and expanded.startswith('(sourcetype="openai:audit")')


def test_seed_rule_schedule_and_suppression() -> None:
    st = _stanza(next(d for d in DETECTIONS if d["name"] == "Organization Security Configuration Change"))
    assert st["cron_schedule"] == "0 * * * *" and st["action.notable.param.severity"] == "high"
    assert st["alert.suppress.fields"] == "user,change_key" and st["alert.suppress.period"] == "21600s"
    assert set(json.loads(st["action.correlationsearch.annotations"])["mitre_attack"]) == {"T1562", "T1098"}


def test_lookups_defined_loadable_and_examples_inert() -> None:
    eng = Engine(app_dir=APP_DIR)
    used = set()
    for d in DETECTIONS:
        used |= set(re.findall(r"\blookup (\w+)", d["search"]))
    defined = {lk["name"]: lk for lk in rd.load_yaml("lookups.yml")}
    assert used <= set(defined)
    for name, lk in defined.items():
        assert TRANSFORMS.get(name, "filename") == lk["filename"]
        with open(LOOKUPS_DIR / lk["filename"], newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert rows, f"{name}: header plus at least one row"
        loaded = eng.search(f"| inputlookup {name}", [])
        assert len(loaded) == len(rows)
    assert TRANSFORMS.get("openai_audit_corporate_cidrs", "match_type") == "CIDR(cidr)"
    # example rows can never match real data: documentation /32, reserved .invalid names, a window in 2000
    for fn in ("openai_audit_production_resources.csv", "openai_audit_external_key_allowlist.csv",
               "openai_audit_change_tickets.csv", "openai_audit_authorized_admins.csv"):
        text = (LOOKUPS_DIR / fn).read_text()
        assert "EXAMPLE" in text and ".invalid" in text
    assert "/32,EXAMPLE" in (LOOKUPS_DIR / "openai_audit_corporate_cidrs.csv").read_text()


def test_actor_drilldown_finds_the_actors_events() -> None:
    eng = Engine(app_dir=APP_DIR)
    now = parse_time(DEFAULT_NOW)
    objs = build_events([{"type": "scim.disabled", "actor": "alice", "payload": {"id": "o"}},
                         {"type": "scim.enabled", "actor": "bob", "payload": {"id": "o"}}], now)
    events = [eng.make_event(to_raw(o)) for o in objs]
    drill = json.loads(_stanza(DETECTIONS[0])["action.notable.param.drilldown_searches"])[0]
    rows = eng.search(drill["search"].replace("$user$", "alice@corp.example"), events, now=now)
    assert [r["type"] for r in rows] == ["scim.disabled"]


def test_readme_table_matches_the_detections() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text[text.index("<!-- BEGIN detections -->"):text.index("<!-- END detections -->")]
    assert rd.README_BEGIN + "\n" + rd.render_readme_table(DETECTIONS) + rd.README_END in block
    assert f"{len(DETECTIONS)} detections ship as ES correlation searches" in block
