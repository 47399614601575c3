"""Search-language semantics (docs.splunk.com/Documentation/Splunk/latest/Search/...)."""
from __future__ import annotations

import json
from typing import List

import pytest
from splsim_testdata import BASE_T, audit_event

from splsim import Engine, Event, SplError


def _types(rows) -> List[str]:
    return [r["type_lower"] for r in rows]


def test_implicit_search_and_newest_first(engine: Engine, events: List[Event]) -> None:
    # Search results are returned in reverse time order
    # (docs.splunk.com/Documentation/Splunk/latest/Search/Aboutsearchtimeranges)
    rows = engine.search('sourcetype="openai:audit"', events)
    assert _types(rows)[0] == "mystery.event" and _types(rows)[-1] == "login.failed"
    assert len(rows) == 6


def test_search_command_prefix(engine: Engine, events: List[Event]) -> None:
    assert len(engine.search("search type_lower=login.*", events)) == 3


def test_field_values_are_case_insensitive(engine: Engine, events: List[Event]) -> None:
    # Field values are not case sensitive in search (docs.splunk.com/Documentation/Splunk/latest/Search/Usefieldstosearch)
    assert len(engine.search("type_lower=LOGIN.FAILED", events)) == 2


def test_field_names_are_case_sensitive(engine: Engine, events: List[Event]) -> None:
    # Field names are case sensitive (same page)
    assert engine.search("TYPE_LOWER=login.failed", events) == []


def test_wildcards_in_values(engine: Engine, events: List[Event]) -> None:
    assert len(engine.search("user=*@example.com", events)) == 6
    assert len(engine.search("type_lower=*.created", events)) == 2


def test_field_exists_with_star(engine: Engine, events: List[Event]) -> None:
    assert len(engine.search("src=*", events)) == 6
    assert len(engine.search('"api_key.created.data.scopes{}"=*', events)) == 1


def test_not_equal_vs_not(engine: Engine, events: List[Event]) -> None:
    # "field!=value" needs the field to exist; "NOT field=value" also returns events without it
    # (docs.splunk.com/Documentation/Splunk/latest/Search/NOTexpressions)
    assert len(engine.search('zone!=internal', events)) == 0
    assert len(engine.search('NOT zone=internal', events)) == 6


def test_multivalue_field_matches_any_value(engine: Engine, events: List[Event]) -> None:
    # A search on a multivalue field matches if any value matches
    # (docs.splunk.com/Documentation/Splunk/latest/SearchReference/Search)
    assert len(engine.search('api_key.created.data.scopes{}=api.write', events)) == 1
    assert len(engine.search("tag=change", events)) == 3


def test_boolean_operators_and_parentheses(engine: Engine, events: List[Event]) -> None:
    # AND is implied; NOT > AND > OR precedence; parentheses group
    # (docs.splunk.com/Documentation/Splunk/latest/Search/Booleanexpressions)
    assert len(engine.search("type_lower=login.* user=alice*", events)) == 2
    assert len(engine.search("type_lower=login.succeeded OR type_lower=project.created", events)) == 2
    assert len(engine.search("(type_lower=login.* OR type_lower=api*) NOT user=bob*", events)) == 2
    assert len(engine.search("type_lower=login.* AND NOT user=alice*", events)) == 1


def test_or_binds_tighter_than_and(engine: Engine, events: List[Event]) -> None:
    # Search evaluation order: parentheses, NOT, OR, AND (unlike SQL), so "a OR b c" means "(a OR b) c"
    # (docs.splunk.com/Documentation/Splunk/latest/Search/Booleanexpressions)
    rows = engine.search("type_lower=login.succeeded OR type_lower=project.created user=carol*", events)
    assert _types(rows) == ["project.created"]
    rows = engine.search("user=carol* type_lower=login.succeeded OR type_lower=project.created", events)
    assert _types(rows) == ["project.created"]
    rows = engine.search("NOT type_lower=login.* OR user=alice*", events)
    assert len(rows) == 5  # (NOT login.*) OR alice


def test_lowercase_boolean_words_are_terms(engine: Engine, events: List[Event]) -> None:
    # Boolean operators must be capitalised; "or" is a search term
    assert engine.search("type_lower=login.failed or type_lower=project.created", events) == []


def test_in_operator(engine: Engine, events: List[Event]) -> None:
    # (docs.splunk.com/Documentation/Splunk/latest/SearchReference/Search "IN operator")
    assert len(engine.search("type_lower IN (login.succeeded, project.*)", events)) == 2


def test_numeric_comparison(engine: Engine, events: List[Event]) -> None:
    assert len(engine.search(f"effective_at>{BASE_T + 3600}", events)) == 2
    assert len(engine.search(f"effective_at>={BASE_T + 3600}", events)) == 3
    assert len(engine.search(f"effective_at<{BASE_T + 30}", events)) == 2


def test_free_text_terms_match_tokens(engine: Engine, events: List[Event]) -> None:
    # Terms match whole segments of _raw (breakers), case-insensitively, * is a wildcard
    # (docs.splunk.com/Documentation/Splunk/latest/Search/Wildcards)
    assert len(engine.search("carol", events)) == 1
    assert len(engine.search("CAROL", events)) == 1
    assert engine.search("caro", events) == []
    assert len(engine.search("caro*", events)) == 1
    assert len(engine.search('"Project One"', events)) == 1


def test_eventtype_and_tag_terms(engine: Engine, events: List[Event]) -> None:
    assert len(engine.search("eventtype=openai_login_failed", events)) == 2
    assert len(engine.search("tag=authentication tag=failure", events)) == 2
    assert len(engine.search("tag::action=created", events)) == 2


def test_index_and_source_filter(engine: Engine, events: List[Event]) -> None:
    other = engine.make_event(audit_event("login.failed", BASE_T), index="other", source="s2")
    assert len(engine.search("index=other", events + [other])) == 1
    assert len(engine.search("index=main", events + [other])) == 6
    assert len(engine.search("source=s2", events + [other])) == 1


def test_cim_style_constraint_with_dollar_wildcard(engine: Engine) -> None:
    # Authentication root constraint: NOT (action=success user=*$)
    ev1 = engine.make_event(audit_event("login.succeeded", BASE_T, email="host$"))
    ev2 = engine.make_event(audit_event("login.succeeded", BASE_T, email="bob@example.com"))
    rows = engine.search("tag=authentication OR type_lower=login.* NOT (action=success user=*$)", [ev1, ev2])
    assert [r["user"] for r in rows] == ["bob@example.com"]


def test_where_is_case_sensitive_search_is_not(engine: Engine, events: List[Event]) -> None:
    # where/eval string comparisons are case-sensitive (docs.splunk.com/Documentation/Splunk/latest/SearchReference/Where)
    assert engine.search('| makeresults | eval t="Login" | where t="login"', []) == []
    assert len(engine.search('| makeresults | eval t="Login" | search t="login"', [])) == 1


def test_raw_json_quotes_are_searchable(engine: Engine) -> None:
    ev = engine.make_event(json.dumps({"effective_at": BASE_T, "msg": "hello world"}))
    assert len(engine.search('"hello world"', [ev])) == 1


def test_search_syntax_errors(engine: Engine, events: List[Event]) -> None:
    for bad in ["(type=a", "type=a)", "a ==b", 'x="unterminated', "NOT", "type IN a"]:
        with pytest.raises(SplError):
            engine.search(bad, events)


def test_subsearch_in_search_terms(engine: Engine, events: List[Event]) -> None:
    # A subsearch's results become ( ( f="v" ) OR ... ) via the implicit format command
    # (docs.splunk.com/Documentation/Splunk/latest/Search/Aboutsubsearches)
    rows = engine.search("sourcetype=openai:audit [ search type_lower=api_key.* | fields user ] | table type_lower",
                         events)
    assert _types(rows) == ["api_key.created", "login.succeeded"]
    rows = engine.search("sourcetype=openai:audit | search NOT [ | inputlookup fixture_action_labels "
                         "| where action!=\"created\" | fields action ] | stats count", events)
    assert rows == [{"count": "3"}]
    assert engine.search("sourcetype=openai:audit [ search type_lower=nothing | fields user ]", events) == []


def test_subsearch_with_return_and_format(engine: Engine, events: List[Event]) -> None:
    # docs.splunk.com/Documentation/Splunk/latest/SearchReference/Return and .../Format
    rows = engine.search("sourcetype=openai:audit [ search type_lower=project.created | return user ] "
                         "| table type_lower", events)
    assert _types(rows) == ["project.created"]
    rows = engine.search("sourcetype=openai:audit [ search type_lower=login.* | dedup user | return 5 user ] "
                         "| stats count", events)
    assert rows == [{"count": "4"}]
    rows = engine.search("sourcetype=openai:audit [ search type_lower=api_key.created | return $user ] "
                         "| stats count", events)
    assert rows == [{"count": "2"}]  # free-text term "bob@example.com"
    rows = engine.search("type_lower=login.failed | dedup user | fields user | format", events)
    assert rows == [{"search": '( ( user="alice@example.com" ) )'}]
