"""The command line: main.py parses and maps errors to exit codes; commands/ holds one thin module per command."""
from .app import main

__all__ = ["main"]
