"""SIGTERM and SIGHUP stop a command the way Ctrl+C does.

A service manager, ``timeout`` or a closed terminal sends SIGTERM / SIGHUP. Python's default
for both is to die on the spot, leaving hidden temporary files and saying nothing. Inside
``stop_on_termination()`` they raise ``Terminated`` instead, which unwinds like
KeyboardInterrupt (outputs are aborted, so there is a finished file or none) and reaches the
CLI as one line with exit code 128 + the signal number (143 for SIGTERM, 129 for SIGHUP), the
shell's convention.
"""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator

from .errors import LivemorphError

SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class Terminated(LivemorphError):
    """The process was asked to stop by a signal; its output, if unfinished, was removed."""

    def __init__(self, signum: int, consequence: str = ""):
        name = signal.Signals(signum).name
        super().__init__(f"stopped by {name}" + (f"; {consequence}" if consequence else ""))
        self.signum = signum
        self.exit_code = 128 + signum


class Interrupted(LivemorphError):
    """Ctrl+C, said with what it left undone (click's own handling said only "interrupted")."""

    exit_code = 130

    def __init__(self, consequence: str = ""):
        super().__init__("interrupted" + (f"; {consequence}" if consequence else ""))


@contextmanager
def stop_on_termination(consequence: str = "") -> Iterator[None]:
    """Turn the first SIGTERM/SIGHUP into ``Terminated``; later ones let the clean-up finish.

    ``consequence`` completes the message: "stopped by SIGTERM; <consequence>".
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    fired: list[int] = []

    def handler(signum, _frame):
        if fired:
            return  # already stopping: let the clean-up (deleting partial files) finish
        fired.append(signum)
        raise Terminated(signum, consequence)

    previous = {sig: signal.signal(sig, handler) for sig in SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
