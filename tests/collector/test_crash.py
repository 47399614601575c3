"""Crash test: the built modular input killed with SIGKILL at 20 random points during a backfill with late
events, restarted each time. Every event is written; a duplicate is only ever an event of the one page
that was in flight at a kill (asserted exactly, per kill); clean restarts produce no duplicate."""
from __future__ import annotations

import json
import os
import random
import select
import time
from typing import Any, Dict, List, Optional, Set

import pytest

from fake_splunkd import FakeSplunkd
from oai_sim.generator import generate
from oai_sim.protocol import parse_query
from oai_sim.server import Simulator

from oai_audit.checkpoint import checkpoint_key

from collector_support import KEY, NOW
from modinput_support import InputRunner, parse_events, require_build

pytestmark = [pytest.mark.build, pytest.mark.slow]

KILLS = 20
N_EVENTS = 10000
KEY_MAIN = checkpoint_key("in1", "acc", "main")


def _ids(stdout: str) -> List[str]:
    return [json.loads(e["data"])["id"] for e in parse_events(stdout)]


def _run_until_kill(runner: InputRunner, rng: random.Random, params: Dict[str, Any]) -> Dict[str, Any]:
    """Start the input; SIGKILL it at a random point: after a random number of written events (mid-page
    or between pages), a random time after its first event, or a random time after start (during start-up,
    the first request or the first checkpoint)."""
    mode = rng.choices(["events", "after_first", "startup"], weights=[6, 3, 1])[0]
    target = rng.randint(1, 350)
    delay = rng.uniform(0.0, 0.05) if mode == "after_first" else rng.uniform(0.05, 0.6)
    proc = runner.popen(**params)
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    buf = b""
    killed = False
    started = time.monotonic()
    first_event_at: Optional[float] = None
    while True:
        ready, _, _ = select.select([fd], [], [], 0.002)
        if ready:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            buf += chunk
        now = time.monotonic()
        if first_event_at is None and b"</event>" in buf:
            first_event_at = now
        if (mode == "events" and buf.count(b"</event>") >= target
                or mode == "after_first" and first_event_at is not None and now - first_event_at >= delay
                or mode == "startup" and now - started >= delay):
            proc.kill()  # SIGKILL
            killed = True
            break
    proc.wait(timeout=60)
    rest = proc.stdout.read()
    proc.stdout.close()
    proc.stderr.close()  # type: ignore[union-attr]
    return {"stdout": (buf + rest).decode("utf-8", "replace"), "killed": killed and proc.returncode == -9}


def _state(runner: InputRunner) -> Optional[Dict[str, Any]]:
    recs = [r for r in (runner.kv_state(KEY_MAIN), runner.file_state(KEY_MAIN)) if r]
    return max(recs, key=lambda r: r["seq"]) if recs else None


def _in_flight(sim: Simulator, state: Optional[Dict[str, Any]]) -> Set[str]:
    """Ids of the last page served to the killed process, unless its checkpoint already covers it."""
    served = [r for r in sim.requests if r.status == 200]
    if not served:
        return set()
    query = served[-1].query
    page = sim.store.query(parse_query(query, default_limit=sim.default_limit))
    ids = [e["id"] for e in page.data]
    if state is not None and ids:
        win = state["window"]
        gte, lte = int(query["effective_at[gte]"][0]), int(query["effective_at[lte]"][0])
        if page.has_more and win and (win["gte"], win["lte"]) == (gte, lte) and state["after"] == ids[-1]:
            return set()  # page completed and checkpointed before the kill
        if not page.has_more and win is None and state["covered_to"] == lte:
            return set()  # last page of its slice, slice completed and checkpointed
    return set(ids)


def test_sigkill_at_20_random_points_loses_nothing_and_duplicates_only_the_in_flight_page(tmp_path):
    require_build()
    rng = random.Random(int(os.environ.get("CRASH_SEED", "20261123")))
    events = generate(N_EVENTS, seed=4242, start=NOW - 20 * 86400, end=NOW - 120, tenant=False)
    params = {"start_date": NOW - 21 * 86400, "interval": 300}
    with Simulator(events, admin_key=KEY) as sim, FakeSplunkd() as fake:
        fake.set_account("acc", encrypted={"api_key": KEY}, base_url=sim.base_url)
        fake.set_conf("ta_openai_audit_settings", "advanced", {"allow_custom_base_url": "1"})  # loopback simulator
        runner = InputRunner(fake, tmp_path)
        all_ids = {e["id"] for e in events}
        outputs: List[List[str]] = []
        in_flight: List[Optional[Set[str]]] = []  # per process: the in-flight page at its kill, None = clean
        late_seed = 100
        while sum(f is not None for f in in_flight) < KILLS:
            assert len(outputs) < 6 * KILLS, "the input kept finishing before it could be killed"
            sim.clear_requests()
            run = _run_until_kill(runner, rng, params)
            outputs.append(_ids(run["stdout"]))
            in_flight.append(_in_flight(sim, _state(runner)) if run["killed"] else None)
            if not run["killed"] or sum(f is not None for f in in_flight) % 4 == 0:
                # late events behind the checkpoint, inside the overlap (more when a run caught up)
                late = generate(15 if run["killed"] else 400, seed=late_seed, start=NOW - 400, end=NOW - 60,
                                tenant=False)
                late_seed += 1
                sim.add_events(late)
                all_ids |= {e["id"] for e in late}
        kills_outputs = len(outputs)

        # clean restarts: the rest, then late events, then nothing at all. Each run starts in a later second than
        # the previous run's cap (runs are an interval apart): a run that starts within the killed run's cap second
        # has nothing new to cover, and late events shown above the killed run's cursor wait for the next run.
        time.sleep(1.1)
        clean = runner.run(**params)
        assert clean.returncode == 0, clean.stderr
        outputs.append(_ids(clean.stdout))
        late = generate(25, seed=999, start=NOW - 300, end=NOW - 30, tenant=False)
        sim.add_events(late)
        all_ids |= {e["id"] for e in late}
        for expect_new in (True, False):
            time.sleep(1.1)
            again = runner.run(**params)
            assert again.returncode == 0, again.stderr
            outputs.append(_ids(again.stdout))
            if expect_new:
                assert set(outputs[-1]) == {e["id"] for e in late}
            else:
                assert outputs[-1] == []

    written = [i for out in outputs for i in out]
    assert set(written) == all_ids, f"missing: {len(all_ids - set(written))}"
    # exact duplicate bound, per process: a killed one duplicates exactly what it wrote of its in-flight
    # page; one that finished on its own duplicates nothing
    total_dups = 0
    for k in range(kills_outputs):
        later: Set[str] = set(i for out in outputs[k + 1:] for i in out)
        dups_k = set(outputs[k]) & later
        assert len(outputs[k]) == len(set(outputs[k])), "a process wrote an event twice"
        flight = in_flight[k]
        if flight is None:
            assert dups_k == set(), f"clean run {k} was duplicated later"
        else:
            assert dups_k == set(outputs[k]) & flight, f"kill {k}: duplicates outside the in-flight page"
            assert len(dups_k) <= 100
        total_dups += len(dups_k)
    assert len(written) - len(set(written)) == total_dups
    # clean runs after the last kill: nothing written twice among them
    clean_ids = [i for out in outputs[kills_outputs:] for i in out]
    assert len(clean_ids) == len(set(clean_ids))
    print(f"\ncrash test: {sum(f is not None for f in in_flight)} kills, {len(all_ids)} events, {total_dups} duplicates "
          f"(all from in-flight pages), {len(outputs)} processes")
