"""Replay of consecutive scheduled runs: every shipped detection, run slot after slot over a day (or more) of
generated audit events with planted situations, each run with its own dispatch range, as it sees the events
indexed by then, with ES throttling (splsim.alerting.ScheduledSearch).

A planted situation is one entry of ``replay_situations.yml`` (see the comment at its top); ``findings_of``
returns the findings that match it. Timing model (README "Detection scheduling"):
- an event with ``effective_at`` T is indexed at T + the input's poll interval (300 s) at most + the API's delay
  (up to ``API_DELAY_MAX``), seeded per event;
- a run due at slot S is dispatched up to ``DISPATCH_DELAY_MAX`` later (``schedule_window = auto``) and its alert
  fires ``RUN_TIME_MAX`` after that at most.
"""
from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import yaml
from oai_audit.events import to_raw
from oai_sim.generator import generate
from splsim import Engine, Event
from splsim.alerting import Run, ScheduledSearch

import render_detections
from det_support import APP_DIR, build_events, lookup_overrides, parse_time

SITUATIONS_FILE = Path(__file__).with_name("replay_situations.yml")
REPLAY_START = "2026-11-23T00:00:00Z"  # a Monday
REPLAY_HOURS = 26
BACKGROUND_EVENTS = 2000
POLL_INTERVAL = 300
API_DELAY_MAX = 240
DISPATCH_DELAY_MAX = 300
RUN_TIME_MAX = 60
SEED = 20261123

Result = Dict[str, Any]


@dataclass
class Situation:
    """A planted situation: its events, the detection that must report it, and how to recognise its finding."""
    name: str
    detection: str
    at: float
    events: List[Dict[str, Any]]
    match: Dict[str, str]
    findings: int = 1
    lookups: Dict[str, List[Dict[str, Any]]] = field(default_factory=dict)


def parse_offset(text: str) -> float:
    """``H:MM[:SS]`` after the replay start (hours may exceed 23)."""
    parts = [int(p) for p in str(text).split(":")]
    if len(parts) not in (2, 3):
        raise ValueError(f"replay offset {text!r} is not H:MM[:SS]")
    h, m, s = (parts + [0])[:3]
    return h * 3600 + m * 60 + s


def load_situations(path: Path = SITUATIONS_FILE, start: Optional[float] = None) -> List[Situation]:
    t0 = parse_time(REPLAY_START) if start is None else start
    names = {d["name"] for d in render_detections.load_detections()}
    out = []
    for k, entry in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")) or []):
        if entry["detection"] not in names:
            raise ValueError(f"{path.name}: {entry['name']!r} names an unknown detection {entry['detection']!r}")
        at = t0 + parse_offset(entry["at"])
        specs = [dict({"minutes_ago": 0}, **e) for e in entry["events"]]
        objs = build_events(specs, at)
        for o in objs:
            o["id"] = f"audit_log-replay{k:03d}-{o['id'][len('audit_log-'):]}"
        out.append(Situation(name=entry["name"], detection=entry["detection"], at=at, events=objs,
                             match={str(a): str(b) for a, b in entry["match"].items()},
                             findings=int(entry.get("findings", 1)), lookups=entry.get("lookups") or {}))
    return out


def merged_lookups(situations: Sequence[Situation]) -> Dict[str, List[Dict[str, Any]]]:
    rows: Dict[str, List[Dict[str, Any]]] = {}
    for s in situations:
        for fn, extra in s.lookups.items():
            rows.setdefault(fn, []).extend(extra)
    return rows


@dataclass(frozen=True)
class Timing:
    """Delays of the replay, each drawn per event / per run from [low, high] (a constant when low == high):
    indexing lag after effective_at, dispatch delay after the scheduled time, run time until the alert fires."""
    index_lag: Tuple[float, float] = (1.0, float(POLL_INTERVAL + API_DELAY_MAX))
    dispatch_delay: Tuple[float, float] = (0.0, float(DISPATCH_DELAY_MAX))
    run_time: Tuple[float, float] = (1.0, float(RUN_TIME_MAX))


def ingest(engine: Engine, objs: Sequence[Mapping[str, Any]], rng: random.Random, lag: Tuple[float, float]) -> List[Event]:
    """Index the objects as the input writes them, each with an _indextime ``lag`` after its effective_at."""
    out = []
    for o in objs:
        t = float(o["effective_at"])
        out.append(engine.make_event(to_raw(o), time=t, indextime=t + rng.uniform(*lag)))
    return out


@dataclass
class Replay:
    runs: Dict[str, List[Run]]

    def findings(self, detection: str) -> List[Tuple[Run, Result]]:
        return [(run, alert) for run in self.runs[detection] for alert in run.alerts]

    def findings_of(self, situation: Situation) -> List[Tuple[Run, Result]]:
        return [(run, a) for run, a in self.findings(situation.detection) if matches(a, situation.match)]


def matches(result: Mapping[str, Any], want: Mapping[str, str]) -> bool:
    """Every wanted field holds the wanted value (or one of its values, for a multivalue field)."""
    for k, v in want.items():
        got = result.get(k)
        if v not in (got if isinstance(got, list) else [got]):
            return False
    return True


def replay(situations: Sequence[Situation], *, hours: int = REPLAY_HOURS, background: int = BACKGROUND_EVENTS,
           stanzas: Optional[Mapping[str, Mapping[str, str]]] = None, detections: Optional[Sequence[str]] = None,
           timing: Timing = Timing(), seed: int = SEED) -> Replay:
    """Run the chosen detections (default: all) slot by slot over [start, start + hours) plus two more hours,
    so the last events are read. ``stanzas`` overrides a detection's rendered stanza (by detection name)."""
    start = parse_time(REPLAY_START)
    end = start + hours * 3600
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine(app_dir=APP_DIR, extra_lookups=lookup_overrides(Path(tmp), merged_lookups(situations)))
        objs = generate(background, seed, int(start), int(end))
        objs += [o for s in situations for o in s.events]
        events = ingest(engine, objs, rng, timing.index_lag)
        names = list(detections) if detections is not None else [d["name"] for d in render_detections.load_detections()]
        searches = {n: ScheduledSearch(engine, render_detections.stanza_name(n), (stanzas or {}).get(n))
                    for n in names}
        runs: Dict[str, List[Run]] = {n: [] for n in names}
        for n, search in searches.items():
            for slot in search.run_times(start + 1, end + 2 * 3600):
                runs[n].append(search.run(events, slot, dispatch_delay=rng.uniform(*timing.dispatch_delay),
                                          run_time=rng.uniform(*timing.run_time)))
    return Replay(runs)
