"""AU estimators: FaceTrack -> 17 AUs (OpenFace 0-5 scale), behind one protocol and registry."""
