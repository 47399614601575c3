"""Versioned checkpoint record and its stores (KV store by default, file fallback, file mirror), and the lock
that keeps a second process off a checkpoint key.

Record (version 2)::

    {"version": 2, "seq": 12, "next_gte": 1700000000 | null, "covered_to": 1700000599 | null,
     "newest": 1700000590 | null,
     "window": {"gte": ..., "lte": ..., "reread_from": ..., "tail": true} | null,
     "after": "<last_id of the last completed page>" | null,
     "updated_at": 1700000123, "seen": {"<id>": <effective_at>, ...}}

``window`` is the time slice being paged (``after`` is its cursor; ``tail`` when it reaches the run's cap, so
its re-read boundary also follows ``newest``); ``next_gte`` is where the next slice starts; ``covered_to`` is
the upper bound of the last completed slice; ``newest`` is the newest effective_at collected; ``seen`` holds
the ids already written at or after the re-read (overlap) boundary. Every time in it is within
``events.MIN_TIME``..``events.MAX_TIME``.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any, Callable, ContextManager, Dict, Iterator, List, Optional, Protocol

from .dedup import SeenIds
from .errors import CheckpointError, CheckpointLocked
from .events import is_time

LOG = logging.getLogger(__name__)

VERSION = 2
COLLECTION = "ta_openai_audit_checkpoints"
STREAMS = ("main", "tenant")


@dataclass(frozen=True)
class Window:
    """The time slice being paged: [gte, lte] and where the next slice re-reads from."""

    gte: int
    lte: int
    reread_from: int  # the wall-clock re-read boundary (lte + 1 for a slice older than the overlap)
    tail: bool = False  # the slice reaches the run's cap: its boundary also follows the newest event

    def to_dict(self) -> Dict[str, Any]:
        return {"gte": self.gte, "lte": self.lte, "reread_from": self.reread_from, "tail": self.tail}


@dataclass
class State:
    """In-memory checkpoint of one stream."""

    next_gte: Optional[int] = None
    covered_to: Optional[int] = None
    window: Optional[Window] = None
    after: Optional[str] = None
    seen: SeenIds = field(default_factory=SeenIds)
    newest: Optional[int] = None
    seq: int = 0
    updated_at: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.seen, SeenIds):  # a plain {id: effective_at} map
            self.seen = SeenIds(self.seen)

    def to_json(self) -> str:
        """The record as compact JSON; the (possibly large) ``seen`` map is spliced in from its cached text."""
        head = json.dumps({"version": VERSION, "seq": self.seq, "next_gte": self.next_gte,
                           "covered_to": self.covered_to, "newest": self.newest,
                           "window": self.window.to_dict() if self.window else None, "after": self.after,
                           "updated_at": self.updated_at}, separators=(",", ":"))
        return f'{head[:-1]},"seen":{self.seen.json()}}}'


def _migrate_v0(record: Dict[str, Any]) -> Dict[str, Any]:
    """Unversioned record {"effective_at": N} (a bare high-water mark) -> version 1."""
    mark = record.get("effective_at", record.get("next_gte"))
    return {"version": 1, "seq": 0, "next_gte": int(mark) if mark is not None else None,
            "covered_to": int(mark) - 1 if mark is not None else None,
            "window": None, "after": None, "seen": {}, "updated_at": 0}


def _migrate_v1(record: Dict[str, Any]) -> Dict[str, Any]:
    """Version 1 -> 2: ``newest`` from the ids seen (the newest collected that v1 still knows); a window is a
    tail window when it re-reads part of itself."""
    seen = record.get("seen") or {}
    values = [v for v in seen.values() if is_time(v)] if isinstance(seen, dict) else []
    win = record.get("window")
    if isinstance(win, dict):
        win = dict(win, tail=bool(win.get("reread_from", 0) <= win.get("lte", 0)))
    return dict(record, version=2, newest=max(values) if values else None, window=win)


# version -> function upgrading a record of that version to version + 1 (or, for 0, to 1)
MIGRATIONS: Dict[int, Callable[[Dict[str, Any]], Dict[str, Any]]] = {0: _migrate_v0, 1: _migrate_v1}


def migrate(record: Dict[str, Any]) -> Dict[str, Any]:
    """Upgrade a stored record to the current VERSION, step by step; refuse newer versions."""
    version = record.get("version", 0)
    if type(version) is not int:
        raise CheckpointError(f"checkpoint has a non-integer version: {version!r}")
    if version > VERSION:
        raise CheckpointError(f"checkpoint version {version} is newer than this add-on supports ({VERSION}); "
                              f"upgrade the add-on")
    while version < VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise CheckpointError(f"no migration from checkpoint version {version}")
        record = step(record)
        version = record["version"]
    return record


def _time(value: Any, name: str, optional: bool = True) -> Optional[int]:
    if value is None and optional:
        return None
    if not is_time(value):
        raise ValueError(f"'{name}' is not a time in bounds: {value!r}")
    return int(value)


def from_record(record: Any) -> State:
    """Parse (and migrate) a stored record; ``None`` (no record) gives a fresh state. Any time out of bounds,
    a record that is not an object (``null``, a list...) or a field of the wrong type is refused."""
    if record is None:
        return State()
    if not isinstance(record, dict):
        raise CheckpointError(f"checkpoint record is not an object ({type(record).__name__}); refusing it rather "
                              f"than collecting everything again from the start date. Fix or delete it.")
    rec = migrate(record)
    try:
        win = rec.get("window")
        window = Window(_time(win["gte"], "gte", False), _time(win["lte"], "lte", False),  # type: ignore[arg-type]
                        _time(win["reread_from"], "reread_from", False),  # type: ignore[arg-type]
                        bool(win.get("tail", False))) if win else None
        raw_seen = rec.get("seen") or {}
        if not isinstance(raw_seen, dict):
            raise ValueError("'seen' is not an object")
        seen = {str(k): _time(v, "seen", False) for k, v in raw_seen.items()}
        after = rec.get("after")
        if after is not None and not isinstance(after, str):
            raise ValueError("'after' is not a string")
        return State(next_gte=_time(rec.get("next_gte"), "next_gte"), covered_to=_time(rec.get("covered_to"),
                     "covered_to"), window=window, after=after or None, seen=SeenIds(seen),  # type: ignore[arg-type]
                     newest=_time(rec.get("newest"), "newest"), seq=int(rec.get("seq", 0)),
                     updated_at=int(rec.get("updated_at", 0)))
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(f"checkpoint record is invalid: {exc}") from None


def checkpoint_key(input_name: str, account: str, stream: str) -> str:
    """One key per input + account + stream; safe as a KV _key and a file name, unique via a hash."""
    raw = f"{input_name}\x00{account}\x00{stream}"
    digest = hashlib.sha256(raw.encode("utf-8")).hexdigest()[:12]
    readable = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{input_name}__{account}")[:80]
    return f"{readable}__{stream}__{digest}"


def stream_of(key: str) -> str:
    """The stream a checkpoint_key() belongs to."""
    match = re.search(r"__(main|tenant)__[0-9a-f]{12}$", key)
    return match.group(1) if match else "main"


class RecordStore(Protocol):
    """Where records live. ``get`` returns the parsed record or None when there is none (a stored JSON
    ``null`` is refused with CheckpointError, never read as "no checkpoint"); ``update`` stores the record's
    JSON text."""

    def get(self, key: str) -> Any: ...

    def update(self, key: str, text: str) -> None: ...

    def delete(self, key: str) -> None: ...


class Store(RecordStore, Protocol):
    """A record store that can also hold a key against other processes for the duration of a run."""

    def lock(self, key: str) -> ContextManager[None]: ...


def parse_stored(text: str, where: str) -> Any:
    """A stored record's JSON: an object, or CheckpointError (``null``, not JSON, not an object)."""
    try:
        record = json.loads(text)
    except ValueError as exc:
        raise CheckpointError(f"checkpoint {where} is corrupt (not JSON: {exc})") from None
    if not isinstance(record, dict):
        raise CheckpointError(f"checkpoint {where} holds {text[:20]!r}, not a checkpoint object; refusing it "
                              f"rather than collecting everything again from the start date (delete it to "
                              f"start over)")
    return record


try:  # POSIX
    import fcntl

    def _try_lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
except ImportError:  # pragma: no cover - Windows forwarders
    import msvcrt

    def _try_lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]


def _open_lock(path: str) -> Optional[int]:
    """A descriptor to lock: the lock file (created if needed), else its directory (read-only directory),
    else None."""
    directory = os.path.dirname(path) or "."
    try:
        os.makedirs(directory, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        pass
    try:
        return os.open(directory, os.O_RDONLY)
    except OSError:
        return None


@contextlib.contextmanager
def file_lock(path: str, what: str, warn: Callable[[str], None] = LOG.warning) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` for the block, or raise CheckpointLocked at once if another process
    holds it. The operating system releases it when the process dies, so a killed run never leaves it held."""
    fd = _open_lock(path)
    if fd is None:
        warn(f"cannot create the lock file {path} nor open its directory: running {what} without a lock")
        yield
        return
    try:
        try:
            _try_lock(fd)
        except OSError:
            raise CheckpointLocked(f"another process is already collecting {what} (it holds the lock {path}); "
                                   f"this run exits without writing anything") from None
        yield
    finally:
        os.close(fd)


class FileStore:
    """One JSON file per key in ``directory``; writes are atomic (temp file, one write, fsync, rename)."""

    def __init__(self, directory: str) -> None:
        self.directory = directory

    def path(self, key: str) -> str:
        return os.path.join(self.directory, f"{key}.json")

    def get(self, key: str) -> Any:
        path = self.path(key)
        try:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
        except (FileNotFoundError, NotADirectoryError):  # no such file (its directory may not exist either)
            return None
        except (OSError, ValueError) as exc:
            raise CheckpointError(f"cannot read checkpoint file {path}: {exc}") from None
        return parse_stored(text, f"file {path}")

    def update(self, key: str, text: str) -> None:
        os.makedirs(self.directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{key}.", dir=self.directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path(key))
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    def delete(self, key: str) -> None:
        try:
            os.unlink(self.path(key))
        except FileNotFoundError:
            pass

    def lock(self, key: str) -> ContextManager[None]:
        return file_lock(self.path(key) + ".lock", f"checkpoint {key}")


class SingleFileStore(FileStore):
    """A file store whose records live in one explicit file per key derived from ``path`` (CLI)."""

    def __init__(self, path: str) -> None:
        super().__init__(os.path.dirname(os.path.abspath(path)) or ".")
        self._base = os.path.abspath(path)

    def path(self, key: str) -> str:
        return f"{self._base}.tenant" if stream_of(key) == "tenant" else self._base


# Seconds between two saves of a stream's KV store copy during a run (the file copy is saved after every page).
KV_SAVE_EVERY = 10.0


class MirroredStore:
    """Primary store (KV store) plus a local file mirror, written first.

    Reads take the record with the highest ``seq``, so a KV store that is unavailable, lost or behind
    never rewinds the collector; a corrupt mirror file is ignored (with a warning) when the KV store holds a
    good copy. Writes go to whichever of the two works: if one fails, a warning is logged once and the run
    continues on the other (heavy forwarders without a KV store get exactly this fallback); only when both
    fail does the save fail.

    The mirror is written (fsync) on every ``update``. The primary copy is written at most every
    ``primary_every`` seconds while the key's lock is held and always when the lock is released (the end of a
    run, whatever ends it), so a run of 10,000 pages makes about one KV request per 10 s instead of one per
    page: each is a splunkd REST call (TLS, JSON, the KV store's own write), 15-30% of the input's CPU in
    benchmarks/bench_collector.py. Reads prefer the newer copy, so the file decides where a run resumes; the
    KV copy lags it only inside a run. Without a working mirror every update goes to the primary at once.
    """

    def __init__(self, primary: Optional[RecordStore], mirror: Store,
                 warn: Callable[[str], None] = LOG.warning, primary_every: float = 0.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.primary = primary
        self.mirror: Optional[RecordStore] = mirror
        self._lock_store = mirror
        self._warn = warn
        self._every = primary_every
        self._clock = clock
        self._primary_saved: Dict[str, float] = {}  # key -> clock() of its last primary save in this run
        self._pending: Dict[str, str] = {}  # key -> newest text not yet in the primary

    def _drop_primary(self, action: str, exc: Exception) -> None:
        self._warn(f"KV store checkpoint {action} failed ({type(exc).__name__}: {exc}); "
                   f"continuing with the file checkpoint only")
        self.primary = None
        self._pending.clear()

    def get(self, key: str) -> Any:
        records: List[Dict[str, Any]] = []
        problems: List[CheckpointError] = []
        for store in (self.primary, self.mirror):
            if store is None:
                continue
            try:
                rec = store.get(key)
            except CheckpointError as exc:  # corrupt or null record: the other copy may be good
                problems.append(exc)
                continue
            except Exception as exc:  # KV store back-end errors
                if store is not self.primary:
                    raise
                self._drop_primary("read", exc)
                continue
            if rec is not None:
                records.append(rec)
        if problems and not records:
            raise problems[0]
        if not records:
            return None
        best = max(records, key=lambda r: int(r.get("seq", 0)) if type(r.get("seq", 0)) is int else 0)
        for exc in problems:
            self._warn(f"{exc}; using the other copy (seq {best.get('seq')}), rewritten at the next save")
        return best

    def update(self, key: str, text: str) -> None:
        if self.mirror is not None:
            try:
                self.mirror.update(key, text)
            except Exception as exc:
                if self.primary is None:
                    raise
                self._warn(f"file checkpoint write failed ({type(exc).__name__}: {exc}); continuing with the KV "
                           f"store checkpoint only")
                self.mirror = None
        if self.primary is None:
            return
        saved = self._primary_saved.get(key)
        if self.mirror is not None and saved is not None and self._clock() - saved < self._every:
            self._pending[key] = text
            return
        self._save_primary(key, text)

    def _save_primary(self, key: str, text: str) -> None:
        assert self.primary is not None
        self._pending.pop(key, None)
        try:
            self.primary.update(key, text)
        except Exception as exc:
            if self.mirror is None:
                raise
            self._drop_primary("write", exc)
            return
        if key in self._primary_saved:
            self._primary_saved[key] = self._clock()

    def flush(self, key: str) -> None:
        """Save the primary copy of ``key`` if it lags the mirror. Something is pending only while the mirror
        works (an update without it saves the primary at once), so a failure here drops the primary with a
        warning, as any primary write failure does."""
        text = self._pending.get(key)
        if text is not None and self.primary is not None:
            self._save_primary(key, text)

    def delete(self, key: str) -> None:
        self._pending.pop(key, None)
        if self.mirror is not None:
            self.mirror.delete(key)
        if self.primary is not None:
            self.primary.delete(key)

    @contextlib.contextmanager
    def lock(self, key: str) -> Iterator[None]:
        """The mirror's lock on ``key``; while held, primary saves of ``key`` are spaced ``primary_every``
        seconds apart, and the last one is made before the lock is released."""
        with self._lock_store.lock(key):
            self._primary_saved[key] = self._clock()
            try:
                yield
            finally:
                self.flush(key)
                self._primary_saved.pop(key, None)


class Checkpoint:
    """The checkpoint of one stream: load once, save after every completed page."""

    def __init__(self, store: Store, key: str, clock: Callable[[], float]) -> None:
        self.store = store
        self.key = key
        self._clock = clock

    def load(self) -> State:
        try:
            return from_record(self.store.get(self.key))
        except CheckpointError:
            raise
        except Exception as exc:  # store back-ends raise their own types
            raise CheckpointError(f"cannot read checkpoint {self.key}: {type(exc).__name__}: {exc}") from None

    def save(self, state: State) -> None:
        state.seq += 1
        state.updated_at = int(self._clock())
        try:
            self.store.update(self.key, state.to_json())
        except Exception as exc:
            state.seq -= 1
            raise CheckpointError(f"cannot save checkpoint {self.key}: {type(exc).__name__}: {exc}") from None


class MemoryStore:
    """In-memory store (one-shot CLI runs, tests): keeps each record's JSON text."""

    def __init__(self) -> None:
        self.records: Dict[str, str] = {}

    def get(self, key: str) -> Any:
        text = self.records.get(key)
        return parse_stored(text, f"record {key}") if text is not None else None

    def update(self, key: str, text: str) -> None:
        self.records[key] = text

    def delete(self, key: str) -> None:
        self.records.pop(key, None)

    def lock(self, key: str) -> ContextManager[None]:
        return contextlib.nullcontext()
