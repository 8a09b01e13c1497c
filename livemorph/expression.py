"""Transitional alias for ``livemorph.face.estimators.blendshapes`` while the warp branch (its tests and
benchmark) still imports the old name. The lead deletes this file when moving the warp engine into ``engines/warp/``."""
from .face.estimators.blendshapes import *  # noqa: F401,F403
from .face.estimators.blendshapes import AU_MAPPING, estimate_aus  # noqa: F401
