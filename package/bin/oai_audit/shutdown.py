"""SIGTERM (how splunkd stops a modular input) as a flag the poller reads at page boundaries, so a stop never
cuts a page between its write and its checkpoint save."""
from __future__ import annotations

import contextlib
import signal
import threading
from typing import Any, Callable, Iterator


@contextlib.contextmanager
def stop_on_sigterm() -> Iterator[Callable[[], bool]]:
    """While the block runs, SIGTERM only sets a flag; yields the function that reads it. The previous
    handler is restored afterwards. Outside the main thread (no signals there) the flag never sets."""
    stopped = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stopped.is_set
        return

    def handler(signum: int, frame: Any) -> None:
        stopped.set()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield stopped.is_set
    finally:
        signal.signal(signal.SIGTERM, previous)
