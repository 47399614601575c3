"""Eval expressions and functions.

docs.splunk.com/Documentation/Splunk/latest/SearchReference/Eval and .../CommonEvalFunctions
"""
from __future__ import annotations

from typing import Any, Optional

import pytest
from splsim_testdata import BASE_T

from splsim import Engine, SplError

NOW = BASE_T + 86400 + 3 * 3600 + 125  # 2026-01-02T03:02:05Z


def r(engine: Engine, expr: str, setup: Optional[str] = None) -> Any:
    """Value of ``expr`` evaluated on one makeresults row (after optional eval setup); None if null."""
    spl = "| makeresults" + (f" | eval {setup}" if setup else "") + f" | eval r={expr}"
    rows = engine.search(spl, [], now=NOW)
    return rows[0].get("r")


# --- operators and types ---------------------------------------------------------------------------

def test_arithmetic_and_concatenation(engine: Engine) -> None:
    assert r(engine, "1 + 2 * 3") == "7"
    assert r(engine, "(1 + 2) * 3") == "9"
    assert r(engine, "7 / 2") == "3.5"
    assert r(engine, "7 % 4") == "3"
    assert r(engine, "-3 + 1") == "-2"
    assert r(engine, '"a" . 1 . "b"') == "a1b"
    assert r(engine, '"a" + "b"') == "ab"  # + concatenates two strings


def test_numeric_strings_from_fields_are_numbers(engine: Engine) -> None:
    # field values that are numbers are compared numerically (docs.splunk.com/Documentation/Splunk/latest/SearchReference/Eval)
    assert r(engine, "n * 2", 'n="21"') == "42"
    assert r(engine, "if(n > 9, 1, 0)", 'n="10"') == "1"  # numeric, not lexicographic


def test_dotted_field_names_need_single_quotes(engine: Engine) -> None:
    # field names with characters other than letters, numbers and underscores go in single quotes
    # (docs.splunk.com/Documentation/Splunk/latest/SearchReference/Eval)
    # Field names with characters other than letters, numbers and _ must be in single quotes
    assert r(engine, "'a.b'", "'a.b'=\"x\"") == "x"
    assert r(engine, "a.b", 'a="1", b="2"') == "12"  # unquoted: concatenation of a and b


def test_null_propagates(engine: Engine) -> None:
    # an operation or function on a null field yields null, e.g. concatenation with a null field
    # (docs.splunk.com/Documentation/Splunk/latest/SearchReference/Eval, Usage)
    assert r(engine, "missing + 1") is None
    assert r(engine, 'missing . "x"') is None
    assert r(engine, "lower(missing)") is None


def test_comparison_with_null_is_false(engine: Engine) -> None:
    # comparisons against a null field do not match (docs.splunk.com/Documentation/Splunk/latest/SearchReference/Where)
    assert r(engine, 'if(missing = "x", "t", "f")') == "f"
    assert r(engine, 'if(missing != "x", "t", "f")') == "f"
    assert r(engine, 'if(NOT missing = "x", "t", "f")') == "t"


def test_string_comparison_is_case_sensitive(engine: Engine) -> None:
    # eval/where string comparison is case-sensitive (docs.splunk.com/Documentation/Splunk/latest/SearchReference/Where)
    assert r(engine, 'if("Abc" = "abc", 1, 0)') == "0"
    assert r(engine, 'if("abc" < "abd", 1, 0)') == "1"


def test_boolean_operators(engine: Engine) -> None:
    assert r(engine, 'if(1=1 AND 2=2, 1, 0)') == "1"
    assert r(engine, 'if(1=2 OR 2=2, 1, 0)') == "1"
    assert r(engine, 'if(1=1 XOR 2=2, 1, 0)') == "0"
    assert r(engine, 'if(NOT 1=2, 1, 0)') == "1"


def test_like_operator_and_function(engine: Engine) -> None:
    assert r(engine, 'if(s LIKE "log%", 1, 0)', 's="login.failed"') == "1"
    assert r(engine, 'if(like(s, "_ogin%"), 1, 0)', 's="login.failed"') == "1"
    assert r(engine, 'if(like(s, "LOG%"), 1, 0)', 's="login.failed"') == "0"


def test_in_operator_and_function(engine: Engine) -> None:
    assert r(engine, 'if(in(s, "a", "b"), 1, 0)', 's="b"') == "1"
    assert r(engine, 'if(s IN ("a", "c"), 1, 0)', 's="b"') == "0"


def test_boolean_cannot_be_assigned(engine: Engine) -> None:
    # a boolean result cannot be stored in a field (docs.splunk.com/Documentation/Splunk/latest/SearchReference/Eval)
    with pytest.raises(SplError, match="boolean"):
        r(engine, "1=1")


def test_non_boolean_in_boolean_context_is_error(engine: Engine) -> None:
    with pytest.raises(SplError, match="boolean"):
        r(engine, 'if("x", 1, 0)')


def test_multivalue_comparison_matches_any_value(engine: Engine) -> None:
    assert r(engine, 'if(m = "b", 1, 0)', 'm=split("a,b", ",")') == "1"


# --- conditional ---------------------------------------------------------------------------------------

def test_if_case_coalesce_validate(engine: Engine) -> None:
    assert r(engine, 'case(x=1, "one", x=2, "two", true(), "other")', "x=2") == "two"
    assert r(engine, 'case(x=1, "one")', "x=2") is None
    assert r(engine, 'coalesce(missing, null(), "z")') == "z"
    assert r(engine, 'validate(x > 0, "neg", x < 10, "big")', "x=12") == "big"
    assert r(engine, 'validate(x > 0, "neg")', "x=1") is None


def test_null_true_false(engine: Engine) -> None:
    assert r(engine, "null()") is None
    assert r(engine, 'if(true(), "t", "f")') == "t"
    assert r(engine, 'if(false(), "t", "f")') == "f"


# --- informational -------------------------------------------------------------------------------------

def test_isnull_isnotnull_isnum_isstr(engine: Engine) -> None:
    assert r(engine, 'if(isnull(missing) AND isnotnull(x), 1, 0)', "x=0") == "1"
    assert r(engine, 'if(isnum(x), 1, 0)', 'x="12.5"') == "1"
    assert r(engine, 'if(isnum(x), 1, 0)', 'x="abc"') == "0"
    assert r(engine, 'if(isstr(x), 1, 0)', 'x="abc"') == "1"
    assert r(engine, 'typeof(x)', 'x="abc"') == "String"


# --- conversion ------------------------------------------------------------------------------------

def test_tonumber_tostring(engine: Engine) -> None:
    assert r(engine, 'tonumber("0x1F", 16)') == "31"
    assert r(engine, 'tonumber("12.50")') == "12.5"
    assert r(engine, 'tonumber("abc")') is None
    assert r(engine, 'tostring(1=1)') == "True"
    assert r(engine, 'tostring(1234567, "commas")') == "1,234,567"
    assert r(engine, 'tostring(3725, "duration")') == "01:02:05"
    assert r(engine, 'tostring(255, "hex")') == "0xff"


def test_printf(engine: Engine) -> None:
    assert r(engine, 'printf("%s-%04d-%.2f", "a", 7, 3.14159)') == "a-0007-3.14"


# --- text ------------------------------------------------------------------------------------------------

def test_text_functions(engine: Engine) -> None:
    assert r(engine, 'lower("AbC") . upper("d")') == "abcD"
    assert r(engine, 'len("héllo")') == "5"
    assert r(engine, 'substr("abcdef", 2, 3)') == "bcd"
    assert r(engine, 'substr("abcdef", -2)') == "ef"
    assert r(engine, 'replace("a1b22", "(\\d+)", "<\\1>")') == "a<1>b<22>"
    assert r(engine, 'trim("  x ")') == "x"
    assert r(engine, 'ltrim("xxa", "x")') == "a"
    assert r(engine, 'rtrim("azz", "z")') == "a"
    assert r(engine, 'urldecode("a%20b%2Fc")') == "a b/c"
    assert r(engine, 'md5("a")') == "0cc175b9c0f1b6a831c399e269772661"


def test_match_regex(engine: Engine) -> None:
    assert r(engine, 'if(match(s, "^api_key\\."), 1, 0)', 's="api_key.created"') == "1"
    assert r(engine, 'if(match(s, "^API"), 1, 0)', 's="api_key.created"') == "0"


def test_cidrmatch(engine: Engine) -> None:
    assert r(engine, 'if(cidrmatch("10.0.0.0/8", ip), 1, 0)', 'ip="10.2.3.4"') == "1"
    assert r(engine, 'if(cidrmatch("10.0.0.0/8", ip), 1, 0)', 'ip="192.0.2.1"') == "0"
    assert r(engine, 'if(cidrmatch("2001:db8::/32", ip), 1, 0)', 'ip="2001:db8::1"') == "1"
    assert r(engine, 'if(cidrmatch("10.0.0.0/8", ip), 1, 0)', 'ip="not-an-ip"') == "0"


# --- multivalue (docs.splunk.com/Documentation/Splunk/latest/SearchReference/MultivalueEvalFunctions) ---

def test_split_and_split_of_null(engine: Engine) -> None:
    # split() of a null field returns null (docs.splunk.com/Documentation/Splunk/latest/SearchReference/MultivalueEvalFunctions)
    rows = engine.search('| makeresults | eval m=split("a,b,c", ",")', [])
    assert rows[0]["m"] == ["a", "b", "c"]
    assert r(engine, 'split(missing, ",")') is None


def test_mv_functions(engine: Engine) -> None:
    # mvindex: negative indexes count from the end, the end index is inclusive
    # (docs.splunk.com/Documentation/Splunk/latest/SearchReference/MultivalueEvalFunctions)
    setup = 'm=split("c,a,b,a", ",")'
    assert r(engine, "mvcount(m)", setup) == "4"
    assert r(engine, "mvcount(missing)") is None
    assert r(engine, "mvindex(m, 0)", setup) == "c"
    assert r(engine, "mvindex(m, -1)", setup) == "a"  # negative index counts from the end
    assert r(engine, 'mvjoin(mvindex(m, 1, 2), "|")', setup) == "a|b"  # end is inclusive
    assert r(engine, "mvindex(m, 9)", setup) is None
    assert r(engine, 'mvjoin(mvdedup(m), ",")', setup) == "c,a,b"
    assert r(engine, 'mvjoin(mvsort(m), ",")', setup) == "a,a,b,c"
    assert r(engine, 'mvjoin(mvappend(m, "z", missing), ",")', setup) == "c,a,b,a,z"
    assert r(engine, 'mvjoin(mvfilter(m != "a"), ",")', setup) == "c,b"
    assert r(engine, 'mvfind(m, "^b")', setup) == "2"
    assert r(engine, 'mvjoin(mvzip(mvindex(m,0,1), mvindex(m,2,3)), ";")', setup) == "c,b;a,a"


def test_mvfilter_must_reference_one_field(engine: Engine) -> None:
    with pytest.raises(SplError):
        r(engine, 'mvfilter(a = b)', 'a=1, b=2')


# --- math --------------------------------------------------------------------------------------------

def test_math(engine: Engine) -> None:
    assert r(engine, "round(2.5)") == "3"
    assert r(engine, "round(3.14159, 2)") == "3.14"
    assert r(engine, "floor(2.7) . ceil(2.1) . abs(-4)") == "234"
    assert r(engine, "min(3, 1, 2) . max(3, 10, 2)") == "110"
    assert r(engine, 'max(3, "abc")') == "abc"  # strings sort after numbers
    assert r(engine, "pow(2, 10)") == "1024"
    assert r(engine, "1 / 0") is None


# --- time ----------------------------------------------------------------------------------------------

def test_now_time_strftime_strptime(engine: Engine) -> None:
    assert r(engine, "now()") == str(NOW)
    assert r(engine, 'strftime(now(), "%Y-%m-%dT%H:%M:%S")') == "2026-01-02T03:02:05"
    assert r(engine, 'strftime(1.5, "%s.%3N")') == "1.500"
    assert r(engine, 'strptime("2026-01-01 00:00:00", "%Y-%m-%d %H:%M:%S")') == str(BASE_T)
    assert r(engine, 'strptime("garbage", "%Y")') is None
    assert float(r(engine, "time()")) > BASE_T


def test_relative_time(engine: Engine) -> None:
    assert r(engine, 'relative_time(now(), "-1d@d")') == str(BASE_T)
    assert r(engine, 'relative_time(now(), "@h")') == str(BASE_T + 86400 + 3 * 3600)


def test_info_min_max_time_available(engine: Engine) -> None:
    rows = engine.search("| makeresults | eval a=info_min_time, b=info_max_time", [], now=NOW,
                         earliest="-24h", latest="now")
    assert rows[0]["a"] == str(NOW - 86400) and rows[0]["b"] == str(NOW)


# --- JSON ------------------------------------------------------------------------------------------------

def test_json_extract_and_spath(engine: Engine) -> None:
    setup = """j="{\\"a\\":{\\"b\\":[1,2]},\\"c\\":\\"x\\"}\""""
    assert r(engine, 'json_extract(j, "c")', setup) == "x"
    assert r(engine, 'json_extract(j, "a.b{0}")', setup) == "1"
    assert r(engine, 'json_extract(j, "a")', setup) == '{"b":[1,2]}'
    rows = engine.search(f"| makeresults | eval {setup} | eval v=spath(j, \"a.b{{}}\")", [])
    assert rows[0]["v"] == ["1", "2"]


def test_json_extract_exact_keys_and_array_to_mv(engine: Engine) -> None:
    """Search Reference, JSON functions: json_extract_exact matches literal keys (dots allowed), json_keys returns
    an object's keys as a JSON array, json_array_to_mv maps a JSON array to a multivalue field."""
    setup = """j="{\\"api_key.created\\":{\\"id\\":\\"k1\\",\\"data\\":{\\"scopes\\":[\\"a\\"],\\"n\\":{\\"x\\":{\\"y\\":[{\\"z\\":1}]}}}},\\"t\\":\\"v\\"}\""""
    payload = 'json_extract_exact(j, "api_key.created")'
    assert r(engine, 'json_extract(%s, "id")' % payload, setup) == "k1"
    assert r(engine, 'json_extract(j, "api_key.created")', setup) is None  # a path: dots separate keys
    assert r(engine, 'json_extract_exact(j, "nope")', setup) is None
    assert r(engine, 'json_keys(j)', setup) == '["api_key.created","t"]'
    keys = 'json_array_to_mv(json_keys(json_extract(%s, "data")))' % payload
    rows = engine.search(f"| makeresults | eval {setup} | eval v={keys}", [])
    assert rows[0]["v"] == ["scopes", "n"]  # top-level keys only, however deep the values nest
    assert r(engine, 'json_array_to_mv("[\\"a\\"]", true())') == '"a"'
    assert r(engine, 'json_array_to_mv("[]")') is None
    assert r(engine, 'json_keys("[1]")') is None and r(engine, 'json_keys("x")') is None
    assert r(engine, 'json_keys(json_delete(%s, "id", "data.n", "nope"))' % payload, setup) == '["data"]'
    assert r(engine, 'json_keys(json_extract(json_delete(%s, "data.n"), "data"))' % payload, setup) == '["scopes"]'
    with pytest.raises(SplError, match="array paths"):
        r(engine, 'json_delete(%s, "data.scopes{0}")' % payload, setup)


def test_searchmatch(engine: Engine) -> None:
    assert r(engine, 'if(searchmatch("s=log*"), 1, 0)', 's="login"') == "1"


# --- strictness ----------------------------------------------------------------------------------------

def test_unknown_function_is_error(engine: Engine) -> None:
    with pytest.raises(SplError, match="unsupported or undefined"):
        r(engine, "frobnicate(1)")


def test_function_names_are_case_sensitive(engine: Engine) -> None:
    # eval function names are lower case; Splunk reports IF() as an unsupported or undefined function
    with pytest.raises(SplError):
        r(engine, 'IF(1=1, 1, 0)')


def test_wrong_arity_is_error(engine: Engine) -> None:
    with pytest.raises(SplError, match="arguments"):
        r(engine, "if(1=1, 2)")


def test_malformed_expressions(engine: Engine) -> None:
    for bad in ["1 +", "(1", "1 2", "'unterminated", '"x" ! "y"']:
        with pytest.raises(SplError):
            r(engine, bad)


def test_long_numeric_ids_compare_exactly(engine: Engine) -> None:
    assert r(engine, 'if(a = b, "same", "different")', 'a="12345678901234567890", b="12345678901234567891"') == "different"
