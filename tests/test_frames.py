"""Still-image loading: EXIF rotation, grayscale, transparency, and clear errors."""
import numpy as np
import pytest
from PIL import Image

from livemorph.errors import InputNotFound, InputUnreadable
from livemorph.frames import Frame, load_image
from livemorph.portrait import load_portrait

from conftest import shared_path

EXIF_ORIENTATION = 0x0112


def test_exif_rotated_photo_is_loaded_upright_and_its_face_found(tmp_path, config):
    """A phone photo: pixels stored sideways plus an EXIF tag saying 'rotate 90° clockwise to view'."""
    original = shared_path("assets/portraits/obama_official_2012.jpg")
    upright = np.asarray(Image.open(original).convert("RGB"))
    stored = Image.fromarray(np.rot90(upright, k=1).copy())  # what the sensor wrote (sideways)
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = 6  # viewers rotate 90° clockwise
    path = tmp_path / "phone.jpg"
    stored.save(path, exif=exif, quality=95)

    loaded = load_image(path)
    assert loaded.shape == upright.shape
    assert np.abs(loaded.astype(int) - upright.astype(int)).mean() < 4  # JPEG re-encoding only
    face = load_portrait(path, config).track
    reference = load_portrait(original, config).track
    assert np.abs(np.array(face.box) - np.array(reference.box)).max() < 10


def test_grayscale_is_expanded_to_rgb(config):
    image = load_image(shared_path("assets/portraits/london_042_grayscale.png"))
    assert image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8
    assert np.array_equal(image[..., 0], image[..., 1]) and np.array_equal(image[..., 1], image[..., 2])
    assert load_portrait(shared_path("assets/portraits/london_042_grayscale.png"), config).track.present


def test_transparency_is_composited_over_white(tmp_path):
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[..., 0] = 200  # red ...
    rgba[:2, :, 3] = 255  # ... opaque in the top half, transparent below
    path = tmp_path / "cutout.png"
    Image.fromarray(rgba, "RGBA").save(path)
    image = load_image(path)
    assert image.shape == (4, 4, 3)
    assert (image[:2] == [200, 0, 0]).all() and (image[2:] == [255, 255, 255]).all()


def test_bad_images_are_clear_errors(tmp_path):
    with pytest.raises(InputNotFound):
        load_image(tmp_path / "nope.png")
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"junk" * 10)
    with pytest.raises(InputUnreadable, match="cannot read image"):
        load_image(broken)
    empty = tmp_path / "empty.jpg"  # a failed download or copy
    empty.write_bytes(b"")
    with pytest.raises(InputUnreadable, match="the file is empty"):
        load_image(empty)


@pytest.mark.parametrize("image", [np.zeros((4, 4, 3), np.float32), np.zeros((4, 4), np.uint8), np.zeros((4, 4, 4), np.uint8)])
def test_frame_contract(image):
    with pytest.raises(ValueError):
        Frame(image, 0, 0.0)
