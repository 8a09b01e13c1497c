"""Outputs: files (MP4/GIF/PNG), virtual camera, preview window; compose.py lays frames out."""
