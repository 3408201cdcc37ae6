"""``python -m grader check STEP``: a student's quick look at one step.

Runs the step's public tests on the student's own files (every step from this
checkout, as they import each other) and prints each test with its feedback.
"""
from __future__ import annotations

from rich.console import Console

from grader import course, modules, runner, scoring


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
    return 1
