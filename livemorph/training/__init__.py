"""Training and fine-tuning GANimation generators (``livemorph train``).

dataset: face folder -> cached crops + AU labels; losses: the GANimation objective;
trainer: the WGAN-GP loop with exact resume, AMP and DDP; samples/state: its outputs.
"""
