"""Silencing native libraries' start-up chatter on fd 2, safely for overlapping users.

MediaPipe/TFLite write lines such as "INFO: Created TensorFlow Lite XNNPACK delegate" straight
to file descriptor 2, which would break the promise of one-line errors. fd 2 is process-wide,
so a plain save/redirect/restore per user breaks when two trackers start at once (the second
saves /dev/null as "the original" and restores it last, hiding every later error). Here the
first user redirects and the last one restores, under one lock.
"""
from __future__ import annotations

import contextlib
import os
import sys
import threading

_lock = threading.Lock()
_users = 0
_saved_fd: int | None = None


@contextlib.contextmanager
def quiet_native_stderr(enabled: bool = True):
    """fd 2 goes to /dev/null while any caller is inside; restored when the last one leaves."""
    if not enabled or not _enter():
        yield
        return
    try:
        yield
    finally:
        _leave()


def _enter() -> bool:
    global _users, _saved_fd
    with _lock:
        if _users == 0:
            try:
                sys.stderr.flush()
                saved = os.dup(2)
            except (OSError, ValueError):  # no real fd 2 (embedded interpreters): nothing to silence
                return False
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, 2)
            finally:
                os.close(devnull)
            _saved_fd = saved
        _users += 1
        return True


def _leave() -> None:
    global _users, _saved_fd
    with _lock:
        _users -= 1
        if _users == 0 and _saved_fd is not None:
            os.dup2(_saved_fd, 2)
            os.close(_saved_fd)
            _saved_fd = None
