"""The course as Jupyter notebooks, and otter-grader.

* ``plan``: what a step's notebooks are made of (lesson sections, reference pieces, questions);
* ``teaching``: the teaching notebook; ``master``: the ``otter assign`` master notebook;
* ``files``: writing both, byte for byte, and the drift check (``python -m grader notebooks``);
* ``build``: ``otter assign`` -> student notebooks and Gradescope autograder zips;
* ``submissions``: a submission's notebooks and their steps; ``grade``: grading them with
  ``otter run``, into the course's scores.

Instructor-side only (they read ``reference/``). The one module that ships with the
student notebooks is ``grader.notebook_checks``, which runs the suites' checks.
"""
