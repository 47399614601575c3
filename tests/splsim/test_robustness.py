"""Malformed input never crashes the engine: the only exception it raises is SplError."""
from __future__ import annotations

import random
from typing import List

import pytest

from splsim import Engine, Event, SplError

SEEDS = [
    'sourcetype="openai:audit" type_lower IN (login.*, api*) NOT user=bob* | stats count(eval(action="failure")) '
    'as f, values(src) as s by user | where f > 0 | sort - f | head 5',
    '| makeresults count=3 | streamstats count as n | eval x=case(n=1, "a", n=2, mvappend("b","c"), true(), null()), '
    'y=if(isnull(x), "none", mvjoin(x, ",")) | mvexpand x | table n x y',
    'sourcetype="openai:audit" | rex field=user "^(?<local>[^@]+)@(?<dom>.+)$" | lookup fixture_action_labels action '
    'OUTPUT label | timechart span=1h count by label',
    'sourcetype="openai:audit" [ search type_lower=api_key.* | fields user ] | spath input=_raw '
    'path=actor.session.ip_address output=ip | eval t=strftime(_time, "%Y-%m-%d") | chart count over t by ip',
    '`audit_type(login.failed)` | eventstats dc(src) as n by user | dedup user | rename user AS u | fields u n '
    '| fillnull value=0',
]
ALPHABET = list("|[]()\"'=!<>,`*$ abcxyz0123456789.-+{}@:%\\")


def _mutate(rnd: random.Random, text: str) -> str:
    s = list(text)
    for _ in range(rnd.randint(1, 4)):
        pos = rnd.randrange(len(s))
        op = rnd.random()
        if op < 0.4:
            del s[pos]
        elif op < 0.8:
            s.insert(pos, rnd.choice(ALPHABET))
        else:
            other = rnd.randrange(len(s))
            s[pos], s[other] = s[other], s[pos]
    return "".join(s)


@pytest.mark.parametrize("seed", range(5))
def test_mutated_searches_raise_only_splerror(engine: Engine, events: List[Event], seed: int) -> None:
    rnd = random.Random(seed)
    ok = failed = 0
    for _ in range(400):
        spl = _mutate(rnd, rnd.choice(SEEDS))
        try:
            engine.search(spl, events)
            ok += 1
        except SplError:
            failed += 1
    assert ok and failed  # both paths were exercised


@pytest.mark.parametrize("spl", [
    "| makeresults | eval r=round(1e308*10)",
    "| makeresults | eval r=exp(1000)",
    "| makeresults | eval r=pow(-8, 0.5)",
    "| makeresults | eval r=strftime(1e20, \"%Y\")",
    "| makeresults | eval r=tostring(1e308*10, \"duration\")",
])
def test_numeric_overflow_is_null(engine: Engine, spl: str) -> None:
    assert "r" not in engine.search(spl, [])[0]


@pytest.mark.parametrize("spl", [
    "sourcetype=* | bin _time span=0",
    "sourcetype=* | head -1",
    "sourcetype=* | dedup 0 user",
    "| makeresults count=100000000000",
    "sourcetype=* | rex mode=sed field=user \"s/a/\\9/\"",
    "| makeresults | eval r=replace(\"abc\", \"(b)\", \"\\2\")",
    "sourcetype=* | lookup fixture_networks ip OUTPUT",
    "sourcetype=* | sort -",
])
def test_bad_arguments_are_errors(engine: Engine, events: List[Event], spl: str) -> None:
    with pytest.raises(SplError):
        engine.search(spl, events)
