"""A pytest session collected once, in the judges' fork server, for every judge it forks.

Collecting a submission's ~360 tests costs a judge ~0.1 s, a tenth of grading it. So the
judge server collects every step's suites once, with the plugin not yet told whose code
it grades; a forked judge keeps the tests its run asks for, takes its run configuration
and runs them. A run the session cannot serve (a suite it did not collect, student code
in the judge itself) starts pytest from scratch instead.
"""
from __future__ import annotations

from pathlib import Path

_SESSION = None  # (config, session, {test nodeid: its suite folder}) after collect()


def collect(args: list[str], suites: list[str]) -> None:
    """In the judge server: configure pytest with ``args`` and collect ``suites``."""
    global _SESSION
    from _pytest.config import _prepareconfig
    from _pytest.main import Session

    config = _prepareconfig([*suites, *args, "--grader-deferred"])
    config._do_configure()
    session = Session.from_config(config)
    config.hook.pytest_sessionstart(session=session)
    config.hook.pytest_collection(session=session)
    if not session.testsfailed:  # a collection error: let every judge collect (and report it) itself
        folders = {item.nodeid: str(Path(item.path).parent.resolve()) for item in session.items}
        _SESSION = (config, session, folders)


def run(request: dict) -> int | None:
    """In a forked judge: run the collected tests ``request`` selects; None if this
    session cannot serve it."""
    if _SESSION is None or not request.get("suites"):
        return None
    config, session, folders = _SESSION
    wanted = {str(Path(s).resolve()) for s in request["suites"]}
    if not wanted <= set(folders.values()):
        return None
    from grader import plugin

    plugin.start_run(config, Path(request["config"]))
    skip = set(request.get("deselect", ()))
    session.items = [item for item in session.items if folders[item.nodeid] in wanted and item.nodeid not in skip]
    plugin.apply_timeouts(config, session.items)
    session.testscollected = len(session.items)
    config.hook.pytest_collection_finish(session=session)
    try:
        config.hook.pytest_runtestloop(session=session)
        status = 1 if session.testsfailed else 0
    except (session.Interrupted, session.Failed):
        status = 2
    config.hook.pytest_sessionfinish(session=session, exitstatus=status)
    return status
