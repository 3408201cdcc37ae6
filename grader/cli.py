"""``python -m grader``: grade, check, stubs, demo."""
from __future__ import annotations

import argparse
import os
import runpy
import sys
from pathlib import Path

from grader import course


def _grade(args) -> int:
    from grader import grading, reports

    steps = course.load_course()
    selected = course.select_steps(steps, args.steps)
    root = course.ROOT / "reference" if args.impl == "reference" else Path(args.path)
    if not root.is_dir():
        print(f"error: {root} is not a folder", file=sys.stderr)
        return 2
    grade = grading.grade(root, selected, public_only=args.public_only, isolation=not args.integrated,
                          parallel=args.jobs, all_steps=steps)
    reports.print_table(grade)
    if args.json:
        reports.write_json(grade, Path(args.json))
    if args.markdown:
        Path(args.markdown).write_text(reports.markdown(grade), encoding="utf-8")
    return 0


def _batch(args) -> int:
    from grader import batch

    batch.run(Path(args.dir), Path(args.out), jobs=args.jobs, shard_spec=args.shard, step_keys=args.steps,
              public_only=args.public_only)
    return 0


def _merge(args) -> int:
    from grader import batch

    batch.merge([Path(p) for p in args.outs], Path(args.out))
    return 0


def _check(args) -> int:
    from grader import check

    return check.run(args.step, full=args.hidden)


def _stubs(args) -> int:
    from grader import stubs

    files = stubs.generated_files()
    if args.check:
        drifted = stubs.drift(files)
        for path in drifted:
            print(f"drifted: {path.relative_to(course.ROOT)} (run `python -m grader stubs`)")
        if not drifted:
            print(f"all {len(files)} generated files match reference/ and the manifests")
        return 1 if drifted else 0
    for path in stubs.write(files):
        print(f"wrote {path.relative_to(course.ROOT)}")
    return 0


def _demo(args) -> int:
    from grader import modules

    steps = course.load_course()
    step = course.find_step(steps, args.step)
    script = step.folder / "demo.py"
    if not script.exists():
        print(f"{step.id} has no demo.py", file=sys.stderr)
        return 2
    reference = course.ROOT / "reference"
    folder = (lambda s: reference) if args.impl == "reference" else (lambda s: s.folder)
    modules.install(modules.module_paths(steps, None, folder, reference, isolation=False))
    print(f"# {script.relative_to(course.ROOT)} ({args.impl} code)\n")
    try:
        runpy.run_path(str(script), run_name="__main__")
    except NotImplementedError:
        where = "".join(f"\n  {line}" for line in _student_frames(sys.exc_info()[2]))
        print(f"not implemented yet: the demo reached code that still raises NotImplementedError.{where}\n"
              f"Fill in the TODOs (python -m grader check {step.number} shows what is missing).", file=sys.stderr)
        return 1
    return 0


def _student_frames(tb) -> list[str]:
    """'mini_transformer.py, line 40, in __init__' for frames in the course's modules."""
    import traceback

    return [f"{Path(f.filename).name}, line {f.lineno}, in {f.name}" for f in traceback.extract_tb(tb)
            if "/assignments/" in f.filename.replace("\\", "/")]


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m grader", description="Transformers from Scratch: grading tools")
    sub = top.add_subparsers(dest="command", required=True)

    p = sub.add_parser("grade", help="grade a checkout or a submission folder")
    p.add_argument("path", nargs="?", default=str(course.ROOT), help="submission folder (default: this checkout)")
    p.add_argument("--steps", help="comma-separated steps, e.g. 01,02 (default: all)")
    p.add_argument("--impl", choices=["student", "reference"], default="student",
                   help="grade the student files in PATH, or the reference solution")
    p.add_argument("--public-only", action="store_true", help="run the public tests only")
    p.add_argument("--integrated", action="store_true",
                   help="use the submission's own earlier steps instead of the reference's")
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="steps graded at once")
    p.add_argument("--json", help="write Gradescope-format results to this file")
    p.add_argument("--markdown", help="write a Markdown summary to this file")
    p.set_defaults(func=_grade)

    p = sub.add_parser("batch", help="grade every submission in a folder (sub-folders or .zip files)")
    p.add_argument("dir", help="folder with one sub-folder or zip per student")
    p.add_argument("--out", required=True, help="where grades.csv and each student's results go")
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="submissions graded at once")
    p.add_argument("--shard", help="K/N: grade only the K-th of N deterministic slices (then `merge`)")
    p.add_argument("--steps", help="comma-separated steps (default: all)")
    p.add_argument("--public-only", action="store_true", help="run the public tests only")
    p.set_defaults(func=_batch)

    p = sub.add_parser("merge", help="combine the outputs of sharded batch runs into one gradebook")
    p.add_argument("outs", nargs="+", help="the --out folders of the shards")
    p.add_argument("--out", required=True, help="the merged output folder")
    p.set_defaults(func=_merge)

    p = sub.add_parser("check", help="a student's quick check of one step (public tests)")
    p.add_argument("step", help="step number or id, e.g. 01")
    p.add_argument("--hidden", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=_check)

    p = sub.add_parser("stubs", help="regenerate stubs, golden outputs and points tables from reference/")
    p.add_argument("--check", action="store_true", help="fail if any generated file drifted")
    p.set_defaults(func=_stubs)

    p = sub.add_parser("demo", help="run a step's live demo (demo.py)")
    p.add_argument("step")
    p.add_argument("--impl", choices=["student", "reference"], default="student")
    p.set_defaults(func=_demo)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (KeyError, ValueError, course.ManifestError) as error:
        print(f"error: {error.args[0] if error.args else error}", file=sys.stderr)
        return 2
