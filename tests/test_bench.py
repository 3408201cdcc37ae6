"""The benchmark's naive loop must do the same work as the batch: every step's public and
hidden tests on every submission (a copy that left the suites out once made it time an
empty pytest run). And the suites pass on the reference in any order."""
from bench import flaky
from bench.batch_vs_naive import naive_checkout, outcomes
from grader import course


def test_naive_checkout_holds_every_suite_and_none_of_the_repository_tests(tmp_path):
    checkout = naive_checkout(tmp_path)
    for step in course.load_course():
        suites = step.folder / "tests"
        files = sorted(p.relative_to(suites) for p in suites.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        assert any(f.parts[0] == "hidden" for f in files) and any(f.name == "golden.json" for f in files)
        for name in files:  # test files and their data (golden.json)
            copied = checkout / step.folder.relative_to(course.ROOT) / "tests" / name
            assert copied.read_bytes() == (suites / name).read_bytes(), f"{step.id}: tests/{name} not copied"
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
    assert flaky.clean(run), run.stdout[-3000:]


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


def test_a_run_is_clean_only_when_every_test_passed():
    def run(summary, code=0):
        return flaky.subprocess.CompletedProcess([], code, stdout=f"....\n{summary}\n")

    assert flaky.clean(run("356 passed in 2.67s"))
    assert flaky.clean(run("356 passed in 62.10s (0:01:02)"))
    assert not flaky.clean(run("355 passed, 1 skipped in 2.67s"))
    assert not flaky.clean(run("1 failed, 355 passed in 2.67s", code=1))
    assert not flaky.clean(run("356 passed in 2.67s", code=1))
