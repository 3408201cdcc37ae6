"""``python -m grader check STEP``: a student's quick look at one step.

Runs the step's public tests on the student's own files (every step from this
checkout, as they import each other) and prints each test with its feedback. When a
test fails, the earlier steps the file imports are checked too: a bug there fails
tests here, and the student should hear where to look.
"""
from __future__ import annotations

from rich.console import Console

from grader import course, modules, reports, runner, scoring


def steps_used(step: course.Step, steps: list[course.Step]) -> list[course.Step]:
    """The other steps whose modules ``step``'s file imports, directly or through them
    (read from the student's own files, without running them)."""
    by_module = {s.module: s for s in steps}
    found, todo = {step.id}, [step]
    while todo:
        current = todo.pop()
        try:
            names = modules.imported_names((current.folder / current.files[0]).read_text(encoding="utf-8"))
        except (OSError, SyntaxError, ValueError):
            continue
        for name in names:
            used = by_module.get(name)
            if used is not None and used.id not in found:
                found.add(used.id)
                todo.append(used)
    return [s for s in steps if s.id in found and s.id != step.id]


def _earlier_steps(used: list[course.Step], paths: dict, console: Console) -> None:
    """Run the public tests of the steps this one uses (one process) and say which fail."""
    jobs = [runner.StepJob(s, paths, s.folder / s.files[0], None, ("public",), sandbox=False) for s in used]
    scores = [scoring.score_run(run, ("public",)) for run in runner.run_together(jobs)]
    listing = ", ".join(f"{s.step.number} {s.score}/{s.max_score}" for s in scores)
    failing = [s.step.number for s in scores if s.score < s.max_score]
    if not failing:
        console.print(f"The earlier steps this one uses pass their public tests ({listing}).")
        return
    console.print(f"[yellow]Note: this step runs on your own earlier steps ({listing}). Step {' and '.join(failing)} "
                  f"fail{'s' if len(failing) == 1 else ''} some of {'its' if len(failing) == 1 else 'their'} public "
                  f"tests, and a bug there fails tests here too: fix step {failing[0]} first "
                  f"(python -m grader check {failing[0]}).[/]")


def run(key: str, full: bool = False, console: Console | None = None) -> int:
    console = console or Console(highlight=False, soft_wrap=True)
    steps = course.load_course()
    step = course.find_step(steps, key)
    suites = ("public", "hidden") if full else ("public",)
    student_file = step.folder / step.files[0]
    if not student_file.exists():
        console.print(f"[red]{student_file} does not exist.[/]")
        return 1
    paths = modules.module_paths(steps, step, lambda s: s.folder, None, isolation=False)
    job = runner.StepJob(step, paths, student_file, None, suites, sandbox=False)  # the student's own code, locally
    result = scoring.score_run(runner.run_step(job), suites)
    console.print(f"[bold]Step {step.number} — {step.title}[/]  ({' + '.join(suites)} tests of {step.files[0]})\n")
    for group in result.groups:
        colour = "green" if group.score == group.max_score else "red"
        console.print(f"[{colour}]{group.group.name}: {group.score}/{group.max_score}[/]")
        if group.note:
            console.print(f"  [red]✗ {group.note}[/]", markup=True)
        messages = {o.message for o in group.outcomes}
        if len(group.outcomes) > 1 and not group.passed and len(messages) == 1:
            console.print(f"  [red]✗[/] all {len(group.outcomes)} tests")
            for line in messages.pop().splitlines():
                console.print(f"      {line}", markup=False)
            continue
        for outcome in group.outcomes:
            name = outcome.name.replace("_", " ").removeprefix("test ")
            if outcome.passed:
                console.print(f"  [green]✓[/] {name}")
            else:
                console.print(f"  [red]✗[/] {name}")
                for line in outcome.message.splitlines():
                    console.print(f"      {line}", markup=False)
    console.print()
    if result.status not in ("ok",):
        console.print(f"[red]{result.detail}[/]")
    total = f"{result.score}/{result.max_score}"
    if result.score == result.max_score and result.status == "ok":
        console.print(f"[bold green]All public tests pass ({total}).[/] The hidden tests decide the grade; "
                      "they check the same API more thoroughly.")
        return 0
    console.print(f"[bold]{total} points on the public tests.[/] Fix the first ✗ above, then run this again.")
    used = steps_used(step, steps)
    if used and reports.causes(result) != ["not implemented"]:  # a stub fails on its own
        _earlier_steps(used, paths, console)
    return 1
