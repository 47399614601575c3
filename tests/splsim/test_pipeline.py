"""Search-time operation sequence and index-time timestamp/truncation.

docs.splunk.com/Documentation/Splunk/latest/Knowledge/Searchtimeoperationssequence
"""
from __future__ import annotations

import json

import pytest

from splsim import Engine, SplError

from splsim_testdata import BASE_T, audit_event


def _fields(engine: Engine, raw: str, **kw):
    return engine.extract(engine.make_event(raw, **kw))


def test_timestamp_from_time_prefix_and_format(engine: Engine) -> None:
    # props.conf TIME_PREFIX / TIME_FORMAT = %s (docs.splunk.com/Documentation/Splunk/latest/Data/Configuretimestamprecognition)
    ev = engine.make_event(audit_event("login.failed", 1720804090))
    assert ev.time == 1720804090
    assert engine.extract(ev)["_time"] == "1720804090"


def test_timestamp_strptime_with_timezone(engine: Engine) -> None:
    ev = engine.make_event("ts=2026-01-01T01:00:00+0100 hello", sourcetype="iso:time")
    assert ev.time == BASE_T


def test_missing_timestamp_is_an_error(engine: Engine) -> None:
    with pytest.raises(SplError, match="TIME_PREFIX"):
        engine.make_event('{"type":"x"}')


def test_explicit_time_wins(engine: Engine) -> None:
    assert engine.make_event('{"type":"x"}', time=5).time == 5


def test_truncate_zero_keeps_large_events(engine: Engine) -> None:
    pem = "-----BEGIN CERTIFICATE-----\\n" + "A" * 30000 + "\\n-----END CERTIFICATE-----"
    raw = audit_event("certificate.created", BASE_T, payload={"id": "cert_1", "content": pem})
    f = _fields(engine, raw)
    assert f["_raw"] == raw
    assert f["certificate.created.content"].endswith("-----END CERTIFICATE-----")


def test_truncate_limit_cuts_raw_and_breaks_json(engine: Engine) -> None:
    # props.conf TRUNCATE: lines longer than this many bytes are truncated at index time
    raw = json.dumps({"t": BASE_T, "big": "x" * 100})
    f = _fields(engine, raw, sourcetype="trunc:test")
    assert len(f["_raw"]) == 40
    assert "big" not in f


def test_json_naming_nested_and_arrays(engine: Engine) -> None:
    # Splunk JSON field naming: a.b.c for objects, {} for arrays, multivalue for array elements
    # (docs.splunk.com/Documentation/Splunk/latest/SearchReference/Spath)
    raw = json.dumps({"effective_at": BASE_T, "a": {"b": {"c": 1.50}}, "arr": [1, 2, 2],
                      "objs": [{"k": "x"}, {"k": "y", "n": None}], "t": True, "f": False,
                      "empty": {}, "none": [], "nested": [[1, 2], [3]]})
    f = _fields(engine, raw)
    assert f["a.b.c"] == "1.5"
    assert f["arr{}"] == ["1", "2", "2"]
    assert f["objs{}.k"] == ["x", "y"]
    assert f["objs{}.n"] == "null"
    assert (f["t"], f["f"]) == ("true", "false")
    assert "empty" not in f and "none" not in f
    assert f["nested{}{}"] == ["1", "2", "3"]


def test_json_numbers_keep_source_text(engine: Engine) -> None:
    f = _fields(engine, '{"effective_at": %d, "n": 1.50, "i": 007}'.replace("007", "7") % BASE_T)
    assert f["n"] == "1.50" and f["i"] == "7"


def test_extract_and_report_run_before_kv(engine: Engine) -> None:
    f = _fields(engine, audit_event("api_key.created", BASE_T))
    assert f["extracted_id"] == f"audit_log-api_key.created-{BASE_T}"
    assert (f["object_kind"], f["verb"]) == ("api_key", "created")


def test_fieldalias_after_kv_and_no_alias_of_alias(engine: Engine) -> None:
    # FIELDALIAS runs after KV_MODE; aliases read pre-alias fields (src_copy aliases the alias src)
    f = _fields(engine, audit_event("login.failed", BASE_T))
    assert f["src"] == "192.0.2.10" and f["user_agent"] == "curl/8"
    assert "src_copy" not in f


def test_fieldalias_asnew_keeps_existing(engine: Engine) -> None:
    # FIELDALIAS-keep = type ASNEW id: id exists, so it is not overwritten
    f = _fields(engine, audit_event("login.failed", BASE_T))
    assert f["id"] == f"audit_log-login.failed-{BASE_T}"


def test_fieldalias_as_removes_alias_when_source_missing(tmp_path) -> None:
    # Splunk 7.2.4+: an AS alias whose source is absent removes the alias field
    # (docs.splunk.com/Documentation/Splunk/latest/ReleaseNotes/Fieldaliasbehaviorchange)
    (tmp_path / "default").mkdir()
    (tmp_path / "default" / "props.conf").write_text(
        "[kv]\nKV_MODE = auto\nDATETIME_CONFIG = CURRENT\nFIELDALIAS-a = uid AS user\nFIELDALIAS-b = gid ASNEW group\n")
    eng = Engine(app_dir=str(tmp_path))
    f = eng.extract(eng.make_event("user=jo group=g1", sourcetype="kv"))
    assert "user" not in f
    assert f["group"] == "g1"
    f2 = eng.extract(eng.make_event("uid=7 user=jo", sourcetype="kv"))
    assert f2["user"] == "7"


def test_eval_sees_aliases_but_not_other_evals(engine: Engine) -> None:
    # Calculated fields run after aliases; "all EVAL expressions are evaluated independently"
    # (docs.splunk.com/Documentation/Splunk/latest/Knowledge/definecalcfields)
    f = _fields(engine, audit_event("login.failed", BASE_T))
    assert f["src_kind"] == "alias_visible"
    assert f["sees_other_eval"] == "independent"
    assert f["type"] == "LOGIN.FAILED" and f["type_lower"] == "login.failed"  # both from the original type


def test_eval_continuation_and_coalesce(engine: Engine) -> None:
    actor = {"type": "api_key", "api_key": {"id": "key_x", "type": "service_account",
                                            "service_account": {"id": "svc_1"}}}
    f = _fields(engine, audit_event("project.created", BASE_T, actor=actor))
    assert f["user"] == "svc_1"
    assert "src" not in f and f["src_kind"] == "alias_missing"


def test_automatic_lookup_wildcard_case_insensitive_and_fallback(engine: Engine) -> None:
    # transforms.conf match_type = WILDCARD(type), case_sensitive_match = false, max_matches = 1
    assert _fields(engine, audit_event("api_key.created", BASE_T))["action"] == "created"
    assert _fields(engine, audit_event("api_key.deleted", BASE_T))["action"] == "modified"
    mystery = _fields(engine, audit_event("mystery.event", BASE_T))
    assert (mystery["action"], mystery["change_type"]) == ("unknown", "generic")


def test_lookups_run_in_class_order_and_see_eval_output(engine: Engine) -> None:
    f = _fields(engine, audit_event("login.failed", BASE_T))
    assert f["label"] == "Failed"  # LOOKUP-zz_labels runs after LOOKUP-types
    assert "early_label" not in f  # LOOKUP-after runs before action exists


def test_cidr_lookup_from_source_stanza_outputnew(engine: Engine) -> None:
    raw = audit_event("login.failed", BASE_T, ip="10.9.9.9")
    assert _fields(engine, raw, source="/var/x_cidr_test_1")["zone"] == "internal"
    assert "zone" not in _fields(engine, raw, source="/var/other")


def test_eventtypes_nested_and_tags(engine: Engine) -> None:
    # eventtypes may reference other eventtypes; tags.conf [eventtype=x] and [field=value]
    f = _fields(engine, audit_event("login.failed", BASE_T))
    assert f["eventtype"] == ["openai_audit", "openai_login_failed"]
    assert f["tag"] == ["authentication", "failure", "openai"]
    g = _fields(engine, audit_event("api_key.created", BASE_T))
    assert g["eventtype"] == ["openai_audit", "openai_change"]
    assert g["tag"] == ["change", "created", "openai"]
    assert g["tag::action"] == "created"
    assert "disabled_tag" not in g["tag"]


def test_disabled_eventtype_is_ignored(engine: Engine) -> None:
    f = _fields(engine, audit_event("login.failed", BASE_T))
    assert "openai_disabled" not in f["eventtype"]


def test_kv_mode_auto_key_value(engine: Engine) -> None:
    f = _fields(engine, 'a=1 b="two words" c=x', sourcetype="plain:kv")
    assert (f["a"], f["b"], f["c"]) == ("1", "two words", "x")


def test_semicolon_value_survives_conf_parsing(engine: Engine) -> None:
    assert _fields(engine, audit_event("login.failed", BASE_T))["semi"] == "a ;b"


def test_extract_is_cached_and_isolated(engine: Engine) -> None:
    ev = engine.make_event(audit_event("login.failed", BASE_T))
    first = engine.extract(ev)
    first["user"] = "mutated"
    assert engine.extract(ev)["user"] == "alice@example.com"


def test_make_events_line_breaking(engine: Engine) -> None:
    # props.conf LINE_BREAKER: the first capture group is the boundary and is discarded
    # (docs.splunk.com/Documentation/Splunk/latest/Admin/Propsconf, LINE_BREAKER)
    raws = [audit_event("login.failed", BASE_T + i) for i in range(3)]
    evs = engine.make_events("\n".join(raws) + "\r\n\r\n")
    assert [e.raw for e in evs] == raws
    assert [e.time for e in evs] == [BASE_T, BASE_T + 1, BASE_T + 2]


def test_make_events_needs_should_linemerge_false(engine: Engine) -> None:
    with pytest.raises(SplError, match="SHOULD_LINEMERGE"):
        engine.make_events("a=1\nb=2", sourcetype="plain:kv")


def test_report_extracts_every_match_with_clean_keys_and_mv_add(engine: Engine) -> None:
    # transforms.conf: FORMAT $1::$2 extracts every match; CLEAN_KEYS (default true) turns non-alphanumerics
    # into "_"; without MV_ADD a field keeps its first value, with MV_ADD values accumulate
    # (docs.splunk.com/Documentation/Splunk/latest/Admin/Transformsconf)
    f = _fields(engine, "a=1 x-y=2 a=3 tag=p tag=q", sourcetype="report:kv")
    assert (f["a"], f["x_y"]) == ("1", "2")
    assert f["tags"] == ["p", "q"]


def test_indextime_when_given(engine: Engine) -> None:
    raw = audit_event("login.failed", BASE_T)
    assert "_indextime" not in engine.extract(engine.make_event(raw))
    ev = engine.make_event(raw, indextime=BASE_T + 90)
    rows = engine.search("sourcetype=openai:audit | eval delay=_indextime-_time | table delay", [ev])
    assert rows == [{"delay": "90"}]


def test_extract_in_field(tmp_path) -> None:
    # EXTRACT-<class> = <regex> in <field> applies the regex to that field (docs .../Admin/Propsconf)
    (tmp_path / "default").mkdir()
    (tmp_path / "default" / "props.conf").write_text(
        "[kv]\nKV_MODE = auto\nDATETIME_CONFIG = CURRENT\nEXTRACT-dom = @(?<domain>\\S+)$ in email\n"
        "EXTRACT-file = /(?<file>[^/]+)$ in source\n")
    eng = Engine(app_dir=str(tmp_path))
    f = eng.extract(eng.make_event("email=a@example.com", sourcetype="kv", source="/var/log/app.log"))
    assert "domain" not in f  # EXTRACT runs before KV extraction, so "email" does not exist yet
    assert f["file"] == "app.log"
