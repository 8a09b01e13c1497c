"""Portrait: load the image, choose the face, prepare it once for an engine."""
from .prepare import PortraitFace, face_again, fit_for_live, load_portrait, prepare_portrait_face

__all__ = ["PortraitFace", "face_again", "fit_for_live", "load_portrait", "prepare_portrait_face"]
