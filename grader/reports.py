"""Reports of a grade: the terminal table, Gradescope's results.json, Markdown."""
from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from grader.grading import Grade
from grader.scoring import GroupScore, StepScore

STATUS_TEXT = {"ok": "", "timeout": "timed out", "crashed": "crashed", "missing": "file missing"}


def group_title(step: StepScore, group: GroupScore) -> str:
    return f"{step.step.number} {step.step.title} · {group.group.name}"


def group_feedback(group: GroupScore, limit: int = 5) -> str:
    """What went wrong in a group, for a student."""
    if group.note:
        return group.note
    lines = []
    for outcome in group.failures[:limit]:
        lines.append(f"✗ {outcome.name} ({outcome.suite}): {outcome.message}")
    if len(group.failures) > limit:
        lines.append(f"... and {len(group.failures) - limit} more failing tests")
    passed = f"{group.passed}/{len(group.outcomes)} tests passed"
    return passed + ("\n" + "\n".join(lines) if lines else "")


def results_json(grade: Grade) -> dict:
    """Gradescope's results format; every entry is tagged with its step id."""
    tests = []
    for step in grade.steps:
        for i, group in enumerate(step.groups, 1):
            tests.append({
                "name": group_title(step, group),
                "number": f"{step.step.number}.{i}",
                "score": group.score,
                "max_score": group.max_score,
                "status": "passed" if group.score == group.max_score else "failed",
                "output": group_feedback(group),
                "tags": [step.step.id],
                "visibility": "visible",
            })
    summary = ", ".join(f"{s.step.number}: {s.score}/{s.max_score}" for s in grade.steps)
    return {
        "score": grade.score,
        "execution_time": round(grade.seconds, 2),
        "output": f"Total {grade.score}/{grade.max_score} ({summary})",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader (or a crash) never sees half of it."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def write_json(grade: Grade, path: Path) -> None:
    write_text_atomic(path, json.dumps(results_json(grade), indent=2, ensure_ascii=False) + "\n")


def causes(step: StepScore) -> list[str]:
    """Why a step lost points, in a few words (the Markdown status column, the batch summary)."""
    if step.status in ("missing", "timeout", "crashed"):
        return [{"missing": "file missing", "timeout": "time limit", "crashed": "process died"}[step.status]]
    messages = [g.note for g in step.groups if g.note] + [o.message for g in step.groups for o in g.failures]
    found = set()
    for message in messages:
        if "not implemented yet" in message:
            found.add("not implemented")
        elif "SyntaxError" in message or "importing" in message:
            found.add("import/syntax error")
        elif message.startswith("Not graded"):
            found.add("forbidden API")
        elif "took longer" in message or "stopped" in message:
            found.add("time limit")
        else:
            found.add("wrong results")
    return sorted(found)


def step_problem(step: StepScore) -> str | None:
    """The one message of a step where no test passed and every failure says the same
    thing (a missing file, a syntax error): said once instead of once per test."""
    if any(g.passed for g in step.groups):
        return None
    messages = {g.note for g in step.groups if g.note} | {o.message for g in step.groups for o in g.failures}
    return messages.pop() if len(messages) == 1 else None


def what_to_fix(grade: Grade, limit: int = 5):
    """(title, feedback) of every part that lost points; a step's single problem once."""
    for step in grade.steps:
        problem = step_problem(step)
        if problem is not None:
            yield f"{step.step.number} {step.step.title} ({step.score}/{step.max_score})", problem
            continue
        for group in step.groups:
            if group.score < group.max_score:
                yield f"{group_title(step, group)} ({group.score}/{group.max_score})", group_feedback(group, limit)


def markdown(grade: Grade) -> str:
    lines = ["| Step | Score | Status |", "| --- | ---: | --- |"]
    for step in grade.steps:
        status = "✅" if step.score == step.max_score else ", ".join(causes(step))
        lines.append(f"| {step.step.number} {step.step.title} | {step.score}/{step.max_score} | {status} |")
    lines.append(f"| **Total** | **{grade.score}/{grade.max_score}** | |")
    fixes = [f"**{title}**\n\n```\n{text}\n```\n" for title, text in what_to_fix(grade)]
    if fixes:
        lines += ["", "### What to fix", "", *fixes]
    return "\n".join(lines) + "\n"


def print_table(grade: Grade, console: Console | None = None, details: bool = True) -> None:
    console = console or Console()
    table = Table(title="Grade", show_footer=True)
    table.add_column("Step", footer="Total")
    table.add_column("Score", justify="right", footer=f"{grade.score}/{grade.max_score}")
    table.add_column("Parts")
    table.add_column("Time", justify="right", footer=f"{grade.seconds:.1f} s")
    for step in grade.steps:
        parts = " ".join(
            f"[{'green' if g.score == g.max_score else 'red'}]{g.group.name} {g.score}/{g.max_score}[/]" for g in step.groups
        )
        status = STATUS_TEXT.get(step.status, step.status)
        style = "green" if step.score == step.max_score else "red" if step.score == 0 else "yellow"
        table.add_row(f"{step.step.id}", f"[{style}]{step.score}/{step.max_score}[/]",
                      parts + (f"\n[red]{status}: {step.detail}[/]" if status else ""), f"{step.seconds:.1f} s")
    console.print(table)
    if details:
        for title, text in what_to_fix(grade, limit=3):
            console.print(title, style="bold", highlight=False, markup=False)
            console.print(text, highlight=False, markup=False)
