import numpy as np
import pytest

from livemorph.face.au_tracks import AU_COLUMNS, AUTrack, AUTrackWriter, read_au_track, write_au_track
from livemorph.runtime.render import track_rate
from livemorph.errors import InputNotFound, InputUnreadable

from conftest import shared_path


def _track(n=25, seed=0):
    rng = np.random.default_rng(seed)
    return AUTrack(
        frames=np.arange(1, n + 1),
        timestamps_s=np.arange(n) / 30.0,
        confidence=rng.uniform(0, 1, n).round(2).astype(np.float32),
        success=rng.uniform(0, 1, n) > 0.2,
        aus=rng.uniform(0, 5, (n, 17)).round(2).astype(np.float32),
    )


def test_round_trip_write_read_equal(tmp_path):
    track = _track()
    path = write_au_track(tmp_path / "t.csv", track)
    back = read_au_track(path)
    np.testing.assert_array_equal(back.frames, track.frames)
    np.testing.assert_allclose(back.timestamps_s, track.timestamps_s, atol=5e-4)
    np.testing.assert_allclose(back.confidence, track.confidence, atol=1e-6)
    np.testing.assert_array_equal(back.success, track.success)
    np.testing.assert_allclose(back.aus, track.aus, atol=1e-6)
    assert track_rate(back.timestamps_s) == pytest.approx(30.0)


def test_written_header_is_openface_layout(tmp_path):
    path = write_au_track(tmp_path / "t.csv", _track(3))
    header = path.read_text().splitlines()[0]
    assert header == "frame, timestamp, confidence, success, " + ", ".join(AU_COLUMNS)


def test_reads_openface_output_with_extra_columns_and_both_separators(tmp_path):
    extra = ["face_id", "gaze_0_x", "pose_Rx"] + [c.replace("_r", "_c") for c in AU_COLUMNS]
    cols = ["frame", "face_id", "timestamp", "confidence", "success"] + extra[1:3] + list(AU_COLUMNS) + extra[3:]
    lines = [", ".join(cols)]
    for i in range(4):
        values = {"frame": i + 1, "face_id": 0, "timestamp": i * 0.04, "confidence": 0.98, "success": 1}
        row = [str(values.get(c, 0.0)) if c not in AU_COLUMNS else f"{(i + k) % 5}.00" for k, c in enumerate(cols)]
        lines.append(", ".join(row))
    lines.append(lines[-1].replace(", 0, ", ", 1, ", 1))  # a second face in the last frame: ignored
    (tmp_path / "of.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "plain.csv").write_text("\n".join(l.replace(", ", ",") for l in lines) + "\n")
    a, b = read_au_track(tmp_path / "of.csv"), read_au_track(tmp_path / "plain.csv")
    assert len(a) == 4 and np.array_equal(a.aus, b.aus)
    assert a.aus[2, 0] == float((2 + cols.index("AU01_r")) % 5)
    assert track_rate(a.timestamps_s) == pytest.approx(25.0)


def test_reads_ganimation_label_table_keyed_by_image():
    track = read_au_track(shared_path("assets/au_labels/ganimation_sample/openface_aus.csv"))
    assert track.keys[0] == "N_0000000356_00190.jpg" and len(track) == 4
    assert track.aus[0, 0] == pytest.approx(2.86)


@pytest.mark.parametrize("content, match", [
    ("", "is empty"),
    ("frame, timestamp\n1, 0.0\n", "missing columns AU01_r"),
    ("frame, " + ", ".join(AU_COLUMNS) + "\n1, " + ", ".join(["x"] * 17) + "\n", "expected a number"),
])
def test_bad_tracks_are_clear_errors(tmp_path, content, match):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(InputUnreadable, match=match):
        read_au_track(path)


def test_missing_track(tmp_path):
    with pytest.raises(InputNotFound):
        read_au_track(tmp_path / "none.csv")


def test_writer_leaves_no_file_when_interrupted(tmp_path):
    path = tmp_path / "t.csv"
    with pytest.raises(KeyboardInterrupt):
        with AUTrackWriter(path) as w:
            w.write(0, 0.0, np.zeros(17), True)
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_a_crash_safe_take_keeps_its_rows_when_the_process_is_killed(tmp_path):
    # `run --record-aus`: the AU track of a run killed with SIGKILL (no clean-up at all) is there,
    # under its own name, with every row written before the kill (it was a hidden .partial file).
    import signal
    import subprocess
    import sys
    import time

    path = tmp_path / "take.csv"
    script = (f"import time, numpy as np\nfrom livemorph.face.au_tracks import AUTrackWriter\n"
              f"w = AUTrackWriter({str(path)!r}, crash_safe=True).__enter__()\n"
              f"for i in range(100000):\n    w.write(i, i / 30, np.full(17, 1.5), True)\n"
              f"    if i == 40: open({str(tmp_path / 'ready')!r}, 'w').close()\n    time.sleep(0.002)\n")
    child = subprocess.Popen([sys.executable, "-c", script])
    for _ in range(500):
        if (tmp_path / "ready").exists():
            break
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    track = read_au_track(path)
    assert len(track) > 40 and np.all(track.aus == 1.5)
    assert not list(tmp_path.glob(".*.partial"))


def test_a_last_row_cut_short_is_left_out(tmp_path):
    path = write_au_track(tmp_path / "t.csv", _track(5))
    text = path.read_text()
    path.write_text(text[: text.rstrip("\n").rfind(",") - 3])  # killed in the middle of the last row
    assert len(read_au_track(path)) == 4
    # A complete last row without a final newline (a track edited by hand) is kept.
    path.write_text(text.rstrip("\n"))
    assert len(read_au_track(path)) == 5


def test_a_take_that_never_got_a_row_leaves_no_file(tmp_path):
    # A run that failed at start-up (its video could not be opened) aborts its outputs: a crash-safe
    # track with no row is removed, not left as a header that the next run steps around as "-2".
    path = tmp_path / "take.csv"
    AUTrackWriter(path, crash_safe=True).__enter__().close(keep=False)
    assert not path.exists()
    with AUTrackWriter(path, crash_safe=True) as writer:
        writer.write(0, 0.0, np.zeros(17), True)
        writer.close(keep=False)  # a take with rows is kept however it ends
    assert len(read_au_track(path)) == 1


def test_rows_out_of_frame_order_are_played_in_frame_order(tmp_path, caplog):
    # An edited or merged track: played as listed, the mouth flipped open and shut every frame, at a
    # frame rate made up from the first and last rows' times.
    track = _track(6)
    path = write_au_track(tmp_path / "t.csv", track)
    header, *rows = path.read_text().splitlines()
    path.write_text("\n".join([header] + [rows[i] for i in (3, 0, 5, 1, 4, 2)]) + "\n")
    back = read_au_track(path)
    np.testing.assert_array_equal(back.frames, track.frames)
    np.testing.assert_allclose(back.aus, track.aus, atol=1e-6)
    assert "not in frame order" in caplog.text


def test_values_off_the_scale_are_clipped_and_said(tmp_path, caplog):
    track = _track(4)
    track.aus[2, 8] = 1e6  # AU12
    track.aus[1, 0] = -3.0
    back = read_au_track(write_au_track(tmp_path / "t.csv", track))
    assert back.aus.max() == 5.0 and back.aus.min() >= 0.0
    assert "2 AU values lie outside the 0-5 scale (AU12_r 1e+06 at frame 3)" in caplog.text
