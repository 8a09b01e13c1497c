"""Transitional alias for ``livemorph.face.tracking`` while the warp branch (engines/warp.py and its tests)
still imports the old name. The lead deletes this file when moving the warp engine into ``engines/warp/``."""
from .face.tracking import *  # noqa: F401,F403
from .face.tracking import FaceTrack, FaceTracker, pose_from_transform  # noqa: F401
