"""The course's grading package: manifests, stubs, the pytest plugin, the runner,
scoring and reports. ``python -m grader --help`` lists the commands."""
