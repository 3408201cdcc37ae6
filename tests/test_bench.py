"""The benchmark's naive loop must do the same work as the batch: every step's public and
hidden tests on every submission (a copy that left the suites out once made it time an
empty pytest run). And the suites pass on the reference in any order."""
from bench import flaky
from bench.batch_vs_naive import naive_checkout, outcomes
from grader import course


def test_naive_checkout_holds_every_suite_and_none_of_the_repository_tests(tmp_path):
    checkout = naive_checkout(tmp_path)
    for step in course.load_course():
        for kind in ("public", "hidden"):
            suite = checkout / step.folder.relative_to(course.ROOT) / "tests" / kind
            assert sorted(p.name for p in suite.glob("test_*.py")) == \
                sorted(p.name for p in step.suite(kind).glob("test_*.py")), f"{step.id} {kind} suite not copied"
    assert not (checkout / "tests").exists() and not (checkout / "bench").exists()
    assert not (checkout / ".git").exists()


def test_outcomes_count_every_reported_result():
    assert outcomes("....\n\n356 passed in 2.59s\n") == 356
    assert outcomes("F.E\n27 failed, 183 passed, 146 errors in 2.15s\n") == 356
    assert outcomes("1 failed, 1 error in 0.1s") == 2
    assert outcomes("\nno tests ran in 0.60s\n") == 0
    assert outcomes("") == 0


def test_a_shuffled_run_of_every_suite_passes_on_the_reference():
    """Order independence, once per CI run; `python -m bench.flaky` does it 20 times."""
    run = flaky.run_once(seed=7)
    assert run.returncode == 0 and " passed in " in flaky.summary(run) and "failed" not in flaky.summary(run), \
        run.stdout[-3000:]


def test_the_shuffle_is_seeded():
    class Config:
        def __init__(self, seed):
            self.seed = seed

        def getoption(self, name):
            return self.seed

    orders = []
    for seed in (1, 1, 2, None):
        items = list(range(50))
        flaky.pytest_collection_modifyitems(Config(seed), items)
        orders.append(items)
    assert orders[0] == orders[1] != orders[2] and sorted(orders[0]) == orders[3] == list(range(50))
