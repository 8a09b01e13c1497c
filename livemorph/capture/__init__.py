"""Capture: camera, video file and still image sources that yield RGB `Frame`s."""
