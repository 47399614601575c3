"""Strictness: anything unsupported or malformed raises SplError, never a silent pass."""
from __future__ import annotations

from typing import List

import pytest

from splsim import Engine, Event, SplError

UNSUPPORTED = [
    "| tstats count",                                    # unknown command
    "sourcetype=openai:audit | transaction user",                   # not emulated
    "sourcetype=openai:audit | iplocation src",                     # not emulated
    "sourcetype=openai:audit | stats perc95(x)",                    # unknown aggregation
    "sourcetype=openai:audit | stats count allnum=t",               # unknown stats option
    "sourcetype=openai:audit | stats values by user",               # aggregation without field
    "sourcetype=openai:audit | head 5 foo=1",                       # unknown argument
    "sourcetype=openai:audit | dedup user sortby -_time",           # unsupported clause
    "sourcetype=openai:audit | rex field=_raw \"(\\d+)\"",          # rex without named group
    "sourcetype=openai:audit | rex mode=xml \"(?<a>x)\"",           # unsupported mode
    "sourcetype=openai:audit | bin _time bins=10",                  # only span=
    "sourcetype=openai:audit | timechart count",                    # span required
    "sourcetype=openai:audit | sort ip(src)",                       # unsupported sort type
    "sourcetype=openai:audit | convert dur2sec(x)",                 # unsupported convert function
    "sourcetype=openai:audit | eval x=frob(1)",                     # unknown eval function
    "sourcetype=openai:audit | eval x",                             # malformed eval
    "sourcetype=openai:audit | where user",               # where on a non-boolean
    "sourcetype=openai:audit | lookup no_such_lookup a",            # undefined lookup
    "sourcetype=openai:audit | lookup fixture_event_types nocol",   # unknown input column
    "sourcetype=openai:audit | lookup fixture_event_types type OUTPUT nocol",  # unknown output column
    "sourcetype=openai:audit | join [search x]",                    # join without fields
    "sourcetype=openai:audit | join type=right user [search x]",    # unsupported join type
    "sourcetype=openai:audit | makeresults",                        # generating command not first
    "| stats count",                                     # leading pipe without generating command
    "sourcetype=openai:audit |",                                    # empty command
    "sourcetype=openai:audit | search earliest=-1h",                # time modifier outside the first search
    "sourcetype=openai:audit TERM(abc)",                            # unsupported search directive
    "sourcetype=openai:audit | fields",                             # no fields
    "sourcetype=openai:audit | rename a b",                         # missing AS
    "sourcetype=openai:audit | mvexpand",                           # missing field
    "sourcetype=openai:audit | inputlookup fixture_event_types",    # generating command mid-pipeline
    "| inputlookup fixture_event_types append=t",        # unsupported option
    "| makeresults count=x",                             # bad integer
    "sourcetype=openai:audit earliest=-1x",                         # bad time unit
    "`undefined_macro`",                                 # undefined macro
]


@pytest.mark.parametrize("spl", UNSUPPORTED)
def test_unsupported_raises(engine: Engine, events: List[Event], spl: str) -> None:
    with pytest.raises(SplError):
        engine.search(spl, events)


def test_error_messages_name_the_problem(engine: Engine, events: List[Event]) -> None:
    with pytest.raises(SplError, match="unknown search command 'tstats'"):
        engine.search("| tstats count", events)
    with pytest.raises(SplError, match="frob"):
        engine.search("| makeresults | eval x=frob(1)", events)


def test_bad_props_are_reported(tmp_path) -> None:
    d = tmp_path / "default"
    d.mkdir()
    (d / "props.conf").write_text("[st]\nKV_MODE = xml\nDATETIME_CONFIG = CURRENT\n")
    eng = Engine(app_dir=str(tmp_path))
    with pytest.raises(SplError, match="KV_MODE"):
        eng.extract(eng.make_event("<a/>", sourcetype="st"))


def test_bad_props_eval_is_reported(tmp_path) -> None:
    d = tmp_path / "default"
    d.mkdir()
    (d / "props.conf").write_text("[st]\nDATETIME_CONFIG = CURRENT\nEVAL-x = if(a, 1)\n")
    eng = Engine(app_dir=str(tmp_path))
    with pytest.raises(SplError):
        eng.extract(eng.make_event("a=1", sourcetype="st"))


def test_bad_tags_and_eventtypes_are_reported(tmp_path) -> None:
    d = tmp_path / "default"
    d.mkdir()
    (d / "tags.conf").write_text("[eventtype=x]\nchange = yes\n")
    with pytest.raises(SplError, match="enabled or disabled"):
        Engine(app_dir=str(tmp_path))
    (d / "tags.conf").write_text("")
    (d / "eventtypes.conf").write_text("[x]\nsearch = a=1 | stats count\n")
    with pytest.raises(SplError, match="pipes"):
        Engine(app_dir=str(tmp_path))


def test_missing_lookup_file_is_reported(tmp_path) -> None:
    d = tmp_path / "default"
    d.mkdir()
    (d / "transforms.conf").write_text("[lk]\nfilename = nope.csv\n")
    eng = Engine(app_dir=str(tmp_path))
    with pytest.raises(SplError, match="nope.csv"):
        eng.search("| inputlookup lk", [])


def test_validate_accepts_the_fixture_app(engine: Engine) -> None:
    engine.validate()


def test_validate_lists_every_problem(tmp_path) -> None:
    d = tmp_path / "default"
    d.mkdir()
    (d / "props.conf").write_text("[st]\nEVAL-a = if(x\nREPORT-b = missing_transform\nLOOKUP-c = nope k OUTPUT v\n"
                                  "EXTRACT-d = (\\d+)\nFIELDALIAS-e = a b c d\n")
    (d / "savedsearches.conf").write_text("[S1]\nsearch = index=main | frobnicate\n[S2]\nsearch = index=main | stats count\n")
    (d / "macros.conf").write_text("[m]\ndefinition = `undefined_inner`\n")
    eng = Engine(app_dir=str(tmp_path))
    with pytest.raises(SplError) as info:
        eng.validate()
    msg = str(info.value)
    for needle in ("EVAL-a", "REPORT-b", "LOOKUP-c", "EXTRACT-d", "FIELDALIAS-e", "[S1]", "macros.conf [m]"):
        assert needle in msg
    assert "[S2]" not in msg
