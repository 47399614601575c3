"""Conf loading (via addonfactory-splunk-conf-parser-lib) and macros.conf expansion."""
from __future__ import annotations

import os

import pytest

from splsim import Engine, SplError
from splsim.conf import read_conf

from splsim_testdata import FIXTURE_APP


def _write(tmp_path, text: str) -> str:
    p = tmp_path / "x.conf"
    p.write_text(text, encoding="utf-8")
    return str(p)


def test_backslash_continuation_joins_lines(tmp_path) -> None:
    # docs.splunk.com/Documentation/Splunk/latest/Admin/Howtoeditaconfigurationfile
    # ("To continue a line, end it with a backslash")
    st = read_conf(_write(tmp_path, "[s]\nsearch = index=main \\\n  | stats count\nnext = 1\n"))
    assert st["s"]["search"] == "index=main \n| stats count"
    assert st["s"]["next"] == "1"


def test_only_hash_starts_a_comment(tmp_path) -> None:
    # Splunk .conf comments start with '#'; ';' and '*' are ordinary characters in values.
    st = read_conf(_write(tmp_path, "# top\n[s]\n# c\na = x ;y\nb = 2 \\\n* 3\n"))
    assert st["s"] == {"a": "x ;y", "b": "2 \n* 3"}


def test_leading_whitespace_is_not_a_continuation(tmp_path) -> None:
    st = read_conf(_write(tmp_path, "[s]\n   KV_MODE = json\n  TRUNCATE = 0\n"))
    assert st["s"] == {"KV_MODE": "json", "TRUNCATE": "0"}


def test_colon_is_not_a_delimiter(tmp_path) -> None:
    st = read_conf(_write(tmp_path, "[source::x]\nEVAL-a = \"b:c\"\n"))
    assert st["source::x"]["EVAL-a"] == '"b:c"'


def test_default_stanza_applies_to_every_stanza(tmp_path) -> None:
    st = read_conf(_write(tmp_path, "[default]\nx = 1\n[a]\ny = 2\n[b]\nx = 3\n"))
    assert st == {"a": {"x": "1", "y": "2"}, "b": {"x": "3"}}


def test_fixture_app_loads_every_conf() -> None:
    eng = Engine(app_dir=FIXTURE_APP)
    assert set(eng.confs) == {"props", "transforms", "eventtypes", "tags", "macros", "savedsearches"}
    assert "openai:audit" in eng.confs["props"]
    assert eng.savedsearches["Fixture - Failed logins"]["cron_schedule"] == "*/15 * * * *"


def test_missing_app_dir_is_an_error(tmp_path) -> None:
    with pytest.raises(SplError):
        Engine(app_dir=str(tmp_path / "nope"))


# --- macros: docs.splunk.com/Documentation/Splunk/latest/Knowledge/Definesearchmacros --------------

def test_macro_without_args(engine: Engine) -> None:
    assert engine.expand_macros("`fixture_index` foo") == "index=main foo"


def test_macro_with_args_and_nesting(engine: Engine) -> None:
    assert engine.expand_macros("`audit_type(login.failed)`") == \
        'index=main sourcetype="openai:audit" type_lower="login.failed"'


def test_macro_iseval(engine: Engine) -> None:
    assert engine.expand_macros("`add_two(1, 2)`") == "x=3"


def test_macro_validation_and_errormsg(engine: Engine) -> None:
    assert engine.expand_macros("`checked(5)`") == "head 5"
    with pytest.raises(SplError, match="positive integer"):
        engine.expand_macros("`checked(0)`")


def test_macro_continuation_line(engine: Engine, events) -> None:
    rows = engine.search("`audit_type(login.failed)` | `multiline`", events)
    assert rows == [{"type_lower": "login.failed", "count": "2"}]


def test_unknown_macro_and_wrong_arity_are_errors(engine: Engine) -> None:
    with pytest.raises(SplError, match="not defined"):
        engine.expand_macros("`nope`")
    with pytest.raises(SplError, match="not defined"):
        engine.expand_macros("`by_type(a, b)`")
    with pytest.raises(SplError, match="unbalanced"):
        engine.expand_macros("`fixture_index")


def test_cim_index_macros_default_to_all_indexes(engine: Engine, events) -> None:
    # Splunk_SA_CIM ships cim_<model>_indexes as "()" (all indexes), used in data model constraints
    rows = engine.search("(`cim_Authentication_indexes`) tag=authentication | stats count", events)
    assert rows == [{"count": "2"}]


def test_saved_search_runs(engine: Engine, events) -> None:
    rows = engine.search(engine.savedsearches["Fixture - Failed logins"]["search"], events)
    assert rows == [{"user": "alice@example.com", "count": "2"}]


def test_fixture_lookup_files_present() -> None:
    assert os.path.isfile(os.path.join(FIXTURE_APP, "lookups", "fixture_event_types.csv"))
