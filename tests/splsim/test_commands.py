"""SPL commands (docs.splunk.com/Documentation/Splunk/latest/SearchReference/<Command>)."""
from __future__ import annotations

import json
from typing import List

import pytest
from splsim_testdata import BASE_T, FIXTURE_APP

from splsim import Engine, Event

NOW = BASE_T + 86400


def test_table_keeps_order_and_wildcards(engine: Engine, events: List[Event]) -> None:
    rows = engine.search("type_lower=api_key.created | table user, type_lower src*", events)
    assert list(rows[0]) == ["user", "type_lower", "src", "src_kind"]


def test_fields_plus_minus(engine: Engine, events: List[Event]) -> None:
    rows = engine.search("type_lower=api_key.created | fields user", events)
    assert set(rows[0]) == {"user", "_raw", "_time"}  # fields keeps internal fields
    rows = engine.search("type_lower=api_key.created | fields - _raw, actor.*", events)
    assert "_raw" not in rows[0] and not any(k.startswith("actor.") for k in rows[0]) and "user" in rows[0]


def test_rename_plain_and_wildcard(engine: Engine, events: List[Event]) -> None:
    rows = engine.search("type_lower=api_key.created | rename user AS who, actor.session.* AS s_* "
                         "| table who s_ip_address", events)
    assert rows == [{"who": "bob@example.com", "s_ip_address": "192.0.2.10"}]


def test_stats_functions(engine: Engine, events: List[Event]) -> None:
    # docs.splunk.com/Documentation/Splunk/latest/SearchReference/Aggregatefunctions
    rows = engine.search(
        "sourcetype=openai:audit | stats count, dc(user) as users, values(user) as vals, list(type_lower) as l, "
        "min(effective_at) as mn, max(effective_at) as mx, avg(effective_at) as av, sum(effective_at) as sm, "
        "earliest(type_lower) as e, latest(type_lower) as la, first(type_lower) as f, last(type_lower) as lst",
        events)
    assert len(rows) == 1
    row = rows[0]
    assert row["count"] == "6" and row["users"] == "4"
    assert row["vals"] == ["alice@example.com", "bob@example.com", "carol@example.com", "dave@example.com"]
    assert row["l"][0] == "mystery.event"  # list keeps result order (newest first)
    assert (row["mn"], row["mx"]) == (str(BASE_T + 10), str(BASE_T + 7300))
    assert (row["e"], row["la"]) == ("login.failed", "mystery.event")
    assert (row["f"], row["lst"]) == ("mystery.event", "login.failed")
    assert row["sm"] == str(sum(e.time for e in events).__int__())
    assert float(row["av"]) == pytest.approx(sum(e.time for e in events) / 6)


def test_stats_by_sorted_and_null_groups_dropped(engine: Engine, events: List[Event]) -> None:
    # rows with a null by-field are not counted; groups are sorted by the by-field values
    rows = engine.search("sourcetype=openai:audit | stats count by zone", events)
    assert rows == []
    rows = engine.search("sourcetype=openai:audit | stats count by user", events)
    assert [r["user"] for r in rows] == sorted(r["user"] for r in rows)
    assert rows[0] == {"user": "alice@example.com", "count": "2"}


def test_stats_count_field_counts_non_null(engine: Engine, events: List[Event]) -> None:
    # count(X) is the number of occurrences of X: events without X add nothing, each value of a
    # multivalue field counts (docs.splunk.com/Documentation/Splunk/latest/SearchReference/Aggregatefunctions)
    rows = engine.search('sourcetype=openai:audit | stats count(label) as c, count, count(tag) as tags', events)
    assert rows == [{"c": "5", "count": "6", "tags": "15"}]


def test_stats_count_eval(engine: Engine, events: List[Event]) -> None:
    rows = engine.search('sourcetype=openai:audit | stats count(eval(action="failure")) as failures', events)
    assert rows == [{"failures": "2"}]


def test_stats_on_empty_input(engine: Engine) -> None:
    assert engine.search("sourcetype=openai:audit | stats count, values(x) as v", []) == [{"count": "0"}]
    assert engine.search("sourcetype=openai:audit | stats count by user", []) == []


def test_stats_multivalue_by_field(engine: Engine, events: List[Event]) -> None:
    rows = engine.search("sourcetype=openai:audit | stats count by tag", events)
    counts = {r["tag"]: r["count"] for r in rows}
    assert counts == {"authentication": "2", "change": "3", "created": "2", "failure": "2", "openai": "6"}


def test_values_sorted_lexicographically(engine: Engine) -> None:
    rows = engine.search('| makeresults count=3 | streamstats count as n | eval v=case(n=1, "10", n=2, "9", n=3, "9") '
                         "| stats values(v) as v", [])
    assert rows == [{"v": ["10", "9"]}]


def test_eventstats_and_streamstats(engine: Engine, events: List[Event]) -> None:
    rows = engine.search("sourcetype=openai:audit | eventstats count as per_user by user | table user per_user", events)
    assert {(r["user"], r["per_user"]) for r in rows} == {
        ("alice@example.com", "2"), ("bob@example.com", "2"), ("carol@example.com", "1"), ("dave@example.com", "1")}
    rows = engine.search("sourcetype=openai:audit | sort _time | streamstats count as n by user | table user n", events)
    assert [r["n"] for r in rows] == ["1", "2", "1", "2", "1", "1"]
    rows = engine.search("| makeresults count=4 | streamstats count as n | streamstats window=2 sum(n) as s "
                         "| streamstats current=f max(n) as prev", [])
    assert [r["s"] for r in rows] == ["1", "3", "5", "7"]
    assert [r.get("prev") for r in rows] == [None, "1", "2", "3"]


def test_where(engine: Engine, events: List[Event]) -> None:
    rows = engine.search('sourcetype=openai:audit | where like(type_lower, "login.%") AND user!="bob@example.com"', events)
    assert len(rows) == 2
    rows = engine.search("sourcetype=openai:audit | where isnull(zone)", events)
    assert len(rows) == 6


def test_eval_multiple_assignments_are_sequential(engine: Engine) -> None:
    rows = engine.search("| makeresults | eval a=1, b=a+1, a=a*10", [])
    assert (rows[0]["a"], rows[0]["b"]) == ("10", "2")


def test_eval_null_removes_field(engine: Engine) -> None:
    rows = engine.search('| makeresults | eval a="x" | eval a=null()', [])
    assert "a" not in rows[0]


def test_spath_command(engine: Engine, events: List[Event]) -> None:
    rows = engine.search("type_lower=api_key.created | spath input=_raw path=actor.session.user.email output=email "
                         "| table email", events)
    assert rows == [{"email": "bob@example.com"}]
    # a JSON key that itself contains dots ("api_key.created") cannot be addressed by a path
    rows = engine.search("type_lower=api_key.created | spath output=scopes path=api_key.created.data.scopes{} "
                         "| table scopes", events)
    assert rows == [{}]
    rows = engine.search('| makeresults | eval j="{\\"a\\":[{\\"b\\":1},{\\"b\\":2}]}" | spath input=j | table a{}.b', [])
    assert rows == [{"a{}.b": ["1", "2"]}]
    # JSON array indexes count from 0 ("differs between JSON and XML",
    # docs.splunk.com/Documentation/Splunk/latest/SearchReference/Spath)
    rows = engine.search('| makeresults | eval j="{\\"a\\":[5,6]}" | spath input=j path=a{1} output=x | table x', [])
    assert rows == [{"x": "6"}]


def test_mvexpand(engine: Engine, events: List[Event]) -> None:
    rows = engine.search("type_lower=api_key.created | mvexpand api_key.created.data.scopes{} "
                         "| table api_key.created.data.scopes{}", events)
    assert [r["api_key.created.data.scopes{}"] for r in rows] == ["api.read", "api.write"]


def test_makemv_nomv(engine: Engine) -> None:
    rows = engine.search('| makeresults | eval a="x,y,,z" | makemv delim="," a | eval n=mvcount(a)', [])
    assert rows[0]["a"] == ["x", "y", "z"] and rows[0]["n"] == "3"
    rows = engine.search('| makeresults | eval a="k1=v1 k2=v2" | makemv tokenizer="(\\w+)=" a | nomv a', [])
    assert rows[0]["a"] == "k1\nk2"


def test_lookup_command_output_outputnew(engine: Engine) -> None:
    rows = engine.search('| makeresults | eval t="LOGIN.FAILED" | lookup fixture_event_types type AS t OUTPUT action '
                         "change_type AS ct", [])
    assert (rows[0]["action"], rows[0]["ct"]) == ("failure", "login")
    rows = engine.search('| makeresults | eval t="login.failed", action="keep" '
                         "| lookup fixture_event_types type AS t OUTPUTNEW action", [])
    assert rows[0]["action"] == "keep"
    rows = engine.search('| makeresults | eval ip="10.1.1.1" | lookup fixture_networks ip', [])
    assert rows[0]["zone"] == "internal"
    rows = engine.search('| makeresults | eval action="created" | lookup fixture_action_labels.csv action', [])
    assert rows[0]["label"] == "Created"


def test_lookup_multivalue_input(engine: Engine) -> None:
    rows = engine.search('| makeresults | eval a=split("created,failure", ",") | lookup fixture_action_labels action AS a '
                         "OUTPUT label", [])
    assert rows[0]["label"] == ["Created", "Failed"]


def test_lookup_max_matches_default_is_100(engine: Engine, tmp_path) -> None:
    # max_matches defaults to 100 without time_field; matches are taken in file order
    # (docs.splunk.com/Documentation/Splunk/latest/Knowledge/Addfieldmatchingrulestoyourlookupconfiguration)
    p = tmp_path / "many.csv"
    p.write_text("k,v\n" + "".join(f"a,{i:03d}\n" for i in range(150)), encoding="utf-8")
    eng = Engine(app_dir=FIXTURE_APP, extra_lookups={"many": str(p)})
    rows = eng.search('| makeresults | eval k="a" | lookup many k OUTPUT v | eval n=mvcount(v)', [])
    assert rows[0]["n"] == "100" and rows[0]["v"][0] == "000"


# Splunk Search Reference, lookup (help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/lookup):
# syntax [OUTPUT | OUTPUTNEW (<lookup-destfield> [AS <event-destfield>])...]; its Usage section says OUTPUT
# overwrites existing fields and OUTPUTNEW does not look up events whose output fields already exist (SPL2's lookup
# page: "append to or replace the values in the source data"). With min_matches 0 (the default) "nothing is output
# to your event if no match is found" (Knowledge Manager Manual, Add field matching rules): so OUTPUT leaves the
# field empty (the former value is overwritten by nothing) and OUTPUTNEW keeps it.
@pytest.mark.parametrize("clause,kept", [("OUTPUT v", None), ("OUTPUT v AS w", None), ("", None),
                                         ("OUTPUTNEW v", "keep"), ("OUTPUTNEW v AS w", "keep")])
def test_lookup_without_a_match_clears_an_output_field_but_outputnew_keeps_it(tmp_path, clause, kept) -> None:
    p = tmp_path / "kv.csv"
    p.write_text("k,v\na,1\nc,\n", encoding="utf-8")
    eng = Engine(app_dir=FIXTURE_APP, extra_lookups={"kv": str(p)})
    target = clause.split()[-1] if clause else "v"
    for key, found in (("b", kept), ("c", kept), ("a", "1" if kept is None else "keep")):  # c: a match, empty v
        rows = eng.search(f'| makeresults | eval k="{key}", {target}="keep" | lookup kv k {clause}', [])
        assert rows[0].get(target) == found, (key, clause, rows)
    rows = eng.search(f'| makeresults | eval {target}="keep" | lookup kv k {clause}', [])
    assert rows[0][target] == "keep"  # no input value: not looked up (the docs do not say; left alone)


def test_inputlookup(engine: Engine) -> None:
    rows = engine.search("| inputlookup fixture_event_types", [])
    assert len(rows) == 6 and rows[4]["description"] == "A project, created"
    rows = engine.search('| inputlookup fixture_event_types where action=created | stats count', [])
    assert rows == [{"count": "2"}]


def test_extra_lookups(tmp_path) -> None:
    p = tmp_path / "extra.csv"
    p.write_text("k,v\na,1\n", encoding="utf-8")
    eng = Engine(app_dir=FIXTURE_APP, extra_lookups={"extra": str(p)})
    assert eng.search('| makeresults | eval k="a" | lookup extra k OUTPUT v', [])[0]["v"] == "1"


def test_rex(engine: Engine, events: List[Event]) -> None:
    rows = engine.search('type_lower=api_key.created | rex field=user "^(?<local>[^@]+)@(?<domain>.+)$" '
                         "| table local domain", events)
    assert rows == [{"local": "bob", "domain": "example.com"}]
    rows = engine.search('| makeresults | eval s="a1b22c333" | rex field=s max_match=0 "(?<d>\\d+)"', [])
    assert rows[0]["d"] == ["1", "22", "333"]
    rows = engine.search('| makeresults | eval s="a1b22" | rex field=s mode=sed "s/\\d/#/g"', [])
    assert rows[0]["s"] == "a#b##"


def test_bin_and_timechart(engine: Engine, events: List[Event]) -> None:
    rows = engine.search("sourcetype=openai:audit | bin _time span=1h | stats count by _time", events)
    assert rows == [{"_time": str(BASE_T), "count": "3"}, {"_time": str(BASE_T + 3600), "count": "1"},
                    {"_time": str(BASE_T + 7200), "count": "2"}]
    rows = engine.search("sourcetype=openai:audit | timechart span=1h count by action", events)
    assert rows[0] == {"_time": str(BASE_T), "created": "0", "failure": "2", "success": "1", "unknown": "0"}
    assert len(rows) == 3
    rows = engine.search("| makeresults | eval n=17 | bin n span=5", [])
    assert rows[0]["n"] == "15-20"


def test_timechart_fills_requested_range(engine: Engine, events: List[Event]) -> None:
    rows = engine.search("sourcetype=openai:audit | timechart span=1d count", events,
                         earliest=BASE_T - 86400, latest=BASE_T + 86400)
    assert rows == [{"_time": str(BASE_T - 86400), "count": "0"}, {"_time": str(BASE_T), "count": "6"}]


def test_top_rare(engine: Engine, events: List[Event]) -> None:
    rows = engine.search("sourcetype=openai:audit | top limit=2 user", events)
    assert rows == [{"user": "alice@example.com", "count": "2", "percent": "33.333333"},
                    {"user": "bob@example.com", "count": "2", "percent": "33.333333"}]
    rows = engine.search("sourcetype=openai:audit | rare limit=1 user showperc=f", events)
    assert rows == [{"user": "carol@example.com", "count": "1"}]


def test_dedup_sort_head_tail(engine: Engine, events: List[Event]) -> None:
    rows = engine.search("sourcetype=openai:audit | dedup user | table user", events)
    assert [r["user"] for r in rows] == ["dave@example.com", "carol@example.com", "bob@example.com",
                                         "alice@example.com"]
    rows = engine.search("sourcetype=openai:audit | sort - user, + _time | head 2 | table user _time", events)
    assert rows == [{"user": "dave@example.com", "_time": str(BASE_T + 7300)},
                    {"user": "carol@example.com", "_time": str(BASE_T + 7200)}]
    rows = engine.search("sourcetype=openai:audit | sort num(effective_at) | tail 1 | table type_lower", events)
    assert rows == [{"type_lower": "mystery.event"}]
    rows = engine.search("sourcetype=openai:audit | sort 0 str(user) | head limit=1 | table user", events)
    assert rows == [{"user": "alice@example.com"}]


def test_sort_numeric_vs_lexicographic(engine: Engine) -> None:
    # sort orders numbers numerically by default (auto); str() forces lexicographic
    spl = '| makeresults count=3 | streamstats count as n | eval v=case(n=1, "10", n=2, "9", n=3, "100")'
    assert [r["v"] for r in engine.search(spl + " | sort v", [])] == ["9", "10", "100"]
    assert [r["v"] for r in engine.search(spl + " | sort str(v)", [])] == ["10", "100", "9"]


def test_fillnull(engine: Engine, events: List[Event]) -> None:
    rows = engine.search("sourcetype=openai:audit | fillnull value=none zone | stats count by zone", events)
    assert rows == [{"zone": "none", "count": "6"}]
    rows = engine.search("| makeresults | eval a=1 | append [| makeresults | eval b=2] | fillnull | table a b", [])
    assert rows == [{"a": "1", "b": "0"}, {"a": "0", "b": "2"}]


def test_append_and_join(engine: Engine, events: List[Event]) -> None:
    rows = engine.search("type_lower=login.failed | stats count by user | join type=left user "
                         "[search type_lower=api_key.* OR type_lower=login.succeeded | stats count as other by user]",
                         events)
    assert rows == [{"user": "alice@example.com", "count": "2"}]
    rows = engine.search("type_lower=login.* | stats count by user | join user "
                         "[search type_lower=api_key.* | stats count as keys by user]", events)
    assert rows == [{"user": "bob@example.com", "count": "1", "keys": "1"}]


def test_convert_ctime(engine: Engine) -> None:
    rows = engine.search(f'| makeresults | eval t={BASE_T} | convert timeformat="%Y-%m-%d" ctime(t) AS day', [])
    assert rows[0]["day"] == "2026-01-01"


def test_makeresults_and_addinfo(engine: Engine) -> None:
    rows = engine.search("| makeresults count=2 | addinfo", [], now=NOW, earliest="-1h")
    assert len(rows) == 2 and rows[0]["_time"] == str(NOW)
    assert rows[0]["info_min_time"] == str(NOW - 3600)


def test_search_command_mid_pipeline(engine: Engine, events: List[Event]) -> None:
    rows = engine.search("sourcetype=openai:audit | stats count by user | search count>1", events)
    assert len(rows) == 2


def test_results_are_json_serialisable(engine: Engine, events: List[Event]) -> None:
    rows = engine.search("sourcetype=openai:audit", events)
    json.dumps(rows)
    assert all(isinstance(v, (str, list)) for r in rows for v in r.values())


def test_chart(engine: Engine, events: List[Event]) -> None:
    # docs.splunk.com/Documentation/Splunk/latest/SearchReference/Chart
    rows = engine.search("sourcetype=openai:audit | chart count over user by action", events)
    assert rows[0] == {"user": "alice@example.com", "created": "0", "failure": "2", "success": "0", "unknown": "0"}
    assert len(rows) == 4
    assert engine.search("sourcetype=openai:audit | chart count by user action", events) == rows
    rows = engine.search("sourcetype=openai:audit | chart dc(src) as ips by action", events)
    assert rows[0] == {"action": "created", "ips": "1"}
    rows = engine.search("sourcetype=openai:audit | chart limit=1 count over user by action", events)
    assert set(rows[0]) == {"user", "created", "OTHER"}


def test_regex_reverse_strcat_rangemap(engine: Engine, events: List[Event]) -> None:
    assert len(engine.search('sourcetype=openai:audit | regex user="^(alice|bob)@"', events)) == 4
    assert len(engine.search('sourcetype=openai:audit | regex user!="^(alice|bob)@"', events)) == 2
    assert len(engine.search('sourcetype=openai:audit | regex "login\\.failed"', events)) == 2
    rows = engine.search("sourcetype=openai:audit | reverse | head 1 | table type_lower", events)
    assert rows == [{"type_lower": "login.failed"}]
    rows = engine.search('| makeresults | eval a="x", b="y" | strcat a "-" b c | table c', [])
    assert rows == [{"c": "x-y"}]
    rows = engine.search("| makeresults | eval n=15 | rangemap field=n low=0-10 elevated=11-20 default=severe", [])
    assert rows[0]["range"] == "elevated"


def test_fields_minus_attached(engine: Engine, events: List[Event]) -> None:
    rows = engine.search("type_lower=api_key.created | fields -_raw", events)
    assert "_raw" not in rows[0] and "user" in rows[0]


def test_bucket_is_bin(engine: Engine, events: List[Event]) -> None:
    a = engine.search("sourcetype=openai:audit | bucket _time span=1d | stats count by _time", events)
    b = engine.search("sourcetype=openai:audit | bin span=1d _time | stats count by _time", events)
    assert a == b == [{"_time": str(BASE_T), "count": "6"}]
    rows = engine.search("sourcetype=openai:audit | bin _time span=1h AS hour | table _time hour | head 1", events)
    assert rows == [{"_time": str(BASE_T + 7300), "hour": str(BASE_T + 7200)}]


def test_search_not_equal_on_multivalue(engine: Engine, events: List[Event]) -> None:
    # field!=value matches when the field exists with some other value (any value of a multivalue field)
    rows = engine.search("sourcetype=openai:audit tag!=openai | stats count", events)
    assert rows == [{"count": "5"}]
    rows = engine.search("sourcetype=openai:audit NOT tag=openai | stats count", events)
    assert rows == [{"count": "0"}]


def test_median_mode_range_stdev(engine: Engine) -> None:
    # median of an even number of values is the higher middle value
    # (docs.splunk.com/Documentation/Splunk/latest/SearchReference/Aggregatefunctions, median)
    base = "| makeresults count=4 | streamstats count as n | eval v=case(n=1, 1, n=2, 2, n=3, 2, n=4, 10)"
    rows = engine.search(base + " | stats median(v) as md, mode(v) as mo, range(v) as rg, stdev(v) as sd, var(v) as va", [])
    assert (rows[0]["md"], rows[0]["mo"], rows[0]["rg"]) == ("2", "2", "9")
    assert float(rows[0]["sd"]) == pytest.approx((52.75 / 3) ** 0.5)  # sample standard deviation
    assert float(rows[0]["va"]) == pytest.approx(52.75 / 3)
    rows = engine.search(base + " | where n < 4 | eval v=n | stats median(v) as md", [])
    assert rows == [{"md": "2"}]
