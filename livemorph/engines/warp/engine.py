"""The weight-free engine: AU changes -> py-feat's linear face-mesh model -> a piecewise-affine warp.

Works on any laptop without model weights or a GPU, so it is the default engine.

``prepare`` (once per portrait) aligns py-feat's mean mesh to the portrait's landmarks with a 3-D
similarity fit (its rotation is the head pose seen by the tracker), turns the model's per-AU
mesh displacements into per-AU pixel displacements of the portrait's own landmarks (skin
smoothed over the mesh so foreshortened cheeks do not fold), adds per-portrait fields for the
eyes (blink, cheek raise: ``eye_fields``) and a ring of motionless anchors a small margin
outside the face's silhouette (``silhouette``: nothing beyond it ever moves) and triangulates
everything.

``render`` (per frame) does only: AU change -> landmark displacement (a 20x468x2 dot
product, outline points held inside the band) -> rasterise the displaced triangles into a
low-resolution backward map -> upsample it (``backward_map``) -> one ``cv2.remap`` of the
full-resolution portrait inside the face's box (or torch ``grid_sample`` on CUDA: ``samplers``) -> paint closing lids as
lids (``lids``) and the mouth interior where the lips part further than in the portrait
(``mouth``).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

import numpy as np

from ...face.lip_contours import LOWER_INNER, LOWER_OUTER, UPPER_INNER, UPPER_OUTER
from ...face.occlusion import hidden_points
from .au_mesh import (BROW_COLUMNS, BROW_LID_PAIRS, BROW_LOWER_POINTS, BROW_POINTS, NUM_FACE_POINTS, AUMeshModel,
                      ease_frown, frown_limit, keep_brows_whole, lip_raise_extra, load_au_mesh_model)
from ...aus import AU, as_au_vector
from ...errors import NoFaceInPortrait
from ...frames import check_rgb_uint8
from . import silhouette
from .backward_map import TrianglesAtRest, backward_map, low_res_grid, pin_frame_edges, triangle_ids, triangles_at_rest
from .brow_band import fill_frame_gap, prepare_brow_skin, prepare_frame_gap, smooth_stretched_bands
from .brow_hood import hood_bands
from .brow_raise import even_raise_on_turned_eyes
from .creases import paint_creases
from ...easing import smoothstep
from .eye_fields import LEFT_EYE_CORNERS, LID_POINTS, RIGHT_EYE_CORNERS, brows_stay, cheek_raise, lid_closure, lids_with_the_corners
from .eye_gaze import look, prepare_eyeballs
from .feat_aus import JawColumn, brow_change, feat_au_delta, jaw_column, mouth_corner_change, wider_column
from .glasses import detect_glasses, hold_frame, slide_behind_frame, slide_under_frame, trace_frame_top
from .glabella_furrows import raise_smoothing, smooth_glabella_furrows
from .grin_folds import prepare_grin_folds, soften_grin_folds
from .lids import LidPainter, prepare_lids
from .lip_seal import paint_seal, prepare_lip_seal, seal_lips, seal_share
from .mouth import MouthPainter, prepare_mouth
from .mouth_motion import (JAW_HOLD_AT_LIP_WIDE, arch_the_opening, bend_into_a_smile, chin_following_the_lip,
                           corner_lift_over_width, corners_following_the_jaw, ease_jaw, hold_above_the_jaw,
                           jaw_hold, jaw_limit, keep_the_philtrum, let_go, limit_smile, lip_over_teeth,
                           lower_corners_to, nose_hold, nose_hold_share, part_smiling_lips, release_grin_corners,
                           smile_bounds, thin_smiling_lips, wide_opening)
from .samplers import make_sampler
from .seamless_lips import blend_seamless_lips, prepare_seamless_lips
from .unfold import skin_mesh, unfold_skin

log = logging.getLogger(__name__)

# Landmarks used for the similarity fit: the whole mesh; the portrait's own expression only
# nudges it, and using all points keeps the fit stable on turned heads (its rotation agrees
# with the tracker's head pose within a few degrees, see tests/test_warp_engine.py).
FIT_POINTS = np.arange(NUM_FACE_POINTS)
# Points whose model motion is kept exactly (lips, lids, brows: their shapes are the expression);
# the skin between them is smoothed, see smooth_on_mesh.
FEATURE_POINTS = tuple(sorted(set(LID_POINTS) | set(UPPER_INNER) | set(LOWER_INNER) | set(UPPER_OUTER)
                             | set(LOWER_OUTER) | set(BROW_POINTS) | set(BROW_LOWER_POINTS)))
SMOOTHING_PASSES = 4
# The lips, whose warp map is worked out at full resolution (``backward_map._redraw_finely``).
LIP_OUTLINE = np.array(UPPER_OUTER + LOWER_OUTER[1:-1])
# Largest AU change drawn (changes ease toward it, see soft_limit): the AU scale's own range.
AU_CHANGE_LIMIT = 5.0
# AU change at which the creases (``creases``: smile folds for AU12, frown furrows for AU04,
# forehead lines for AU01/AU02) are drawn at full depth.
CREASE_FULL_AT = 3.0
# A wink's brow: the points this share of the eye span either side of the face's midline take
# both brows' frown in proportion (the glabella between them bends rather than tears).
SIDE_BLEND = 0.1
# A one-sided smile's AU12 blends across the mouth over this share of the eye span either side
# of the midline (about corner to corner): each corner takes its side's smile, the lip centre the
# mean. (Only the lifted side's half moving, from the lower side's smile at the midline, was
# preferred slightly less in a blind review: the middle and the other half sat lower, "a bowl".)
MOUTH_SIDE_BLEND = 0.3
NOSE_BRIDGE = 168  # MediaPipe's point between the eyes, on the midline
# AU06 change x its warp gain at which the cheek-raise field is drawn in full (AU06 +3 at the
# default gain 3: a broad Duchenne smile reads ~3).
CHEEK_FULL_AT = 9.0
# AU26 change (closing, negative) at which a closing jaw's hold on the upper lip is whole
# (``mouth_motion.jaw_hold`` with lips_apart): a gaping portrait relaxed closes by 1.87 (0-f1-su).
# Only the jaw's own closing: a relaxed grin's lips-part change maps into the same py-feat column
# (``au25_to_jaw``), and held there, Trump's smile read 0.67-0.66 of the drivers' (0.78-0.75 without).
JAW_CLOSES_FULLY = 1.0
# py-feat AU26 (the drawn jaw column) at which the nose and upper lip are held in full as the jaw
# drops (the hold takes back a smile's downward motion too). Held in full from the first 0.001,
# 45-m7-di-ph's smiling upper lip jumped 0.049 eye spans as the column crossed 0; in full from 0.1
# it still moved 0.012 per 0.01 of the user's AU26, from 0.2 0.006 (test_warp_jaw_continuity).
JAW_HOLDS_FULLY = 0.2
# Lid closure over which closing lids come to go where py-feat's AU43 takes the eye corners (down
# and in), so that a shut eye keeps its lash line's downward arc (``eye_fields.CLOSED_SAG``)
# against its own corners. Without it the corners sank under the lids (Obama's outer one by 0.1 eye
# widths) and the shut lids met on a straight line, a squint. Lids on their way down stay where
# the closure puts them: following from the first, they carried a catch-light down onto the lid.
LIDS_FOLLOW_FROM = (0.5, 1.0)


class NeutralFace(NamedTuple):
    """The face shown while the user is neutral, as the jaw column reads from it (``at_neutral``)."""
    scaled: np.ndarray  # (17,) its change from the rest as the mesh model is driven (``_fitted_change``)
    closing: float  # its jaw column (py-feat scale, never an opening: relaxing only closes)


@dataclass(frozen=True)
class WarpPrepared:
    """Everything per-portrait; ``render`` only reads it."""

    image: np.ndarray  # (H, W, 3) RGB uint8, the portrait at full resolution
    resting_aus: np.ndarray  # (17,) the portrait's own AUs; render moves the face by aus - these
    region: tuple[int, int, int, int]  # x0, y0, x1, y1 of the box that can change (face + feather band)
    vertices: np.ndarray  # (V, 2) float32 source positions in full-res pixels (face points, then anchors)
    triangles: np.ndarray  # (T, 3) int32 vertex indices (Delaunay over the vertices)
    triangles_at_rest: TrianglesAtRest  # their corners and areas at rest, for backward_map
    feat_basis: np.ndarray  # (20, V, 2) float32 pixel displacement per +1 of each py-feat AU
    eye_closure: np.ndarray  # (2, V, 2) float32 per eye (eye_fields.EYES order): displacement that brings its lids together
    eye_opening: np.ndarray  # (2, V, 2) float32 the same without the closed lids' sag; its negative widens the eyes
    lids_follow: np.ndarray  # (2, V, 2) float32 per eye: its lids moved as py-feat's AU43 moves its corners
    cheek_lift: np.ndarray  # (V, 2) float32 cheek motion of a full AU06 (below the lower lids)
    lower_lid_rise: np.ndarray  # (2, V, 2) float32 per eye: lower-lid motion of a full AU06
    au_columns: tuple[str, ...]
    max_displacement_px: float
    map_grid: np.ndarray  # (h, w, 2) float32 full-res coordinates of the low-res map's pixel centres
    map_coverage: np.ndarray  # (h, w) bool, map pixels inside the triangulated face + feather band
    inside_frame: np.ndarray  # (V,) bool, vertices that start inside the image
    seam_triangles: np.ndarray  # (T,) bool, triangles touching a lid point, a glasses frame's edge or a sealing inner lip (seam repair)
    mouth: Any  # livemorph.engines.mouth.MouthGeometry, or None when mouth filling is off
    grin_folds: Any  # grin_folds.GrinFolds of a portrait grinning at rest, else None
    lids: Any  # livemorph.engines.warp.lids.LidLook: colours and sizes for painting closed lids
    similarity: tuple[float, np.ndarray, np.ndarray]  # scale, rotation (3, 3), translation (3,): model -> pixels
    silhouette: Any  # livemorph.engines.silhouette.Silhouette: how far outline points may move
    face_width: float  # pixels, scales the painted smile folds
    sampler: Any  # samplers.RemapSampler on CPU, samplers.TorchSampler on CUDA
    frown_max: float  # py-feat AU04 eases toward this (au_mesh.frown_limit: the brow-to-lid band keeps its height)
    jaw_max: float  # py-feat AU26 eases toward this (mouth_motion.jaw_limit: the lip does not run into a held chin)
    smile: Any  # mouth_motion.SmileBounds: how far the mouth corners may lift
    skin: Any  # unfold.SkinMesh: skin triangles kept from turning over
    jaw_corners: np.ndarray  # (V, 2) float32 per unit of opening jaw (py-feat AU26 > 0): the corners go down with the lips
    jaw_hold: np.ndarray  # (V,) float32 share of its downward motion each point gives back in a jaw drop (mouth_motion.jaw_hold)
    jaw_hold_wide: np.ndarray  # (V,) float32 ... in a wide jaw drop (mouth_motion.wide_opening)
    nose_hold: np.ndarray  # (V,) float32 ... as the portrait's own smile lets go (mouth_motion.nose_hold)
    jaw_close_hold: np.ndarray  # (V,) float32 share of its upward motion each point gives back as the jaw closes (py-feat AU26 < 0)
    lips_part: np.ndarray  # (V, 2) float32 added per unit of the jaw column where lips part rather than the jaw drops
    lips_part_corners: np.ndarray  # (V, 2) float32 ... and to ``jaw_corners`` (the lip centre it follows moves more)
    lip_raise: np.ndarray  # (V, 2) float32 added per unit of a rising py-feat AU10 (au_mesh.UPPER_LIP_RAISE); zero on a portrait showing its teeth
    lip_raise_alone: np.ndarray  # (V, 2) float32 the upper lip's raise alone, drawn more without a smile (au_mesh.lip_raise_extra); zero as above
    smile_corner_rise: np.ndarray  # (V, 2) float32 the mouth corners' further lift per unit of a rising py-feat AU12 (au_mesh.SMILE_CORNER_RISE)
    frown_slant: np.ndarray  # (V, 2) float32 added per unit of a lowering py-feat AU04: inner brow ends lower than outer (au_mesh.frown_slant_difference); zero behind glasses
    chin_release: np.ndarray  # (V, 2) float32 added per unit of a falling py-feat AU17: the upper lip stays (au_mesh.chin_release_difference)
    glasses: Any = None  # glasses.GlassesEvidence: whether the portrait wears glasses (brows then keep the frame whole)
    frame_gap: Any = None  # brow_band.FrameGap: the skin a raise uncovers above a glasses frame (None without glasses)
    brow_skin: Any = None  # brow_band.BrowSkin: the bands' rest heights, the grain a raise paints (None with glasses)
    lip_seal: Any = None  # lip_seal.LipSeal: how a grin's lips close over its teeth (None: no teeth showing at rest)
    frame_slide: Any = None  # glasses.FrameSlide: how far each point above a glasses frame may come down in a frown
    left_share: Any = None  # (V,) float32 0 (subject's right) .. 1 (left): whose side's brow AU04 moves each point in a wink
    # seamless_lips.SeamlessLips: the picture round closed lips without their seam, which an open
    # mouth's stretched lips are drawn from; None for a portrait showing its own mouth interior
    seamless_lips: Any = None
    mouth_left_share: Any = None  # (V,) float32 the same for a one-sided smile's AU12, blended across the mouth
    eyeballs: Any = None  # eye_gaze.EyeBall per eye (eye_fields.EYES order), moved by the driver's gaze; None: eyes too small
    neutral: NeutralFace | None = None  # set by ``at_neutral``; None: the jaw column is read from the rest alone


class WarpEngine:
    """AU-driven geometric animation of a portrait; see the module docstring."""

    name = "warp"

    def __init__(self, warp_config, device: str = "cpu", model: AUMeshModel | None = None):
        self.config = warp_config
        self.device = str(device)
        self.model = model if model is not None else load_au_mesh_model()
        self.au_basis = self.model.localized_basis()  # (20, 478, 3), cross-talk removed
        self.lips_part = self.model.lips_part_difference(self.au_basis)  # (478, 3), added to the jaw column as lips part
        self.lip_raise = self.model.upper_lip_raise_difference(self.au_basis)  # (478, 3), added to a rising AU10
        self.lip_raise_alone = self.model.upper_lip_raise_in_the_middle()  # (478, 3), more of it without a smile
        self.frown_slant = self.model.frown_slant_difference(self.au_basis)  # (478, 3), added to a lowering AU04
        self.smile_corner_rise = self.model.smile_corner_rise_difference(self.au_basis)  # (478, 3), added to a rising AU12
        self.chin_release = self.model.chin_release_difference(self.au_basis)  # (478, 3), added to a falling AU17
        self.gains = warp_config.gain_vector()  # (17,), livemorph AU space
        self.paints_mouth_hints = bool(warp_config.driver_mouth)  # engines.base: the driver's mouth is cut for it
        self.draws_winks = True  # engines.base: each eye and brow moves as far as its own side's offsets say
        self.moves_gaze = True  # engines.base: the irises follow the driver's gaze (eye_gaze)

    # -- once per portrait ---------------------------------------------------------------
    def prepare(self, portrait_face) -> WarpPrepared:
        image = portrait_face.image
        check_rgb_uint8(image, "portrait")
        track = portrait_face.track
        if not track.present:
            raise NoFaceInPortrait(f"no face in portrait {getattr(portrait_face, 'source', '')!r}; use a frontal photo")
        landmarks = np.asarray(track.landmarks, np.float64)
        height, width = image.shape[:2]

        scale, rotation, translation = fit_similarity(self.model.mean_mesh[FIT_POINTS], landmarks[FIT_POINTS])
        log.debug("warp fit: scale %.3f px/unit, tracker pose yaw/pitch/roll %s", scale, np.round(track.pose, 1))

        face_xy = landmarks[:NUM_FACE_POINTS, :2]
        outline = silhouette.build(landmarks, self.config.feather, self.config.feather_below, image)
        ring = outline.ring
        in_frame = (ring[:, 0] >= 0) & (ring[:, 0] <= width - 1) & (ring[:, 1] >= 0) & (ring[:, 1] <= height - 1)
        # Ring points beyond the frame are replaced by points on its edge (see frame_edge_anchors),
        # except past a bottom edge that cuts in under the chin (``silhouette.OPEN_BELOW``).
        anchors = np.vstack([ring[in_frame | outline.ring_open],
                             frame_edge_anchors(ring, face_xy, width, height, open_bottom=outline.open_below)])
        # Glasses: their frame's top edge becomes a row of vertices, last (see ``glasses``).
        glasses = detect_glasses(image, landmarks)
        frame_top = trace_frame_top(image, landmarks) if glasses.found else None
        frame_xy = np.vstack([frame_top.edge, frame_top.skin]) if frame_top is not None else np.zeros((0, 2))
        # The band's fading points come right after the face's (silhouette.move_band moves them).
        vertices = np.vstack([face_xy, outline.band, anchors, frame_xy]).astype(np.float32)
        frame_ids = np.arange(len(vertices) - len(frame_xy), len(vertices))
        edges = len(frame_top.edge) if frame_top is not None else 0
        edge_ids, skin_ids = frame_ids[:edges], frame_ids[edges:]
        triangles = triangulate(vertices, leave_out=hidden_skin(landmarks, outline.hull))
        outline = silhouette.with_neck_vertices(outline, vertices)

        # Model displacement per py-feat AU, rotated and scaled into the portrait's pixels.
        columns = np.concatenate([self.au_basis, self.lips_part[None], self.lip_raise[None], self.lip_raise_alone[None],
                                  self.frown_slant[None], self.chin_release[None],
                                  self.smile_corner_rise[None]])[:, :NUM_FACE_POINTS]
        per_au = scale * np.einsum("kpc,rc->kpr", columns, rotation)[..., :2]
        feat_basis = np.zeros((len(columns), len(vertices), 2), np.float32)
        feat_basis[:, :NUM_FACE_POINTS] = smooth_on_mesh(per_au, triangles, FEATURE_POINTS)
        feat_basis, (lips_part, lip_raise, lip_raise_alone, frown_slant, chin_release, smile_corner_rise) = \
            feat_basis[:-6], feat_basis[-6:]
        # Lid points follow the per-portrait closure instead of the model's AU43 motion, and
        # AU06 is drawn by the cheek-raise field (py-feat's AU06 column is mostly a smile).
        eyes_closed = feat_basis[self.model.column("AU43")]
        lids_follow = lids_with_the_corners(eyes_closed, face_xy)
        eyes_closed[list(LID_POINTS)] = 0.0
        feat_basis[self.model.column("AU06")] = 0.0
        up = (rotation @ np.array([0.0, -1.0, 0.0]))[:2]
        brows_stay(eyes_closed, face_xy, up, BROW_LOWER_POINTS)  # py-feat's AU43 lifts brows and forehead; a blink does not
        # The frame's vertices ride the skin under them for the other AUs; the brows leave the
        # frame where it is (``glasses``), and so do blinks (the lid fields leave them at rest).
        def with_frame(field: np.ndarray) -> np.ndarray:
            return field if frame_top is None else _frame_rows(field, frame_top, frame_ids)

        even_raise_on_turned_eyes(feat_basis, self.model.au_columns, face_xy, up)  # before the frame rows copy the skin
        feat_basis = with_frame(feat_basis)
        frame_slide = None
        if frame_top is not None:
            for name in BROW_COLUMNS:
                k = self.model.column(name)
                if name == "AU04":
                    feat_basis[k], frame_slide = slide_under_frame(feat_basis[k], vertices, up, edge_ids, skin_ids)
                else:
                    feat_basis[k] = hold_frame(feat_basis[k], vertices, up, edge_ids, skin_ids)
        if frame_top is not None:  # behind a frame the brows go down as far as it lets them (slide_under_frame), level
            frown_slant = np.zeros_like(frown_slant)
        jaw_column = self.model.column("AU26")
        feat_basis[jaw_column, :NUM_FACE_POINTS] = chin_following_the_lip(feat_basis[jaw_column, :NUM_FACE_POINTS], face_xy, up)
        cheek_lift, lower_lid_rise = (with_frame(f) for f in cheek_raise(face_xy, up, len(vertices)))
        smile = smile_bounds(face_xy, up, len(vertices))
        jaw_corners = np.zeros_like(feat_basis[0])
        jaw_corners[:NUM_FACE_POINTS] = corners_following_the_jaw(feat_basis[jaw_column, :NUM_FACE_POINTS], smile)
        jaw_corners = with_frame(jaw_corners)
        lips_part_corners = np.zeros_like(lips_part)
        lips_part_corners[:NUM_FACE_POINTS] = corners_following_the_jaw(lips_part[:NUM_FACE_POINTS], smile)

        face_height = float(np.ptp(face_xy[:, 1]))
        region = _region_box(np.vstack([vertices, outline.reach]), width, height)  # room for a lowered chin
        map_grid = low_res_grid(region, self.config.map_size)
        mouth = prepare_mouth(image, landmarks) if self.config.mouth_fill else None
        resting_aus = as_au_vector(portrait_face.resting_aus)
        lip_seal = prepare_lip_seal(image, face_xy, up, len(vertices), float(resting_aus[AU.AU25]))
        # A portrait showing its teeth keeps its own lip over them: raised, its kept interior
        # stretched into a see-through ghost of its teeth (Trump) or a smudge under them (review 39).
        lip_rises = 1.0 if lip_seal is None else 0.0
        # Closing lids, a glasses frame's edge and lips closing over teeth collapse triangles: their seams are repaired.
        # So do brows going behind a glasses frame in a frown (``glasses.slide_behind_frame``).
        seam_points = np.r_[LID_POINTS, frame_ids, (UPPER_INNER + LOWER_INNER) if lip_seal is not None else (),
                            frame_slide.ids if frame_slide is not None else ()]
        return WarpPrepared(
            image=image,
            resting_aus=resting_aus,
            region=region,
            vertices=vertices,
            triangles=triangles,
            triangles_at_rest=triangles_at_rest(vertices, triangles),
            feat_basis=feat_basis,
            eye_closure=lid_closure(face_xy, len(vertices)),
            eye_opening=lid_closure(face_xy, len(vertices), sag=False),
            lids_follow=lids_follow,
            cheek_lift=cheek_lift,
            lower_lid_rise=lower_lid_rise,
            au_columns=self.model.au_columns,
            max_displacement_px=self.config.max_displacement * face_height,
            map_grid=map_grid,
            map_coverage=triangle_ids(vertices, triangles, region, map_grid.shape[:2]) > 0,
            inside_frame=(vertices[:, 0] >= 0.5) & (vertices[:, 0] <= width - 1.5)
            & (vertices[:, 1] >= 0.5) & (vertices[:, 1] <= height - 1.5),
            seam_triangles=np.isin(triangles, seam_points.astype(int)).any(axis=1),
            mouth=mouth,
            seamless_lips=None if mouth is None or mouth.own_opening else prepare_seamless_lips(image, landmarks),
            grin_folds=prepare_grin_folds(image, landmarks, float(resting_aus[AU.AU12])),
            lids=prepare_lids(image, face_xy),
            similarity=(scale, rotation.astype(np.float32), translation.astype(np.float32)),
            silhouette=outline,
            face_width=float(np.ptp(face_xy[:, 0])),
            sampler=make_sampler(image, self.device, mirrored=outline.open_below),
            frown_max=frown_limit(feat_basis[self.model.column("AU04")] + frown_slant, vertices, up, BROW_LID_PAIRS),
            jaw_max=jaw_limit(feat_basis[jaw_column, :NUM_FACE_POINTS], face_xy, outline.radial,
                              outline.max_out * outline.follow, self.config.jaw_squeeze),
            smile=smile,
            skin=skin_mesh(vertices, triangles, NUM_FACE_POINTS, (*FEATURE_POINTS, *outline.hull),
                           (*UPPER_INNER, *LOWER_INNER, *LID_POINTS)),
            jaw_corners=jaw_corners,
            jaw_hold=jaw_hold(face_xy, up, len(vertices)),
            jaw_hold_wide=jaw_hold(face_xy, up, len(vertices), JAW_HOLD_AT_LIP_WIDE),
            nose_hold=nose_hold(face_xy, up, len(vertices)),
            jaw_close_hold=jaw_hold(face_xy, up, len(vertices), JAW_HOLD_AT_LIP_WIDE, lips_apart=True),
            lips_part=with_frame(lips_part),
            lips_part_corners=with_frame(lips_part_corners),
            lip_raise=with_frame(lip_raise * lip_rises),
            lip_raise_alone=with_frame(lip_raise_alone * lip_rises),
            smile_corner_rise=with_frame(smile_corner_rise),
            frown_slant=frown_slant,
            chin_release=chin_release,
            glasses=glasses,
            frame_gap=None if frame_top is None else prepare_frame_gap(image, vertices, edge_ids[frame_top.below],
                                                                        skin_ids),
            brow_skin=prepare_brow_skin(image, face_xy) if frame_top is None else None,
            lip_seal=lip_seal,
            frame_slide=frame_slide,
            left_share=left_side_share(face_xy, vertices),
            mouth_left_share=left_side_share(face_xy, vertices, MOUTH_SIDE_BLEND),
            eyeballs=prepare_eyeballs(image, landmarks, up),
        )

    # -- per frame -----------------------------------------------------------------------
    def change_from_rest(self, prepared: WarpPrepared, aus: np.ndarray) -> np.ndarray:
        """(17,) what the frame draws: the absolute AUs less the portrait's own, times
        ``warp.strength``. Unclipped: retargeting hands over resting AUs + the user's change, which
        may leave 0..5 (a smiling portrait keeps the user's full smile); max_displacement bounds
        the motion. Scaled here, where every drawing step reads it (0 = the portrait as it is:
        scaled in the mesh model's gains alone, the lips' parting and seal still moved and painted)."""
        return (as_au_vector(aus, clip=False) - prepared.resting_aus) * self.config.strength

    def _with_strength(self, side):
        """A wink's offsets or a gaze (beside the AUs), times ``warp.strength`` as the change is."""
        return None if side is None else np.asarray(side, np.float32) * self.config.strength

    def at_neutral(self, prepared: WarpPrepared, aus: np.ndarray) -> WarpPrepared:
        """``prepared`` drawing the jaw column (jaw drop and lips parting, ``feat_aus.jaw_column``)
        from ``aus``, the face shown while the user is neutral (the resting AUs relaxed,
        ``aus.relaxed_rest``) as well as from the rest (``_jaw_column``)."""
        scaled = self._fitted_change(prepared, self.change_from_rest(prepared, aus))[1]
        closing = min(jaw_column(scaled, self.config.au25_to_jaw).change, 0.0)  # relaxing only closes
        return replace(prepared, neutral=NeutralFace(scaled, closing))

    def _fitted_change(self, prepared: WarpPrepared, change: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The change fitted to the portrait (``delta``: brows to its resting brows, a frown taking
        back its smile and closing what the lips' seal has not) and eased and scaled by the gains
        (``scaled``, what the mesh model is driven by)."""
        delta = brow_change(change, prepared.resting_aus)
        sealed = seal_share(prepared.lip_seal, change) if prepared.lip_seal is not None else 0.0
        delta = mouth_corner_change(delta, prepared.resting_aus, sealed)
        # The model's motion is linear, so large changes are eased; the eye fields clip their own.
        return delta, soft_limit(delta) * self.gains

    def _jaw_column(self, prepared: WarpPrepared, scaled: np.ndarray) -> JawColumn:
        """py-feat's jaw column for ``scaled``, read from the rest and, where the neutral face is
        known (``at_neutral``), as that face's closing plus the user's change from it: the wider.
        From the rest alone, a laugh's lips on a portrait relaxed from a gaping mouth stayed shut
        under the relaxed jaw's larger closing (py-feat's 0-f1-su-ph, a gaping "O": inner-lip gap
        0.03 of the driver's on pexels_woman_laughing, 0.55 now). From the neutral face alone, a
        relaxed grin's lips' closing stayed drawn in the jaw under a talking user's jaw drop, and
        her teeth were pressed together (py-feat's 0-f15-hao-ph: 0.04 of the opening dark between
        them, 0.37 read from the rest)."""
        from_rest = jaw_column(scaled, self.config.au25_to_jaw)
        if prepared.neutral is None:
            return from_rest
        users = jaw_column(scaled - prepared.neutral.scaled, self.config.au25_to_jaw)
        return wider_column(from_rest, JawColumn(prepared.neutral.closing + users.change, users.jaw_drop_share))

    def displaced_vertices(self, prepared: WarpPrepared, aus: np.ndarray, wink=None) -> np.ndarray:
        """Where every mesh vertex goes for these absolute AUs (and ``wink``, see ``render``), (V, 2) full-res pixels."""
        change, wink = self.change_from_rest(prepared, aus), self._with_strength(wink)
        return self._moved_vertices(prepared, change, self.lid_closures(change, wink), wink)

    def _moved_vertices(self, prepared: WarpPrepared, change: np.ndarray, closures: tuple[float, ...],
                        wink=None) -> np.ndarray:
        delta, scaled = self._fitted_change(prepared, change)
        feat = feat_au_delta(scaled, prepared.au_columns, au25_to_jaw=self.config.au25_to_jaw)
        au04 = prepared.au_columns.index("AU04")
        feat[au04] = ease_frown(float(feat[au04]), prepared.frown_max)
        jaw = prepared.au_columns.index("AU26")
        column = self._jaw_column(prepared, scaled)
        feat[jaw] = ease_jaw(column.change, prepared.jaw_max)
        disp = np.tensordot(feat, prepared.feat_basis, axes=1)
        chin = float(feat[prepared.au_columns.index("AU17")])
        if chin < 0.0:  # a chin raise let go (aus.opening_releases_chin): the lower lip and chin come down, not the upper lip
            disp += chin * prepared.chin_release
        # Each point's rising py-feat AU10: one number, unless a wink raises its side's lip more (a snarl).
        au10 = prepared.au_columns.index("AU10")
        lips = self._by_side(prepared, delta, wink, AU.AU10)
        lip_rise = np.maximum(np.full(len(disp), feat[au10], np.float32) if lips is None else _draw_by_side(
            disp, prepared.feat_basis[au10], float(feat[au10]), lips, prepared.mouth_left_share), 0.0)
        disp += lip_rise[:, None] * prepared.lip_raise
        extra = lip_raise_extra(float(delta[AU.AU12]))
        if extra > 0.0:  # without a smile the lip rises further by itself
            disp += (extra * lip_rise)[:, None] * prepared.lip_raise_alone
        # Each point's py-feat AU04 as drawn: one number, unless a wink lowers its own brow more.
        brows = self._by_side(prepared, delta, wink, AU.AU04)
        if brows is None:
            frown = np.full(len(disp), feat[au04], np.float32)
        else:
            frown = _draw_by_side(disp, prepared.feat_basis[au04], float(feat[au04]),
                                  [ease_frown(side, prepared.frown_max) for side in brows], prepared.left_share)
        disp += np.maximum(frown, 0.0)[:, None] * prepared.frown_slant  # per point: a wink lowers one brow
        au12 = prepared.au_columns.index("AU12")
        corners = self._by_side(prepared, delta, wink, AU.AU12)
        # Each point's py-feat AU12 as drawn: one number, unless a wink splits the smile between the sides (a smirk).
        smile_per_point = np.full(len(disp), feat[au12], np.float32) if corners is None else _draw_by_side(
            disp, prepared.feat_basis[au12], float(feat[au12]), corners, prepared.mouth_left_share)
        if prepared.frame_slide is not None:  # frowning brows go behind a glasses frame
            slide_behind_frame(disp, prepared.frame_slide, frown[prepared.frame_slide.ids])
        disp += max(float(feat[jaw]), 0.0) * prepared.jaw_corners
        parting = 1.0 - column.jaw_drop_share  # lips part around the mouth line
        if parting > 0.0:
            disp += parting * (float(feat[jaw]) * prepared.lips_part + max(float(feat[jaw]), 0.0) * prepared.lips_part_corners)
        cheek = float(np.clip(delta[AU.AU06] * self.gains[AU.AU06] / CHEEK_FULL_AT, -0.5, 1.0))
        disp += cheek * prepared.cheek_lift
        # Each eye's lid closure comes from the user's change itself, as ``render`` paints the
        # lids: geometry and paint agree.
        corners_down = max(float(feat[prepared.au_columns.index("AU43")]), 0.0)
        for eye, closure in enumerate(closures):
            disp += closure * (prepared.eye_closure[eye] if closure > 0.0 else prepared.eye_opening[eye])
            if closure > 0.0:  # closing lids go where py-feat's AU43 takes the corners: their arc holds
                disp += float(smoothstep(*LIDS_FOLLOW_FROM, closure)) * corners_down * prepared.lids_follow[eye]
            # Lids that close meet where the blink puts them; the cheek push fades out as they do.
            disp += cheek * (1.0 - float(np.clip(closure, 0.0, 1.0))) * prepared.lower_lid_rise[eye]
        limit_smile(disp, prepared.vertices, prepared.smile)
        if smile_per_point.max() > 0.0:  # a growing smile bends the mouth further, within its bounds
            bend_into_a_smile(disp, prepared.vertices, prepared.smile,
                              np.maximum(smile_per_point, 0.0)[:, None] * prepared.smile_corner_rise)
        thin_smiling_lips(disp, prepared.smile, float(delta[AU.AU12]))  # ... and stretches closed lips thin
        released = let_go(delta, prepared.resting_aus, AU.AU12)
        # A smile let go lowers the corners and cheeks, not the nose (py-feat's AU12 drawn backwards
        # did); held before the corners are placed against the lip centre.
        hold_above_the_jaw(disp, prepared.nose_hold, prepared.smile.up, nose_hold_share(released))
        release_grin_corners(disp, prepared.vertices, prepared.smile, released)
        part_smiling_lips(disp, prepared.smile, float(delta[AU.AU12]), float(delta[AU.AU25]))
        keep_the_philtrum(disp, prepared.vertices, prepared.smile)
        # The nose and upper lip stay while the jaw drops (not where lips part around the mouth line).
        jaw_share = (1.0 - parting) * float(smoothstep(0.0, JAW_HOLDS_FULLY, float(feat[jaw])))
        wide = wide_opening(float(feat[jaw]))
        hold = prepared.jaw_hold if wide <= 0.0 else prepared.jaw_hold + wide * (prepared.jaw_hold_wide - prepared.jaw_hold)
        hold_above_the_jaw(disp, hold, prepared.smile.up, jaw_share)
        closes = float(smoothstep(0.0, JAW_CLOSES_FULLY, -float(change[AU.AU26])))
        if closes > 0.0 and feat[jaw] < 0.0:
            # A gaping portrait's jaw closing comes up to its upper lip, which gives back what the
            # closing itself lifted it by (held whole, a smile's lift went too and the lips crossed).
            closing = float(feat[jaw]) * (prepared.feat_basis[jaw] + parting * prepared.lips_part)
            lifted = closes * np.maximum(closing @ prepared.smile.up, 0.0)
            disp -= (prepared.jaw_close_hold * lifted)[:, None] * prepared.smile.up[None, :].astype(disp.dtype)
        arch_the_opening(disp, prepared.vertices, prepared.smile, jaw_share * wide)  # held, its top stays an arch
        unlimited = disp.copy()
        silhouette.limit(disp, prepared.silhouette)
        keep_brows_whole(disp, unlimited, prepared.silhouette.up)
        silhouette.move_band(disp, prepared.silhouette)
        silhouette.keep_below_chin(disp, prepared.vertices, prepared.silhouette)
        # Scale the whole field (not single points) so the face keeps its shape at the limit.
        largest = float(np.sqrt((disp ** 2).sum(axis=1).max()))
        if largest > prepared.max_displacement_px:
            disp *= prepared.max_displacement_px / largest
        # Last, as the silhouette's hold and the scaling can turn skin over too.
        unfold_skin(disp, prepared.vertices, prepared.skin)
        if prepared.lip_seal is not None:  # a relaxing grin's lips close over its teeth (after the
            # scaling, which would shrink the closing with the rest of the field)
            covering = seal_lips(disp, prepared.vertices, prepared.lip_seal, change,
                                 lip_cover=lip_over_teeth(change, prepared.resting_aus))
            if covering is not None and covering.any():
                # The corners keep their place against the lip centre the upper lip coming down over
                # the teeth lowers: left, they rose above it and a jaw drop read as a grin (Trump).
                uncovered = prepared.vertices[:len(disp)] + disp - covering
                lower_corners_to(disp, prepared.vertices, prepared.smile,
                                 corner_lift_over_width(uncovered, prepared.smile.up))
        moved = prepared.vertices + disp.astype(np.float32)
        # Points inside the frame stay inside: crossing the pinned frame edge would fold the mesh.
        h, w = prepared.image.shape[:2]
        inside = prepared.inside_frame
        moved[inside, 0] = np.clip(moved[inside, 0], 0.5, w - 1.5)
        moved[inside, 1] = np.clip(moved[inside, 1], 0.5, np.inf if prepared.silhouette.open_below else h - 1.5)
        return moved

    def _by_side(self, prepared: WarpPrepared, delta: np.ndarray, wink, au: AU) -> tuple[float, float] | None:
        """py-feat's column of ``au`` as drawn on the subject's right and left side when ``wink``
        splits it between them (each side's change: ``side_change``); None when it does not split."""
        if wink is None or not np.any(wink[:, au]):
            return None
        column = prepared.au_columns.index(au.name)
        change = float(delta[au])
        sides = []
        for offset in wink[:, au]:
            side = delta.copy()
            side[au] = side_change(change, float(offset))
            sides.append(float(feat_au_delta(soft_limit(side) * self.gains, prepared.au_columns,
                                             au25_to_jaw=self.config.au25_to_jaw)[column]))
        return sides[0], sides[1]

    def lid_closures(self, delta: np.ndarray, wink=None) -> tuple[float, float]:
        """Per eye (``eye_fields.EYES`` order: the subject's right, then left): 0 = the portrait's
        own lids, 1 = lids meet (at an AU45 change of blink_closed_at), < 0 opens them.

        ``wink`` (``face.wink.wink_offsets``, optional) adds each eye's own AU45 offset to the
        closure AU45 draws for both. The eye that stays open never opens wider than AU45 alone
        draws it.

        The closure is AU45's share of ``room``, in proportion, in frowns too: eased there to keep
        the iris in view (as once), a frown made looking down popped the lids open and shut as it
        deepened, while the driver's own lids stayed lowered (docs/warp.md, "A frown's eyes").
        """
        if self.config.blink_closed_at <= 0.0:  # 0 turns blinking off, winks too
            return 0.0, 0.0
        # The driver's change alone says how far the lids come down: a portrait whose eyes rest
        # narrow (Trump reads AU45 ~1 at rest) closes its own gap by the driver's share, as others do.
        room = self.config.blink_closed_at
        closure = float(np.clip(float(delta[AU.AU45]) / room, -0.5, 1.0))
        if wink is None:
            return closure, closure
        return tuple(min(side_change(closure, float(offset) / room), 1.0) for offset in wink[:, AU.AU45])

    def response_caps(self, prepared: WarpPrepared) -> dict[int, float]:
        """Caps on the response curves (``runtime.response``): behind a glasses frame MediaPipe
        barely reads a brow raise (its brow landmarks sit on the frame's rim), so the curve would
        always double it, pushing the brows toward the hairline; they are drawn as asked there."""
        if prepared.glasses is not None and prepared.glasses.found:
            return {int(AU.AU01): 1.0, int(AU.AU02): 1.0}
        return {}

    def crease_strengths(self, change: np.ndarray, wink=None) -> tuple[tuple[float, float], float, float]:
        """0..1 each: how far smile (AU12; per side, the subject's right and left fold), frown (AU04)
        and brow raise (AU01/AU02) have grown beyond the portrait's own (``change``), full at
        ``CREASE_FULL_AT``. A one-sided smile (``wink``'s AU12, as ``_by_side`` draws it) deepens
        its own side's fold."""
        smile = float(change[AU.AU12])
        sides = (smile, smile) if wink is None else tuple(
            side_change(smile, float(offset)) for offset in wink[:, AU.AU12])
        right, left, frown, raise_ = (float(np.clip(d / CREASE_FULL_AT, 0.0, 1.0)) for d in (
            *sides, float(change[AU.AU04]), max(float(change[AU.AU01]), float(change[AU.AU02]))))
        return (right, left), frown, raise_

    def render(self, prepared: WarpPrepared, aus: np.ndarray, mouth_hint=None, wink=None, gaze=None) -> np.ndarray:
        """The portrait showing ``aus``; ``mouth_hint`` (the driver's open mouth, optional) is painted
        into the opening instead of the synthesized interior (``warp.driver_mouth``); ``wink``
        (``face.wink.wink_offsets``, optional) closes each eye, and lowers each brow, by its own side's
        share; ``gaze`` (``face.gaze``, optional) moves the irises (``eye_gaze``)."""
        if self.config.strength <= 0.0:
            # Frozen, as config.yaml says: a grinning portrait's lip seal moves its lips even at no
            # change (Trump's closed over his teeth, up to 130 grey levels), so nothing is drawn.
            return prepared.image.copy()
        change = self.change_from_rest(prepared, aus)
        wink, gaze = self._with_strength(wink), self._with_strength(gaze)
        closures = self.lid_closures(change, wink)
        moved = self._moved_vertices(prepared, change, closures, wink)
        looks = prepared.eyeballs is not None  # the driver looks aside, or lids close in over the eyes
        if float(np.abs(moved - prepared.vertices).max()) < 0.05:
            out = prepared.image.copy()
            if looks and gaze is not None:
                look(out, prepared.image, prepared.eyeballs, gaze, None, prepared.region, prepared.vertices)
            return out
        map_xy = frame_map(prepared, moved)
        out = prepared.sampler.warp(map_xy, prepared.region)
        if prepared.seamless_lips is not None:
            blend_seamless_lips(out, prepared.seamless_lips, map_xy, prepared.region, moved)
        if looks:  # first: the lids painted later cover the eyeball as they close over it
            look(out, prepared.image, prepared.eyeballs, gaze, map_xy, prepared.region, moved, lowered=min(closures))
        if prepared.frame_gap is None:
            smooth_stretched_bands(out, moved, prepared.brow_skin)
            if float(change[AU.AU04]) > 0.0:
                # A frown's lowered brows hood the lids (behind glasses the frame holds the band instead).
                hood_bands(out, prepared.image, prepared.region, prepared.vertices, moved)
        else:
            fill_frame_gap(out, prepared.frame_gap, moved)
        if prepared.grin_folds is not None:  # a grin let go takes its folds with it
            soften_grin_folds(out, prepared.grin_folds, map_xy, prepared.region, moved, prepared.vertices,
                              let_go(change, prepared.resting_aus, AU.AU12))
        # After the folds: what the lowered chin leaves is the photo's own collar or neck, not warped
        # skin, and the folds' light carried by the warp's map lit it in a white rim (Trump, Obama).
        silhouette.chin_cover(out, prepared.image, prepared.vertices, moved, prepared.silhouette)
        # Brows resting knitted let their furrows go as they rise (before a frown's are drawn in).
        smooth_glabella_furrows(out, moved, prepared.face_width, raise_smoothing(change, prepared.resting_aus))
        paint_creases(out, moved, prepared.face_width, *self.crease_strengths(change, wink))
        if max(closures) > 0.0:
            LidPainter(prepared.lids).paint(out, moved, closures)
        if prepared.lip_seal is not None:
            paint_seal(out, moved, prepared.lip_seal, change)
        if prepared.mouth is not None:
            MouthPainter(prepared.mouth, teeth=self.config.teeth).paint(
                out, prepared.image, prepared.vertices, moved, hint=mouth_hint if self.config.driver_mouth else None,
                lip_over_teeth=lip_over_teeth(change, prepared.resting_aus))
        return out


def frame_map(prepared: WarpPrepared, moved: np.ndarray) -> np.ndarray:
    """Where each pixel of the prepared region samples the portrait once the mesh has moved to
    ``moved`` (``WarpEngine.displaced_vertices``): the (h, w, 2) map a render warps with."""
    map_xy = backward_map(prepared.vertices, moved, prepared.triangles, prepared.region, prepared.map_grid,
                          prepared.map_coverage, prepared.seam_triangles, prepared.triangles_at_rest,
                          LIP_OUTLINE)
    pin_frame_edges(map_xy, prepared.region, prepared.image.shape[:2], prepared.silhouette.open_below)
    return map_xy


def soft_limit(delta: np.ndarray) -> np.ndarray:
    """AU changes eased toward +-AU_CHANGE_LIMIT: unchanged while small (d=1 -> 0.99, d=3 -> 2.7),
    so an unclipped change beyond the 0-5 scale (a smiling portrait driven by a broad smile)
    still draws a face rather than folding the mesh (d=5 -> 3.8, d=10 -> 4.8)."""
    return (AU_CHANGE_LIMIT * np.tanh(np.asarray(delta, np.float32) / AU_CHANGE_LIMIT)).astype(np.float32)


def _frame_rows(field: np.ndarray, frame_top, frame_ids: np.ndarray) -> np.ndarray:
    """A (..., V, 2) field with the frame's vertices set to the field of the skin they lie on."""
    out = np.array(field, copy=True)
    out[..., frame_ids, :] = frame_top.interpolate(out[..., :NUM_FACE_POINTS, :])
    return out


def side_change(change: float, offset: float) -> float:
    """One side's change: the pair's ``change`` plus the side's ``offset`` (``face.wink``), but never
    past rest in the offset's direction, nor past ``change`` where that already is: a wink's open
    eye opens no wider than AU45 alone draws it, its brow stays where it rests, a smirk's other
    corner is not turned down."""
    return max(change + offset, min(change, 0.0))


def _draw_by_side(displacement: np.ndarray, basis: np.ndarray, drawn: float, sides, left_share: np.ndarray) -> np.ndarray:
    """In place: one py-feat column, drawn at ``drawn`` for every point, redrawn per point between
    its subject's right and left value (``sides``) by ``left_share``; returns the per-point values."""
    right, left = sides
    per_point = right + (left - right) * left_share
    displacement += (per_point - drawn)[:, None] * basis
    return per_point


def left_side_share(face_xy: np.ndarray, vertices: np.ndarray, blend: float = SIDE_BLEND) -> np.ndarray:
    """(V,) float32 for each vertex: 0 on the subject's right side of the face, 1 on the left,
    blending over ``blend`` of the eye span either side of the line through the nose bridge
    (square to the line through the eyes' outer corners)."""
    right, left = face_xy[RIGHT_EYE_CORNERS[0]], face_xy[LEFT_EYE_CORNERS[0]]
    span = float(np.linalg.norm(left - right))
    across = (left - right) / max(span, 1e-6)
    offset = (np.asarray(vertices, np.float64) - face_xy[NOSE_BRIDGE]) @ across
    return smoothstep(-blend * span, blend * span, offset).astype(np.float32)


def create(config, device: str = "cpu") -> WarpEngine:
    """Engine factory for the registry (``livemorph.engines.create_engine('warp', ...)``)."""
    return WarpEngine(config.warp, device)


# ----------------------------------------------------------------------------------------
# Per-portrait geometry
def fit_similarity(model_points: np.ndarray, image_points: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Least-squares s, R, t with image ~= s * R @ model + t (Umeyama 1991, no reflection)."""
    x = np.asarray(model_points, np.float64)
    y = np.asarray(image_points, np.float64)
    mx, my = x.mean(axis=0), y.mean(axis=0)
    xc, yc = x - mx, y - my
    u, sing, vt = np.linalg.svd(yc.T @ xc / len(x))
    d = np.ones(3)
    d[-1] = np.sign(np.linalg.det(u) * np.linalg.det(vt)) or 1.0
    rotation = u @ np.diag(d) @ vt
    scale = float((sing * d).sum() / (xc ** 2).sum(axis=1).mean())
    translation = my - scale * rotation @ mx
    return scale, rotation, translation


def smooth_on_mesh(per_au: np.ndarray, triangles: np.ndarray, keep) -> np.ndarray:
    """(K, N, 2) per-AU displacements of the N face points, skin smoothed over mesh neighbours.

    The model's motion varies faster than the portrait's small triangles allow where the face
    is foreshortened (a turned cheek, the side of the nose), folding them into torn patches
    in a strong smile; a few neighbour-averaging passes over the skin (``keep`` points, the
    lips and lids, stay exact) remove that without changing the expression's shape.
    """
    n = per_au.shape[1]
    edges = np.concatenate([triangles[:, [0, 1]], triangles[:, [1, 2]], triangles[:, [2, 0]]])
    edges = edges[(edges < n).all(axis=1)]
    edges = np.concatenate([edges, edges[:, ::-1]])
    degree = np.bincount(edges[:, 0], minlength=n).astype(np.float32)
    free = np.ones(n, bool)
    free[list(keep)] = False
    free &= degree > 0
    out = per_au.astype(np.float32).copy()
    for _ in range(SMOOTHING_PASSES):
        total = np.zeros_like(out)
        np.add.at(total, (slice(None), edges[:, 0]), out[:, edges[:, 1]])
        mean = total / np.maximum(degree, 1.0)[None, :, None]
        out[:, free] = 0.5 * out[:, free] + 0.5 * mean[:, free]
    return out


def frame_edge_anchors(ring: np.ndarray, face_xy: np.ndarray, width: int, height: int,
                       open_bottom: bool = False) -> np.ndarray:
    """Motionless points along the image border where the feather band reaches past it.

    A face filling the picture puts part of the band outside the frame; those ring points are
    dropped and the border is pinned instead, so the frame edge is an edge of the mesh and
    stays still (the band is simply narrower there). An ``open_bottom`` edge (``silhouette.OPEN_BELOW``)
    gets none: its ring points past it stay, and a lowered chin goes out through it.
    """
    size = float(max(np.ptp(face_xy[:, 0]), np.ptp(face_xy[:, 1])))
    step = max(size / 12.0, 4.0)
    lo = np.floor(ring.min(axis=0))
    hi = np.ceil(ring.max(axis=0))
    xs = np.arange(max(lo[0], 0.0), min(hi[0], width - 1.0) + step, step).clip(0, width - 1)
    ys = np.arange(max(lo[1], 0.0), min(hi[1], height - 1.0) + step, step).clip(0, height - 1)
    points = []
    if lo[0] < 0:
        points += [(0.0, y) for y in ys]
    if hi[0] > width - 1:
        points += [(width - 1.0, y) for y in ys]
    if lo[1] < 0:
        points += [(x, 0.0) for x in xs]
    if hi[1] > height - 1:
        points += [(x, height - 1.0) for x in xs]
    if open_bottom:
        points = [point for point in points if point[1] < height - 1]
    return np.array(points, np.float64).reshape(-1, 2)


def triangulate(vertices: np.ndarray, leave_out=()) -> np.ndarray:
    """Delaunay triangles over the vertices but ``leave_out`` (QJ keeps every point, even coincident lips)."""
    from scipy.spatial import Delaunay

    kept = np.setdiff1d(np.arange(len(vertices)), np.asarray(leave_out, np.int64))
    simplices = Delaunay(np.asarray(vertices, np.float64)[kept], qhull_options="QJ Qbb Qc").simplices
    return kept[simplices].astype(np.int32)


def hidden_skin(landmarks: np.ndarray, hull) -> np.ndarray:
    """Skin points the face itself hides (``face.occlusion``): left out of the mesh, so the skin
    drawn where they project moves with the points around it that the picture shows, not with
    the far jaw behind it. The lips, lids, brows and the outline always stay in."""
    hidden = hidden_points(landmarks)
    hidden[list(FEATURE_POINTS)] = False
    hidden[np.asarray(hull)] = False
    return np.flatnonzero(hidden)


def _region_box(vertices: np.ndarray, width: int, height: int) -> tuple[int, int, int, int]:
    x0, y0 = np.floor(vertices.min(axis=0)).astype(int) - 1
    x1, y1 = np.ceil(vertices.max(axis=0)).astype(int) + 2
    x0, y0 = max(int(x0), 0), max(int(y0), 0)
    x1, y1 = min(int(x1), width), min(int(y1), height)
    if x1 - x0 < 2 or y1 - y0 < 2:
        raise NoFaceInPortrait("the portrait's face lies outside the image; use a photo with the face in view")
    return x0, y0, x1, y1
