"""Config: typed settings (settings.py), their checks (checks.py) and the one defaults file."""
