"""Findings are raised once (issue 12 §2): every shipped detection replayed through consecutive hourly runs over
26 hours of generated audit events plus the planted situations of replay_situations.yml, each run over its own
dispatch range as it sees the events indexed by its dispatch time, with ES throttling (alert.suppress,
alert.suppress.fields, alert.suppress.period counted from the previous alert's fire time; splsim.alerting).

What it stands for: the scheduling of Splunk's own content tool (contentctl 5.6.2,
templates/deployments/escu_default_configuration_ttp.yml: cron ``0 * * * *``, ``-70m@m``..``-10m@m``,
``schedule_window: auto``), savedsearches.conf.spec and the Alerting Manual's "Throttle alerts" (see
tools/splsim/README.md, "Scheduled searches and throttling"). The controls at the end show that the replay
does catch a double finding when the windows overlap or a search reads past its dispatch latest.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Dict, List

import pytest

import render_detections
from det_support import APP_DIR
from replay_support import API_DELAY_MAX, SITUATIONS_FILE, Replay, Situation, Timing, load_situations, replay
from splsim import Engine

SITUATIONS = load_situations()
# One index lag, dispatch delay and run time for every event and run: each run fires exactly one schedule period
# after the previous one, the case in which a suppression period equal to that period has just expired.
STEADY = Timing(index_lag=(60.0, 60.0), dispatch_delay=(0.0, 0.0), run_time=(30.0, 30.0))


@pytest.fixture(scope="module")
def full_replay() -> Replay:
    return replay(SITUATIONS)


def _situation(name: str) -> Situation:
    return next(s for s in SITUATIONS if s.name == name)


@pytest.mark.parametrize("situation", SITUATIONS, ids=[s.name for s in SITUATIONS])
def test_each_planted_situation_gives_exactly_its_findings(situation: Situation, full_replay: Replay) -> None:
    found = full_replay.findings_of(situation)
    slots = [run.scheduled for run, _ in found]
    assert len(found) == situation.findings, f"{len(found)} findings (runs due at {slots}) for {situation.match}"


def test_no_event_is_reported_by_two_findings(full_replay: Replay) -> None:
    """Background included: a finding's event_id never shows up in another finding of the same detection."""
    twice: Dict[str, List[str]] = {}
    for name in full_replay.runs:
        ids = Counter(i for _, a in full_replay.findings(name) for i in _values(a.get("event_id")))
        repeated = sorted(i for i, c in ids.items() if c > 1)
        if repeated:
            twice[name] = repeated
    assert not twice, f"events reported twice: {twice}"
    assert sum(len(full_replay.findings(n)) for n in full_replay.runs) > 100, "the background should raise findings"


def test_consecutive_runs_read_touching_windows(full_replay: Replay) -> None:
    for name, runs in full_replay.runs.items():
        assert len(runs) == 27, name
        for a, b in zip(runs, runs[1:]):
            assert a.latest == b.earliest and b.latest - b.earliest == b.scheduled - a.scheduled == 3600, name


def test_each_planted_event_lies_in_one_window(full_replay: Replay) -> None:
    """Every planted event after the replay's first window start lies in exactly one run's window."""
    for s in SITUATIONS:
        runs = full_replay.runs[s.detection]
        for t in (o["effective_at"] for o in s.events if o["effective_at"] >= runs[0].earliest):
            assert sum(r.earliest <= t < r.latest for r in runs) == 1, (s.name, t)


def test_rendered_schedule_is_contentctls() -> None:
    for d in render_detections.load_detections():
        assert d["schedule"] == {"cron_schedule": "0 * * * *", "earliest_time": "-70m@m", "latest_time": "-10m@m",
                                 "schedule_window": "auto"}, d["name"]


def test_renderer_refuses_an_inline_earliest_without_the_dispatch_latest() -> None:
    """An inline earliest= without latest= ends at now (Search Reference, Time modifiers): refused at render time."""
    det = next(d for d in render_detections.load_detections() if d["name"] == "Impossible Travel Between Sessions")
    macros = {m["name"]: m["definition"] for m in render_detections.load_yaml("macros.yml") if not m.get("args")}
    render_detections.validate_inline_time(det, macros)
    for search in (det["search"].replace(" latest=`openai_audit_slice_latest`", ""),
                   det["search"].replace("latest=`openai_audit_slice_latest`", "latest=now")):
        assert search != det["search"]
        with pytest.raises(render_detections.DetectionError, match="inline earliest"):
            render_detections.validate_inline_time(dict(det, search=search), macros)


def test_renderer_refuses_a_result_risk_score() -> None:
    """README "Risk scores and severity": per-object scores of rba.risk_objects are a rule's only risk scores."""
    det = render_detections.load_detections()[0]
    bad = dict(det, search=det["search"].replace("| table ", "| eval risk_score=90 | table ", 1))
    assert bad["search"] != det["search"]
    with pytest.raises(render_detections.DetectionError, match="risk_score"):
        render_detections.validate(bad)


# --- controls: the replay detects double findings -------------------------------------------------------------

def _stanza(name: str, **changes: str) -> Dict[str, Dict[str, str]]:
    st = dict(Engine(app_dir=APP_DIR).savedsearches[render_detections.stanza_name(name)])
    st.update(changes)
    return {name: st}


def test_control_former_overlapping_windows_report_a_band_event_twice() -> None:
    """The former -70m@m..-5m@m windows with a 3600 s suppression: the event in the 5 minutes both runs read
    fires twice when the second alert fires one period after the first (issue 12 §2)."""
    s = _situation("certificate deleted in the band the former windows read twice")
    stanzas = _stanza(s.detection, **{"dispatch.latest_time": "-5m@m"})
    assert len(replay([s], detections=[s.detection], stanzas=stanzas, timing=STEADY, background=0).findings_of(s)) == 2
    assert len(replay([s], detections=[s.detection], timing=STEADY, background=0).findings_of(s)) == 1


def test_control_inline_earliest_without_latest_reports_twice() -> None:
    """Without its inline latest= the role-assignment search ends at now (Time modifiers) and reads the
    10 minutes the next run reads again."""
    s = _situation("role assigned on a production resource in the band the former windows read twice "
                   "(inline earliest)")
    st = _stanza(s.detection)
    search = st[s.detection]["search"]
    assert " latest=`openai_audit_slice_latest`" in search
    st[s.detection]["search"] = search.replace(" latest=`openai_audit_slice_latest`", "")
    assert len(replay([s], detections=[s.detection], stanzas=st, timing=STEADY, background=0).findings_of(s)) == 2
    assert len(replay([s], detections=[s.detection], timing=STEADY, background=0).findings_of(s)) == 1


def test_a_longer_input_interval_needs_a_longer_lag() -> None:
    """README "Detection scheduling": with interval 900 s and API delay 240 s an event can be indexed 19 minutes
    after it happened. The default windows then miss one at the end of a window; windows moved back by the extra
    10 minutes (-80m@m..-20m@m) read it once."""
    s = _situation("certificate deleted at the last second of a window")
    late = Timing(index_lag=(900.0 + API_DELAY_MAX,) * 2, dispatch_delay=(0.0, 0.0), run_time=(30.0, 30.0))
    assert replay([s], detections=[s.detection], timing=late, background=0).findings_of(s) == []
    moved = _stanza(s.detection, **{"dispatch.earliest_time": "-80m@m", "dispatch.latest_time": "-20m@m"})
    assert len(replay([s], detections=[s.detection], stanzas=moved, timing=late, background=0).findings_of(s)) == 1


def _values(v: object) -> List[str]:
    if v is None:
        return []
    return [str(x) for x in v] if isinstance(v, list) else [str(v)]


def test_situations_file_documents_its_keys() -> None:
    text = SITUATIONS_FILE.read_text(encoding="utf-8")
    for key in ("name:", "detection:", "at:", "events:", "match:", "findings:", "lookups:"):
        assert re.search(rf"^#\s+{key}", text, re.M), key
    assert text.count("\n- name:") == len(SITUATIONS)
