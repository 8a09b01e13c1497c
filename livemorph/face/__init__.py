"""Face: MediaPipe tracking -> FaceTrack, AU estimators, stabilizer (neutral baseline + smoothing), AU tracks."""
