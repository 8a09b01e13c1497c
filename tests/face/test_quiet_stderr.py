"""The fd-2 silencer: overlapping users (two trackers starting at once) never leave fd 2 on /dev/null."""
import os
import threading

from livemorph.face.quiet_stderr import quiet_native_stderr


def _fd2_identity():
    st = os.fstat(2)
    return st.st_dev, st.st_ino


def _devnull_identity():
    st = os.stat(os.devnull)
    return st.st_dev, st.st_ino


def test_overlapping_users_restore_the_real_stderr():
    original = _fd2_identity()
    assert original != _devnull_identity()
    first, second = quiet_native_stderr(), quiet_native_stderr()
    first.__enter__()
    second.__enter__()           # starts while the first is still silenced
    assert _fd2_identity() == _devnull_identity()
    first.__exit__(None, None, None)   # the first finishes before the second
    assert _fd2_identity() == _devnull_identity()  # the second is still loading: still quiet
    second.__exit__(None, None, None)
    assert _fd2_identity() == original


def test_many_threads_at_once_leave_stderr_as_it_was():
    original = _fd2_identity()
    barrier = threading.Barrier(8)

    def user():
        barrier.wait()
        with quiet_native_stderr():
            barrier.wait()  # all eight inside together, then leave in any order

    threads = [threading.Thread(target=user) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert _fd2_identity() == original


def test_disabled_does_nothing():
    original = _fd2_identity()
    with quiet_native_stderr(enabled=False):
        assert _fd2_identity() == original
