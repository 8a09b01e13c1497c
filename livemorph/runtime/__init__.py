"""Runtime: the offline render, the live session, the `aus` analysis, doctor checks."""
