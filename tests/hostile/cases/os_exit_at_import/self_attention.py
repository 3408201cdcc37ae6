"""Hostile: kills its process with status 0 at import, skipping every cleanup."""
import os

os._exit(0)
