"""bench_fidelity's --against: a change is judged by the scores that crossed issue 10's goal
(r >= 0.8, amplitude 0.7-1.4) since an earlier run of the bench."""
from __future__ import annotations

import sys

from conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
from bench_fidelity import changes_since  # noqa: E402


def _score(channel: str, r: float, amplitude: float, portrait: str = "london_092_beard.jpg") -> dict:
    return dict(judge="tracked", driver="face_then_noface.mov", portrait=portrait, channel=channel, r=r,
                amplitude=amplitude)


def test_scores_crossing_the_goal_are_named_both_ways():
    earlier = [_score("mouthSmile", 0.98, 0.69), _score("browInnerUp", 0.85, 1.0), _score("jawOpen", 0.99, 1.0)]
    now = [_score("mouthSmile", 0.98, 0.81), _score("browInnerUp", 0.78, 1.0), _score("jawOpen", 0.99, 1.01)]
    lines = changes_since(earlier, now)
    crossed = [line for line in lines if not line.startswith("moved:")]
    assert len(crossed) == 2, lines
    assert any(line.startswith("passes now:") and "mouthSmile" in line for line in crossed), lines
    assert any(line.startswith("fails now:") and "browInnerUp" in line for line in crossed), lines
    # The smile's amplitude moved 0.12: listed as a move too; the jaw's 0.01 is not.
    assert [line for line in lines if line.startswith("moved:")] == [
        "moved: [tracked] face_then_noface.mov london_092_beard.jpg mouthSmile: r +0.98 -> +0.98, amp 0.69 -> 0.81"]


def test_a_run_against_itself_crosses_nothing_and_other_pairs_are_left_out():
    earlier = [_score("mouthSmile", 0.98, 0.69)]
    now = earlier + [_score("mouthSmile", 0.5, 3.0, portrait="mona_lisa.jpg")]  # not in the earlier run
    assert changes_since(earlier, now) == ["no score crossed the goal (1 compared)"]
