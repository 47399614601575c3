"""One Engine shared by threads (the dashboard tests' REST stand-in runs panel searches in parallel).

splsim's own contract (tools/splsim/README.md, "Thread-safety"): every public Engine method holds one re-entrant
lock, so concurrent searches are serialised and give the same results as running them one after another."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import List

from splsim_testdata import BASE_T, FIXTURE_APP

from splsim import Engine, Event

SEARCHES = [
    "sourcetype=openai:audit | stats count by type_lower",
    "sourcetype=openai:audit | eval n=len(_raw) | stats max(n) as n",
    "sourcetype=openai:audit | table _time type_lower | sort - _time",
    "| makeresults count=3 | eval x=1 | stats sum(x) as s",
    "sourcetype=openai:audit earliest=0 | append [search sourcetype=openai:audit | head 1] | stats count",
]


def test_parallel_searches_match_sequential_ones(events: List[Event]) -> None:
    eng = Engine(app_dir=FIXTURE_APP)  # a fresh engine: empty lookup and extraction caches to race on
    fresh = [eng.make_event(e.raw, time=e.time) for e in events]
    jobs = [SEARCHES[i % len(SEARCHES)] for i in range(60)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(lambda q: eng.search(q, fresh, now=BASE_T + 86400, earliest=BASE_T), jobs))
    sequential = [Engine(app_dir=FIXTURE_APP).search(q, fresh, now=BASE_T + 86400, earliest=BASE_T) for q in jobs]
    assert parallel == sequential
    assert all(parallel[i] for i in range(len(jobs)))


def test_a_search_waits_while_another_thread_holds_the_engine(engine: Engine, events: List[Event]) -> None:
    done = threading.Event()

    def run() -> None:
        engine.search("sourcetype=openai:audit | stats count", events, now=BASE_T + 86400, earliest=BASE_T)
        done.set()

    with engine.lock:
        worker = threading.Thread(target=run)
        worker.start()
        assert not done.wait(0.2), "the search ran while another thread held the engine lock"
    worker.join(timeout=30)
    assert done.is_set()
