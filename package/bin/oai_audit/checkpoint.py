"""Versioned checkpoint record and its stores (KV store by default, file fallback, file mirror).

Record (version 1)::

    {"version": 1, "seq": 12, "next_gte": 1700000000 | null, "covered_to": 1700000599 | null,
     "window": {"gte": ..., "lte": ..., "reread_from": ...} | null,
     "after": "<last_id of the last completed page>" | null,
     "seen": {"<id>": <effective_at>, ...}, "updated_at": 1700000123}

``window`` is the time slice being paged (``after`` is its cursor); ``next_gte`` is where the next slice
starts; ``covered_to`` is the upper bound of the last completed slice; ``seen`` holds the ids already written at or after the re-read (overlap) boundary.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Protocol

from .errors import CheckpointError

LOG = logging.getLogger(__name__)

VERSION = 1
COLLECTION = "ta_openai_audit_checkpoints"
STREAMS = ("main", "tenant")


@dataclass(frozen=True)
class Window:
    gte: int
    lte: int
    reread_from: int

    def to_dict(self) -> Dict[str, int]:
        return {"gte": self.gte, "lte": self.lte, "reread_from": self.reread_from}


@dataclass
class State:
    """In-memory checkpoint of one stream."""

    next_gte: Optional[int] = None
    covered_to: Optional[int] = None
    window: Optional[Window] = None
    after: Optional[str] = None
    seen: Dict[str, int] = field(default_factory=dict)
    seq: int = 0
    updated_at: int = 0

    def to_record(self) -> Dict[str, Any]:
        return {"version": VERSION, "seq": self.seq, "next_gte": self.next_gte, "covered_to": self.covered_to,
                "window": self.window.to_dict() if self.window else None, "after": self.after,
                "seen": dict(self.seen), "updated_at": self.updated_at}


def _migrate_v0(record: Dict[str, Any]) -> Dict[str, Any]:
    """Unversioned record {"effective_at": N} (a bare high-water mark) -> version 1."""
    mark = record.get("effective_at", record.get("next_gte"))
    return {"version": 1, "seq": 0, "next_gte": int(mark) if mark is not None else None,
            "covered_to": int(mark) - 1 if mark is not None else None,
            "window": None, "after": None, "seen": {}, "updated_at": 0}


# version -> function upgrading a record of that version to version + 1 (or, for 0, to 1)
MIGRATIONS: Dict[int, Callable[[Dict[str, Any]], Dict[str, Any]]] = {0: _migrate_v0}


def migrate(record: Dict[str, Any]) -> Dict[str, Any]:
    """Upgrade a stored record to the current VERSION, step by step; refuse newer versions."""
    version = record.get("version", 0)
    if not isinstance(version, int):
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


def from_record(record: Optional[Dict[str, Any]]) -> State:
    """Parse (and migrate) a stored record; None gives a fresh state."""
    if record is None:
        return State()
    if not isinstance(record, dict):
        raise CheckpointError("checkpoint record is not an object")
    rec = migrate(record)
    try:
        win = rec.get("window")
        window = Window(int(win["gte"]), int(win["lte"]), int(win["reread_from"])) if win else None
        seen = {str(k): int(v) for k, v in (rec.get("seen") or {}).items()}
        next_gte = rec.get("next_gte")
        covered = rec.get("covered_to")
        return State(next_gte=int(next_gte) if next_gte is not None else None,
                     covered_to=int(covered) if covered is not None else None, window=window,
                     after=rec.get("after") or None, seen=seen, seq=int(rec.get("seq", 0)),
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


class Store(Protocol):
    def get(self, key: str) -> Optional[Dict[str, Any]]: ...

    def update(self, key: str, record: Dict[str, Any]) -> None: ...

    def delete(self, key: str) -> None: ...


class FileStore:
    """One JSON file per key in ``directory``; writes are atomic (temp file, fsync, rename)."""

    def __init__(self, directory: str) -> None:
        self.directory = directory

    def path(self, key: str) -> str:
        return os.path.join(self.directory, f"{key}.json")

    def get(self, key: str) -> Optional[Dict[str, Any]]:
        try:
            with open(self.path(key), encoding="utf-8") as fh:
                return json.load(fh)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise CheckpointError(f"cannot read checkpoint file {self.path(key)}: {exc}") from None

    def update(self, key: str, record: Dict[str, Any]) -> None:
        os.makedirs(self.directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{key}.", dir=self.directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(record, fh, separators=(",", ":"))
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


class SingleFileStore(FileStore):
    """A file store whose records live in one explicit file per key derived from ``path`` (CLI)."""

    def __init__(self, path: str) -> None:
        super().__init__(os.path.dirname(os.path.abspath(path)) or ".")
        self._base = os.path.abspath(path)

    def path(self, key: str) -> str:
        return f"{self._base}.tenant" if stream_of(key) == "tenant" else self._base


class MirroredStore:
    """Primary store (KV store) plus a local file mirror that is always written first.

    Reads take the record with the highest ``seq``, so a KV store that is unavailable, lost or behind
    never rewinds the collector. If the primary fails, a warning is logged once and the run continues on
    the durable file mirror alone (heavy forwarders without a KV store get exactly this fallback).
    """

    def __init__(self, primary: Optional[Store], mirror: Store,
                 warn: Callable[[str], None] = LOG.warning) -> None:
        self.primary = primary
        self.mirror = mirror
        self._warn = warn

    def _drop_primary(self, action: str, exc: Exception) -> None:
        self._warn(f"KV store checkpoint {action} failed ({type(exc).__name__}: {exc}); "
                   f"continuing with the file checkpoint only")
        self.primary = None

    def get(self, key: str) -> Optional[Dict[str, Any]]:
        records: List[Dict[str, Any]] = []
        if self.primary is not None:
            try:
                rec = self.primary.get(key)
            except Exception as exc:  # KV store back-end errors
                self._drop_primary("read", exc)
                rec = None
            if isinstance(rec, dict):
                records.append(rec)
        rec = self.mirror.get(key)
        if isinstance(rec, dict):
            records.append(rec)
        if not records:
            return None
        return max(records, key=lambda r: int(r.get("seq", 0)))

    def update(self, key: str, record: Dict[str, Any]) -> None:
        self.mirror.update(key, record)
        if self.primary is not None:
            try:
                self.primary.update(key, record)
            except Exception as exc:
                self._drop_primary("write", exc)

    def delete(self, key: str) -> None:
        self.mirror.delete(key)
        if self.primary is not None:
            self.primary.delete(key)


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
            self.store.update(self.key, state.to_record())
        except Exception as exc:
            state.seq -= 1
            raise CheckpointError(f"cannot save checkpoint {self.key}: {type(exc).__name__}: {exc}") from None


class MemoryStore:
    """In-memory store (one-shot CLI runs, tests)."""

    def __init__(self) -> None:
        self.records: Dict[str, Dict[str, Any]] = {}

    def get(self, key: str) -> Optional[Dict[str, Any]]:
        rec = self.records.get(key)
        return json.loads(json.dumps(rec)) if rec is not None else None

    def update(self, key: str, record: Dict[str, Any]) -> None:
        self.records[key] = json.loads(json.dumps(record))

    def delete(self, key: str) -> None:
        self.records.pop(key, None)
