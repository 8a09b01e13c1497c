"""The GANimation engine: network, checkpoints, generator runtime, face crop, compositing, model registry."""
