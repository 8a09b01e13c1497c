"""Full-resolution compositing: feathered paste-back and the GANimation blend at native size."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from livemorph.engines.ganimation.compositing import blend_generated_torch, feather_mask, paste_back


def _rand_image(h, w, seed):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def test_paste_back_changes_only_the_box_and_fully_replaces_its_centre():
    portrait = _rand_image(120, 160, 0)
    box = (40, 20, 100, 80)  # 60x60
    crop = _rand_image(60, 60, 1)
    out = paste_back(portrait, crop, box, feather=0.1)
    assert out.shape == portrait.shape and out.dtype == np.uint8
    outside = np.ones(portrait.shape[:2], bool)
    outside[20:80, 40:100] = False
    assert np.array_equal(out[outside], portrait[outside])
    # beyond the 6 px feather the crop is taken as is
    assert np.array_equal(out[26:74, 46:94], crop[6:54, 6:54])
    # at the very edge the portrait dominates
    edge_diff = np.abs(out[20, 46:94].astype(int) - portrait[20, 46:94].astype(int))
    full_diff = np.abs(crop[0, 6:54].astype(int) - portrait[20, 46:94].astype(int))
    assert edge_diff.sum() < 0.1 * full_diff.sum()
    assert np.array_equal(portrait, _rand_image(120, 160, 0))  # input not modified


def test_paste_back_of_the_portraits_own_pixels_is_exact():
    portrait = _rand_image(90, 90, 2)
    box = (-10, 30, 50, 90)  # leaves the image on the left
    crop = np.zeros((60, 60, 3), np.uint8)
    crop[:, 10:] = portrait[30:90, 0:50]
    assert np.array_equal(paste_back(portrait, crop, box, feather=0.3), portrait)


def test_feather_ramps_only_on_edges_inside_the_image():
    mask = feather_mask((-20, 10, 80, 110), (200, 200, 3), feather=0.2)  # left edge outside
    assert mask.shape == (100, 100)
    assert np.all(mask[50, :60] == 1.0)  # no ramp towards the picture's left border
    assert mask[50, -1] < 0.01 and mask[0, 50] < 0.01 and mask[-1, 50] < 0.01
    assert np.all(np.diff(mask[50, 60:]) <= 0)  # eases monotonically to the right edge
    assert mask[50, 50] == 1.0


def test_attention_one_keeps_the_full_resolution_region_exactly():
    region_np = _rand_image(300, 300, 3)
    region = torch.from_numpy(region_np).permute(2, 0, 1)[None].float()
    color = torch.rand(1, 3, 128, 128) * 2 - 1
    out = blend_generated_torch(region, color, torch.ones(1, 1, 128, 128), torch.ones(1, 1, 300, 300))
    assert out.dtype == torch.uint8 and tuple(out.shape) == (300, 300, 3)
    assert np.array_equal(out.numpy(), region_np)


def test_attention_zero_shows_the_colour_map_upsampled_like_opencv_bilinear():
    region = torch.zeros(1, 3, 256, 256)
    # a smooth colour map, so bilinear upsampling has a well-defined answer
    yy, xx = np.mgrid[0:128, 0:128] / 127.0
    color_np = np.stack([xx * 2 - 1, yy * 2 - 1, (xx + yy) - 1], axis=0).astype(np.float32)
    out = blend_generated_torch(region, torch.from_numpy(color_np)[None], torch.zeros(1, 1, 128, 128),
                                torch.ones(1, 1, 256, 256)).numpy().astype(float)
    expected = cv2.resize(((color_np.transpose(1, 2, 0) + 1) * 127.5), (256, 256), interpolation=cv2.INTER_LINEAR)
    assert np.abs(out - expected).max() <= 1.0


def test_kept_pixels_stay_sharp_next_to_generated_ones():
    checker = ((np.indices((256, 256)).sum(0) % 2) * 255).astype(np.uint8)
    region_np = np.repeat(checker[:, :, None], 3, axis=2)
    region = torch.from_numpy(region_np).permute(2, 0, 1)[None].float()
    attention = torch.ones(1, 1, 128, 128)
    attention[..., 64:] = 0.0  # right half generated
    color = torch.zeros(1, 3, 128, 128)  # mid grey
    out = blend_generated_torch(region, color, attention, torch.ones(1, 1, 256, 256)).numpy()
    assert np.array_equal(out[:, :120], region_np[:, :120])  # full-res checkerboard survives
    assert np.all(np.abs(out[:, 136:].astype(int) - 128) <= 1)


def test_paste_back_rejects_a_crop_of_the_wrong_size():
    with pytest.raises(ValueError, match="box is 60x60"):
        paste_back(_rand_image(100, 100, 0), _rand_image(50, 50, 1), (0, 0, 60, 60), 0.1)
