"""``python -m grader``: grade, check, stubs, notebooks, demo, batch, release."""
from __future__ import annotations

import argparse
import os
import runpy
import sys
from pathlib import Path

from grader import course


def _grade(args) -> int:
    from grader import grading

    steps = course.load_course()
    selected = course.select_steps(steps, args.steps)
    if args.notebooks or str(args.path).endswith(".ipynb"):
        from grader.notebooks import grade as notebook_grade  # otter run, no Docker

        if args.public_only or args.integrated or args.impl == "reference":
            print("error: --public-only, --integrated and --impl do not apply to notebooks "
                  "(otter's autograder runs every test, with the reference for earlier steps)", file=sys.stderr)
            return 2
        grade = notebook_grade.grade_path(Path(args.path), steps, selected if args.steps else None)
        return _report(grade, args)
    root = course.ROOT / "reference" if args.impl == "reference" else Path(args.path)
    if not root.is_dir():
        print(f"error: {root} is not a folder", file=sys.stderr)
        return 2
    grade = grading.grade(root, selected, public_only=args.public_only, isolation=not args.integrated,
                          parallel=args.jobs, all_steps=steps)
    return _report(grade, args)


def _report(grade, args) -> int:
    from grader import reports

    reports.print_table(grade)
    if args.json:
        reports.write_json(grade, Path(args.json))
    if args.markdown:
        Path(args.markdown).write_text(reports.markdown(grade), encoding="utf-8")
    return 0


def _batch(args) -> int:
    from grader import batch

    batch.run(Path(args.dir), Path(args.out), jobs=args.jobs, shard_spec=args.shard, step_keys=args.steps,
              public_only=args.public_only, notebooks=args.notebooks)
    return 0


def _merge(args) -> int:
    from grader import batch

    batch.merge([Path(p) for p in args.outs], Path(args.out))
    return 0


def _check(args) -> int:
    from grader import check

    return check.run(args.step, full=args.hidden)


def _report_drift(drifted: list[Path], clean: str, command: str) -> int:
    """Name each generated file that drifted from its sources (or say ``clean``); 1 if any did."""
    for path in drifted:
        print(f"drifted: {path.relative_to(course.ROOT)} (run `{command}`)")
    if not drifted:
        print(clean)
    return 1 if drifted else 0


def _stubs(args) -> int:
    from grader import stubs

    files = stubs.generated_files()
    if args.check:
        return _report_drift(stubs.drift(files), f"all {len(files)} generated files match reference/ and the manifests",
                             "python -m grader stubs")
    for path in stubs.write(files):
        print(f"wrote {path.relative_to(course.ROOT)}")
    return 0


def _release(args) -> int:
    from grader import classroom50, release

    layout = "classic" if args.classic_classroom else "hidden" if args.hidden_tests_from else "template"
    options = release.Options(layout, args.hidden_tests_from, classroom50=bool(args.classroom50))
    files = release.build(Path(args.out), options, force=args.force)
    print(f"wrote the student version ({len(files)} files) to {args.out}")
    if args.classroom50:
        folder = classroom50.write(Path(args.classroom50), args.slug, files, force=args.force)
        print(f"wrote the Classroom 50 autograder to {folder}")
    return 0


def _notebooks(args) -> int:
    from grader.notebooks import files as notebook_files

    if args.build:
        from grader.notebooks import build

        drifted = notebook_files.drift(notebook_files.generated_files())
        if drifted:
            print(f"error: {drifted[0].relative_to(course.ROOT)} is out of date: run `python -m grader notebooks` "
                  "first", file=sys.stderr)
            return 2
        zips = build.build(Path(args.build), course.select_steps(course.load_course(), args.steps))
        print(f"wrote the student notebooks to {Path(args.build) / 'student'} and {len(zips)} autograder "
              f"zip(s) to {Path(args.build) / 'autograder'}")
        return 0
    files = notebook_files.generated_files()
    if args.check:
        return _report_drift(notebook_files.drift(files) + notebook_files.strays(files),
                             f"all {len(files)} generated notebooks match their sources", "python -m grader notebooks")
    for path in notebook_files.write(files):
        print(f"wrote {path.relative_to(course.ROOT)}")
    for path in notebook_files.strays(files):
        path.unlink()
        print(f"removed {path.relative_to(course.ROOT)} (no step generates it)")
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
    if args.impl == "reference" and not reference.is_dir():
        print("--impl reference: this copy of the course has no reference solution; run the demo on your code",
              file=sys.stderr)
        return 2
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
    p.add_argument("--notebooks", action="store_true",
                   help="PATH holds notebook submissions (a .ipynb PATH is always graded as a notebook)")
    p.set_defaults(func=_grade)

    p = sub.add_parser("batch", help="grade every submission in a folder (sub-folders or .zip files)")
    p.add_argument("dir", help="folder with one sub-folder or zip per student")
    p.add_argument("--out", required=True, help="where grades.csv and each student's results go")
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="submissions graded at once")
    p.add_argument("--shard", help="K/N: grade only the K-th of N deterministic slices (then `merge`)")
    p.add_argument("--steps", help="comma-separated steps (default: all)")
    p.add_argument("--public-only", action="store_true", help="run the public tests only")
    p.add_argument("--notebooks", action="store_true",
                   help="sub-folders and zips hold notebook submissions (.ipynb files in DIR always are)")
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

    p = sub.add_parser("notebooks", help="regenerate the teaching and otter master notebooks; --build: otter assign")
    p.add_argument("--check", action="store_true", help="fail if any generated notebook drifted")
    p.add_argument("--build", metavar="OUT", help="run otter assign: OUT/student (to hand out), OUT/autograder/*.zip")
    p.add_argument("--steps", help="with --build: comma-separated steps (default: all)")
    p.set_defaults(func=_notebooks)

    p = sub.add_parser("demo", help="run a step's live demo (demo.py)")
    p.add_argument("step")
    p.add_argument("--impl", choices=["student", "reference"], default="student")
    p.set_defaults(func=_demo)

    p = sub.add_parser("release", help="build the student version (a template repository) into OUT")
    p.add_argument("out", help="an empty folder, or a clone of the template repository (with --force)")
    p.add_argument("--force", action="store_true", help="replace the contents of a non-empty OUT (.git is kept)")
    layout = p.add_mutually_exclusive_group()
    layout.add_argument("--classic-classroom", action="store_true",
                        help="the classic GitHub Classroom workflow instead of the self-contained one")
    layout.add_argument("--hidden-tests-from", metavar="OWNER/REPO",
                        help="a workflow grading with the hidden tests of this private repository (secret COURSE_TOKEN)")
    p.add_argument("--classroom50", metavar="DIR",
                   help="also write DIR/autograders/SLUG/ (DIR: the classroom's folder in the Classroom 50 config repository)")
    p.add_argument("--slug", default="transformers-from-scratch", help="the Classroom 50 assignment slug")
    p.set_defaults(func=_release)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (KeyError, ValueError, course.ManifestError) as error:
        print(f"error: {error.args[0] if error.args else error}", file=sys.stderr)
        return 2
    except ImportError as error:  # the student version ships without the instructor's modules
        if error.name != "grader" and not (error.name or "").startswith("grader."):
            raise
        print(f"error: `python -m grader {args.command}` is an instructor command; this copy of the course "
              "does not include it", file=sys.stderr)
        return 2
