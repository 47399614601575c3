"""Benchmark of the offline search engine (tools/splsim): event extraction and ~30 searches over a
few hundred audit events, as the detection/CIM tests use it. Prints numbers; asserts nothing.

    .venv/py3.9/bin/python benchmarks/bench_splsim.py [--events 300] [--repeat 3]

The searches use the fixture app's lookups and macros (tests/splsim/fixture_app).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from typing import List

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))

from splsim import Engine  # noqa: E402

APP = os.path.join(ROOT, "tests", "splsim", "fixture_app")

TYPES = ["login.failed", "login.succeeded", "api_key.created", "api_key.deleted", "project.created",
         "invite.sent", "user.updated", "service_account.created", "certificate.created", "mystery.event"]

SEARCHES = [
    'sourcetype="openai:audit"',
    'sourcetype="openai:audit" tag=authentication',
    'sourcetype="openai:audit" tag=change | stats count by action',
    'sourcetype="openai:audit" type_lower=login.* | stats count by user, src',
    'sourcetype="openai:audit" | stats dc(src) as ips values(src) as srcs by user | where ips > 1',
    'sourcetype="openai:audit" | eventstats count as n by user | where n > 3 | table user n',
    'sourcetype="openai:audit" | bin _time span=1h | stats count by _time, action',
    'sourcetype="openai:audit" | timechart span=1h count by action',
    'sourcetype="openai:audit" | top limit=5 user',
    'sourcetype="openai:audit" | rare limit=5 type_lower',
    'sourcetype="openai:audit" | dedup user | sort - _time | head 10',
    'sourcetype="openai:audit" | eval hour=strftime(_time, "%H") | stats count by hour',
    'sourcetype="openai:audit" | where cidrmatch("10.0.0.0/8", src) | stats count',
    'sourcetype="openai:audit" | rex field=user "@(?<domain>.+)$" | stats count by domain',
    'sourcetype="openai:audit" | spath input=_raw path=actor.session.ip_address output=ip | stats dc(ip)',
    'sourcetype="openai:audit" | streamstats count as seq by user | where seq=1 | table user _time',
    'sourcetype="openai:audit" NOT type_lower=login.* | stats count by type_lower',
    'sourcetype="openai:audit" user IN (u1@example.com, u2@example.com) | stats count by user',
    'sourcetype="openai:audit" | lookup fixture_action_labels action OUTPUT label AS l | stats count by l',
    'sourcetype="openai:audit" | fillnull value=none zone | stats count by zone',
    'sourcetype="openai:audit" | eval k=if(match(type_lower, "^login"), "auth", "change") | stats count by k',
    'sourcetype="openai:audit" | stats earliest(_time) as first latest(_time) as last by user',
    'sourcetype="openai:audit" [ search type_lower=api_key.* | fields user ] | stats count',
    'sourcetype="openai:audit" | stats count(eval(action="failure")) as f, count as n by user | where f > 0',
    'sourcetype="openai:audit" | eval day=relative_time(_time, "@d") | stats count by day',
    'sourcetype="openai:audit" | mvexpand tag | stats count by tag',
    'sourcetype="openai:audit" | rename user AS account | table account src action',
    'sourcetype="openai:audit" earliest=-6h | stats count',
    '`audit_type(login.failed)` | stats count by user',
    '| inputlookup fixture_event_types | stats count by action',
]


def make_raw(i: int, t0: int, rnd: random.Random) -> str:
    type_ = rnd.choice(TYPES)
    obj = {"id": f"audit_log-{i}", "type": type_, "effective_at": t0 + i * 60,
           "actor": {"type": "session", "session": {
               "user": {"id": f"user-{i % 17}", "email": f"u{i % 17}@example.com"},
               "ip_address": rnd.choice(["10.0.0.5", "192.0.2.7", "198.51.100.9", "10.1.2.3"]),
               "user_agent": "curl/8", "ip_address_details": {"country": "US", "asn": "64500"}}},
           type_: {"id": f"obj-{i}", "data": {"scopes": ["a", "b"], "name": f"n{i}"}}}
    return json.dumps(obj, separators=(",", ":"))


def main(argv: List[str]) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    rnd = random.Random(7)
    t0 = 1767225600
    t = time.perf_counter()
    eng = Engine(app_dir=APP)
    load_s = time.perf_counter() - t
    raws = [make_raw(i, t0, rnd) for i in range(args.events)]
    t = time.perf_counter()
    events = [eng.make_event(r) for r in raws]
    make_s = time.perf_counter() - t
    t = time.perf_counter()
    for e in events:
        eng.extract(e)
    extract_s = time.perf_counter() - t
    now = t0 + args.events * 60 + 1
    totals = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        for spl in SEARCHES:
            eng.search(spl, events, now=now)
        totals.append(time.perf_counter() - t)
    per = []
    for spl in SEARCHES:
        t = time.perf_counter()
        eng.search(spl, events, now=now)
        per.append((time.perf_counter() - t, spl))
    print(f"python {sys.version.split()[0]}  app={os.path.relpath(APP, ROOT)}  events={args.events}")
    print(f"engine load: {load_s * 1000:.1f} ms")
    print(f"make_event: {make_s * 1000:.1f} ms total ({make_s / args.events * 1e6:.0f} us/event)")
    print(f"first extract (search-time pipeline): {extract_s * 1000:.1f} ms total "
          f"({extract_s / args.events * 1e6:.0f} us/event)")
    print(f"{len(SEARCHES)} searches (cached extraction), median of {args.repeat}: "
          f"{statistics.median(totals) * 1000:.1f} ms total, {statistics.median(totals) / len(SEARCHES) * 1000:.2f} ms/search")
    slow = sorted(per, reverse=True)[:3]
    for secs, spl in slow:
        print(f"  slowest: {secs * 1000:.1f} ms  {spl[:80]}")


if __name__ == "__main__":
    main(sys.argv[1:])
