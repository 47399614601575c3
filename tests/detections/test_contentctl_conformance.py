"""The rendered correlation searches checked key by key against Splunk's own content tool, contentctl 5.6.2 (PyPI):
its template ``contentctl/output/templates/savedsearches_detections.j2``, its default TTP/Anomaly deployment
(``templates/deployments/escu_default_configuration_{ttp,anomaly}.yml``) and its models
(``objects/abstract_security_content_objects/detection_abstract.py`` ``metadata`` / ``annotations``,
``objects/drilldown.py``). The key lists below are copied from that template (contentctl is not a test dependency:
its own dependencies are heavy); ``action.escu.*`` keys are ESCU's UI metadata, which ES does not read.
"""
from __future__ import annotations

import calendar
import datetime
import json
from typing import Any, Dict

import pytest
from addonfactory_splunk_conf_parser_lib import TABConfigParser

import render_detections as rd
from det_support import ROOT

DETECTIONS = rd.load_detections()
IDS = [d["name"] for d in DETECTIONS]

# Keys the template writes for every detection with RBA (TTP and Anomaly) and, for TTP, the notable keys.
RBA_KEYS = ("action.risk", "action.risk.param._risk_message", "action.risk.param._risk", "action.risk.param._risk_score",
            "action.risk.param.verbose")
COMMON_KEYS = ("description", "cron_schedule", "dispatch.earliest_time", "dispatch.latest_time",
               "action.correlationsearch.enabled", "action.correlationsearch.detection_type",
               "action.correlationsearch.label", "action.correlationsearch.annotations",
               "action.correlationsearch.metadata", "schedule_window", "alert.digest_mode", "disabled", "enableSched",
               "allow_skew", "counttype", "relation", "quantity", "realtime_schedule", "is_visible", "alert.suppress",
               "alert.suppress.fields", "alert.suppress.period", "search", "action.notable.param.drilldown_searches")
NOTABLE_KEYS = ("action.notable", "action.notable.param._entities", "action.notable.param.nes_fields",
                "action.notable.param.rule_description", "action.notable.param.rule_title",
                "action.notable.param.security_domain", "action.notable.param.severity")
# Values the template (or the default deployment) fixes. Booleans: contentctl writes true/false where we write 1/0
# (`disabled`, `alert.suppress`); savedsearches.conf.spec reads both as the same boolean.
FIXED = {"action.risk": "1", "action.risk.param._risk_score": "0", "action.risk.param.verbose": "0",
         "cron_schedule": "0 * * * *", "dispatch.earliest_time": "-70m@m", "dispatch.latest_time": "-10m@m",
         "action.correlationsearch.enabled": "1", "action.correlationsearch.detection_type": "ebd",
         "schedule_window": "auto", "alert.digest_mode": "1", "enableSched": "1", "allow_skew": "100%",
         "counttype": "number of events", "relation": "greater than", "quantity": "0", "realtime_schedule": "0",
         "is_visible": "false"}
ENTITIES_PLACEHOLDER = [{"risk_object_field": "N/A", "risk_object_type": "N/A", "risk_score": 0}]


def _saved() -> TABConfigParser:
    p = TABConfigParser()
    p.read(str(ROOT / "package" / "default" / "savedsearches.conf"))
    return p


SAVED = _saved()


def _stanza(d: Dict[str, Any]) -> Dict[str, str]:
    return {k: v for k, v in SAVED.items(rd.stanza_name(d["name"])) if k != "__name__"}


@pytest.mark.parametrize("det", DETECTIONS, ids=IDS)
def test_every_contentctl_key_is_written(det: Dict[str, Any]) -> None:
    st = _stanza(det)
    wanted = COMMON_KEYS + RBA_KEYS + (NOTABLE_KEYS if det["type"] == "TTP" else ())
    assert [k for k in wanted if k not in st] == []
    assert {k: st[k] for k in FIXED} == FIXED
    assert st["action.correlationsearch.label"] == rd.stanza_name(det["name"])
    if det["type"] == "TTP":
        assert st["action.notable"] == "1"
        assert json.loads(st["action.notable.param._entities"]) == ENTITIES_PLACEHOLDER


@pytest.mark.parametrize("det", DETECTIONS, ids=IDS)
def test_metadata_as_contentctl_writes_it(det: Dict[str, Any]) -> None:
    """detection_abstract.metadata: detection_id, deprecated, detection_version and publish_time, the detection's
    date at 00:00 UTC as epoch seconds (a float); json.dumps with sorted keys, as Jinja's tojson."""
    text = _stanza(det)["action.correlationsearch.metadata"]
    day = datetime.date.fromisoformat(str(det["date"]))
    expected = {"detection_id": det["id"], "deprecated": "0", "detection_version": str(det["version"]),
                "publish_time": float(calendar.timegm(day.timetuple()))}
    assert json.loads(text) == expected
    assert text == json.dumps(expected, sort_keys=True)


@pytest.mark.parametrize("det", DETECTIONS, ids=IDS)
def test_annotations_as_contentctl_writes_them(det: Dict[str, Any]) -> None:
    """detection_abstract.annotations: analytic_story, type, type_list = [type], data_source, plus the mappings
    (kill_chain_phases, mitre_attack, nist; cis20/cve only when present), keys sorted."""
    text = _stanza(det)["action.correlationsearch.annotations"]
    ann = json.loads(text)
    assert set(ann) == {"analytic_story", "data_source", "kill_chain_phases", "mitre_attack", "nist", "type",
                        "type_list"}
    assert ann["type"] == det["type"] and ann["type_list"] == [det["type"]]
    assert list(ann) == sorted(ann)


@pytest.mark.parametrize("det", DETECTIONS, ids=IDS)
def test_risk_drilldown_covers_seven_days(det: Dict[str, Any]) -> None:
    """objects/drilldown.py: the risk-events drilldown searches the risk index over 7 days
    (``starthoursago = 168 endhoursago = 0``) and carries no earliest/latest offsets; the other drilldowns keep the
    notable's window ($info_min_time$..$info_max_time$)."""
    drills = json.loads(_stanza(det)["action.notable.param.drilldown_searches"])
    risk = [x for x in drills if x["search"].startswith("index=risk ")]
    assert len(risk) == 1
    assert "starthoursago=168 endhoursago=0" in risk[0]["search"] and "in the last 7 days" in risk[0]["name"]
    assert "earliest_offset" not in risk[0] and "latest_offset" not in risk[0]
    for x in drills:
        if x is not risk[0]:
            assert (x["earliest_offset"], x["latest_offset"]) == ("$info_min_time$", "$info_max_time$")
