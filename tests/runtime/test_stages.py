"""The stage runner: one error path (the first failure stops every stage and reaches the caller),
and the two drop policies (offline drops nothing, live keeps only the newest)."""
import time

import pytest

from livemorph.errors import InputUnreadable
from livemorph.runtime.stages import StagePipeline, StageThreads


def test_a_failing_stage_stops_a_blocked_one_and_its_error_is_raised():
    stages = StageThreads()
    link = stages.link(2, latest_wins=False)
    got = []

    def consumer():
        while True:
            got.append(link.get())  # blocks: nothing more comes; must leave when the producer fails

    def producer():
        link.put(1)
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


def run_pipeline(latest_wins, *, n=30, render_s=0.0, deliver_s=0.0, fail_at=None):
    pipeline = StagePipeline("test", latest_wins=latest_wins, depth=2)
    tracked, delivered = [], []

    def track(emit):
        for i in range(n):
            time.sleep(0.002)  # the source's own pace
            tracked.append(i)
            emit(i)

    def render(item, emit):
        time.sleep(render_s)
        if item == fail_at:
            raise InputUnreadable(f"frame {item} broke")
        emit(item)
        emit(item)  # a frame repeated (a higher output fps)

    def deliver(frame):
        time.sleep(deliver_s)
        delivered.append(frame)

    pipeline.start_stages(track, render, deliver)
    pipeline.wait()
    return pipeline, tracked, delivered


def test_offline_drops_nothing_even_behind_a_slow_encoder():
    pipeline, tracked, delivered = run_pipeline(False, deliver_s=0.005)
    pipeline.raise_first()
    assert delivered == [i for i in range(30) for _ in range(2)]  # every frame, in order, none dropped


def test_live_keeps_only_the_newest_item_for_a_slow_engine():
    pipeline, tracked, delivered = run_pipeline(True, render_s=0.02)
    pipeline.raise_first()
    assert len(tracked) == 30
    rendered = sorted(set(delivered))
    assert len(rendered) < 30 / 2  # stale items were dropped, not queued (a queue would render all 30)
    assert rendered == sorted(rendered) and rendered[-1] == 29  # the newest always comes out at the end


def test_a_stage_error_in_the_pipeline_stops_it_and_is_raised():
    pipeline, tracked, delivered = run_pipeline(False, n=1000, fail_at=3)
    assert pipeline.join(timeout=5) == []
    with pytest.raises(InputUnreadable, match="frame 3"):
        pipeline.raise_first()
    assert len(tracked) < 1000 and 3 not in delivered  # the source stopped early
