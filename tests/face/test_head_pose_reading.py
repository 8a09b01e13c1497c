"""A driver's head pose is not an expression: looking down at the screen reads no smile.

In the picture a curved mouth's corners rise above its middle as the head tips down, by about
0.0025 eye spans a degree. woman_blinks spends her last frames looking down 5-10 degrees with a
resting mouth: MediaPipe reads mouthSmile 0.00 there, yet her corners measured in the picture alone
rose past a resting mouth's and livemorph read a closed smile (AU12 up to +0.9 against her neutral),
which every portrait drew. Read as `run` reads a camera (live neutral, smoothing). The frames are
chosen by what bare MediaPipe says of them (its smile, its head pose), not by livemorph's reading;
the level asked for is what stays still on a portrait (AU < 0.5, as in ``test_frown_reading``).
"""
from __future__ import annotations

from conftest import shared_path
from livemorph.aus import AU
from livemorph.face.au_stream import video_readings

DRIVER = "assets/driving/woman_blinks.mp4"
STILL = 0.5
LOOKING_DOWN = 5.0  # degrees of pitch, chin down (FaceTrack.pose)


def test_looking_down_without_a_smile_reads_no_smile(config):
    changes = []
    for _, reading in video_readings(shared_path(DRIVER), config):
        track = reading.track
        if track is None or not track.present:
            continue
        no_smile = max(track.blendshape("mouthSmileLeft"), track.blendshape("mouthSmileRight")) < 0.02
        if no_smile and float(track.pose[1]) > LOOKING_DOWN:
            changes.append(float(reading.aus[AU.AU12] - reading.neutral[AU.AU12]))
    assert len(changes) > 50, len(changes)  # she does look down with a resting mouth
    assert max(changes) < STILL, f"AU12 read up to +{max(changes):.2f} on a resting mouth looking down"
