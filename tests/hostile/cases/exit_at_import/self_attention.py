"""Hostile: exits with status 0 while being imported, hoping the run counts as a pass."""
import sys

sys.exit(0)
