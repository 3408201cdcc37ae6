"""Given, complete support code for the lessons and the students (not graded)."""
from starter_code.seeding import seed_everything
from starter_code.vocab import Vocab

__all__ = ["Vocab", "seed_everything"]
