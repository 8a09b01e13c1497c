"""The stage runner's one error path: the first failure stops every stage and reaches the caller."""
import time

import pytest

from livemorph.errors import InputUnreadable
from livemorph.runtime.stages import StageThreads


def test_a_failing_stage_stops_a_blocked_one_and_its_error_is_raised():
    stages = StageThreads()
    q = stages.queue(2)
    got = []

    def consumer():
        while True:
            got.append(stages.get(q))  # blocks: nothing more comes; must leave when the producer fails

    def producer():
        stages.put(q, 1)
        time.sleep(0.05)
        raise InputUnreadable("driver broke at frame 2")

    stages.start(consumer, "consumer")
    stages.start(producer, "producer")
    assert stages.join(timeout=5) == []  # both threads ended: the consumer was not left waiting
    assert got == [1]
    with pytest.raises(InputUnreadable, match="frame 2"):
        stages.raise_first()


def test_only_the_first_failure_is_raised_and_a_clean_run_raises_nothing():
    stages = StageThreads()
    stages.start(lambda: None, "ok")
    assert stages.join(timeout=5) == []
    stages.raise_first()  # nothing failed
    stages.fail(ValueError("first"))
    stages.fail(RuntimeError("second"))
    assert stages.stop.is_set()
    with pytest.raises(ValueError, match="first"):
        stages.raise_first()
