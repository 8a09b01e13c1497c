"""A driver video whose pixels lie turned (filmed sideways, re-encoded without its rotation tag) is
read as the same expressions as the upright video: its way up is found once and its frames are
turned back (``face.upright.video_way_up``). Read as it lay, its smile's brows and lids came out
wrong by up to 1.75 AU (on its side) or its face went unfound in 62 of 72 frames (upside down)."""
from __future__ import annotations

import itertools
from itertools import islice

import numpy as np
import pytest

from conftest import shared_path
from livemorph.config.settings import load_config

DRIVER = "assets/driving/man_smiling_short.mp4"


def write_turned_copy(source, path, turns: int = 0, degrees: float = 0.0, frames_kept: int | None = None) -> None:
    """``source``'s frames (its first ``frames_kept``) turned ``turns`` quarter turns in their pixels
    (or ``degrees`` anticlockwise about their middle, keeping their size), with no rotation tag."""
    import av
    import cv2

    def turned(image):
        if degrees:
            h, w = image.shape[:2]
            return cv2.warpAffine(image, cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0), (w, h))
        return np.rot90(image, turns)

    with av.open(str(source)) as container:
        stream = container.streams.video[0]
        rate = stream.average_rate
        frames = [turned(frame.to_ndarray(format="rgb24"))
                  for frame in itertools.islice(container.decode(stream), frames_kept)]
    height, width = (side // 2 * 2 for side in frames[0].shape[:2])  # yuv420p wants even sides
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for image in frames:
            picture = av.VideoFrame.from_ndarray(np.ascontiguousarray(image[:height, :width]), format="rgb24")
            for packet in stream.encode(picture):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


@pytest.fixture(scope="module")
def config():
    return load_config()


@pytest.fixture(scope="module")
def turned_drivers(tmp_path_factory):
    """{quarter turns the pixels were given: the turned copy of the driver}."""
    folder = tmp_path_factory.mktemp("turned")
    copies = {}
    for turns in (1, 2, 3):
        copies[turns] = folder / f"turned_{turns}.mp4"
        write_turned_copy(shared_path(DRIVER), copies[turns], turns)
    return copies


def test_upright_drivers_are_read_as_they_are(config):
    from livemorph.face.upright import video_way_up

    for name in ("man_smiling_short.mp4", "pexels_woman_laughing.mp4", "woman_blinks.mp4",
                 "woman_expressions.mp4", "face_then_noface.mov", "no_face.mp4"):
        assert video_way_up(shared_path(f"assets/driving/{name}"), config.tracking) == 0, name


def test_a_turned_driver_is_turned_back(config, turned_drivers, caplog):
    from livemorph.face.upright import video_way_up

    for turns, path in turned_drivers.items():
        caplog.clear()
        assert (video_way_up(path, config.tracking) + turns) % 4 == 0, turns
        warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
        assert len(warnings) == 1 and path.name in warnings[0] and "\n" not in warnings[0]


def test_a_head_tilted_near_a_diagonal_is_no_vote_and_one_past_it_is(config, tmp_path):
    # A driver with the head held at 45 degrees (lying on a sofa) says nothing of which way the video
    # is up: read a quarter turn round, it would be read sideways. Tilted 75 degrees it is on its side.
    from livemorph.face.upright import video_way_up

    write_turned_copy(shared_path(DRIVER), tmp_path / "tilted45.mp4", degrees=45)
    write_turned_copy(shared_path(DRIVER), tmp_path / "tilted75.mp4", degrees=75)
    assert video_way_up(tmp_path / "tilted45.mp4", config.tracking) == 0
    # 75 degrees anticlockwise: a quarter turn clockwise (3 np.rot90 turns) stands it within 15 degrees.
    assert video_way_up(tmp_path / "tilted75.mp4", config.tracking) == 3


def test_a_frame_whose_fits_tie_gives_no_vote(config, tmp_path):
    # Upside down and tilted 20 degrees more, two of a frame's four fits can lie upside down (mouth
    # on the forehead) and tie the two right ones; counted as "upright", such frames kept the video
    # as it lay ("face found in 42 of 120").
    from livemorph.face.upright import video_way_up

    # Its first 1.5 s: of the frames read (0 and 30), the first ties, the second is upside down.
    write_turned_copy(shared_path("assets/driving/woman_expressions.mp4"), tmp_path / "tilted200.mp4", degrees=200,
                      frames_kept=45)
    assert video_way_up(tmp_path / "tilted200.mp4", config.tracking) == 2


def test_a_turned_driver_reads_as_the_same_expressions(config, turned_drivers):
    from livemorph.runtime.analyse import analyse

    upright = list(analyse(shared_path(DRIVER), config))
    assert all(row.success for row in upright)
    moving = np.stack([row.aus for row in upright]).std(axis=0) > 0.1  # the AUs this smile moves
    assert moving.sum() >= 5
    for turns, path in turned_drivers.items():
        turned = list(islice(analyse(path, config), len(upright)))
        assert all(row.success for row in turned), turns
        error = np.abs(np.stack([row.aus for row in turned]) - np.stack([row.aus for row in upright])).mean(axis=0)
        # Re-encoding alone differs by at most 0.09 AU on average; read sideways, up to 1.75.
        assert error[moving].max() < 0.25, (turns, error.round(2))


def test_frames_turned_by_the_source_stand_as_given(turned_drivers):
    """``VideoFileSource(turns=...)`` hands the frames on turned, and reports the turned size."""
    from livemorph.capture.video_file import VideoFileSource

    path = turned_drivers[1]
    plain = VideoFileSource(path, paced=False)
    back = VideoFileSource(path, paced=False, turns=3)
    assert back.size == plain.size[::-1]
    with plain, back:
        first_plain, first_back = next(iter(plain)).image, next(iter(back)).image
    assert np.array_equal(first_back, np.rot90(first_plain, 3))
    assert (first_back.shape[1], first_back.shape[0]) == back.size


def test_a_folder_of_turned_frames_reads_as_the_upright_frames(config, tmp_path):
    # `render --driver FOLDER` tells users to read a folder of frames with `aus`: read as they lay,
    # a turned folder's frown came out as a smile (AU04 1.61 -> 0.95, AU12 0.63 -> 1.33).
    import av
    from PIL import Image

    from livemorph.runtime.analyse import analyse

    upright, turned = tmp_path / "upright", tmp_path / "turned"
    upright.mkdir()
    turned.mkdir()
    with av.open(str(shared_path(DRIVER))) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i % 6 == 0:
                image = frame.to_ndarray(format="rgb24")
                Image.fromarray(image).save(upright / f"f{i:03d}.png")
                Image.fromarray(np.ascontiguousarray(np.rot90(image, 1))).save(turned / f"f{i:03d}.png")
    read_upright = np.stack([row.aus for row in analyse(upright, config)])
    read_turned = np.stack([row.aus for row in analyse(turned, config)])
    np.testing.assert_allclose(read_turned, read_upright, atol=0.05)
