"""Portrait: load the image, choose the face, prepare it once for an engine."""
from .prepare import PortraitFace, fit_for_live, load_portrait, prepare_portrait_face

__all__ = ["PortraitFace", "fit_for_live", "load_portrait", "prepare_portrait_face"]
