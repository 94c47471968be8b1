"""The `grader` command: a thin click layer over each verb's `main(...)`.

Exit codes (docs/contract.md): 0 graded and all passed; 1 graded and something fell
short; 2 the grader could not grade, with one line on stderr saying why.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from grader.errors import GraderError


class Group(click.Group):
    """Every grader error, and every usage error, is one line on stderr and exit 2."""

    def main(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201 - click's signature
        try:
            return super().main(*args, standalone_mode=False, **kwargs)
        except GraderError as exc:
            from grader.reports.text import printable  # a path named may hold ESC, CR...

            click.echo(f"grader: {printable(str(exc))}", err=True)
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("grader: aborted", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            click.echo(f"grader: {exc.format_message()}", err=True)
            sys.exit(2)
        except Exception as exc:  # a bug of ours: still one line and exit 2, never a score
            if os.environ.get("GRADER_DEBUG"):
                raise
            click.echo(f"grader: internal error: {type(exc).__name__}: {exc} "
                       "(set GRADER_DEBUG=1 for the traceback)", err=True)
            sys.exit(2)


@click.group(cls=Group)
@click.option("--course", type=click.Path(path_type=Path), default=None,
              help="Course folder holding exercises/ (default: this checkout).")
@click.pass_context
def main(ctx: click.Context, course: Path | None) -> None:
    """Autograder for the neural-network course."""
    from grader.spec.assignment import default_course

    ctx.obj = course or default_course()


@main.command()
@click.option("--out", type=click.Path(path_type=Path), default=Path("out"), show_default=True)
@click.pass_obj
def generate(course: Path, out: Path) -> None:
    """Render student releases and hidden checks from the specs."""
    from grader.commands import generate as verb

    for folder in verb.main(course=course, out=out):
        click.echo(f"wrote {folder}")


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--assignment", "assignment_id", default=None, help="Assignment id.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@click.option("--require-sandbox", is_flag=True,
              help="Refuse to run student code without bubblewrap.")
@click.option("--html", "html", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also write the report as a self-contained HTML page to this file.")
@click.option("--for-student", is_flag=True,
              help="Show only what each check's visibility allows a student now.")
@click.option("--student", default=None,
              help="The student id the report names (default: the submission's file name).")
@click.pass_obj
def check(course: Path, path: Path, assignment_id: str | None, as_json: bool,
          require_sandbox: bool, html: Path | None, for_student: bool,
          student: str | None) -> None:
    """Grade one submission (a .py, an .ipynb, or a folder holding one)."""
    from grader.commands import check as verb
    from grader.reports.view import for_student as student_view
    from grader.reports.view import heading
    from grader.results import to_json

    assignment = verb.resolve_assignment(course, assignment_id, path, snapshots=True)
    report = verb.grade_file(assignment, path, require_sandbox=require_sandbox,
                             meanwhile=lambda: _import_renderers(as_json, html))
    top = heading(student or path.name, assignment.spec.title)
    shown = report
    if for_student:
        from datetime import datetime

        shown = student_view(report, due=assignment.spec.due,
                             now=datetime.fromisoformat(top.graded_at))
    if html is not None:  # before any output: a page that cannot be written is exit 2 alone
        from grader.reports.html import write_html

        try:
            write_html(shown, html, heading=top)
        except OSError as exc:
            raise GraderError(f"{html}: cannot write the report: {exc.strerror or exc}") from None
    if as_json:
        # the heading only when asked: without it the document is what it always was
        named = top.to_dict() if for_student or student is not None else {}
        click.echo(to_json({**shown.to_dict(), **named}))  # strict: NaN as strings
    else:
        from grader.reports.text import echo

        echo(shown)
        # last, so the first line stays the score; a name a terminal would run, escaped
        shown_id = top.student if top.student.isprintable() else repr(top.student)[1:-1]
        click.echo(top.title)  # the heading, on lines of their own: 80 columns
        click.echo(f"student {shown_id} · graded {top.graded_at}")
    sys.exit(0 if report.passed else 1)


def _import_renderers(as_json: bool, html: Path | None) -> None:
    """Import what will render the report (rich: ~100 ms) while the sandbox runs."""
    import importlib

    for name, wanted in (("grader.reports.text", not as_json),
                         ("grader.reports.html", html is not None)):
        if wanted:
            importlib.import_module(name)


@main.command()
@click.pass_obj
def validate(course: Path) -> None:
    """Prove every assignment: reference full marks, stub zero, every known mistake caught
    and named, nothing a student receives holds an answer (exit 0 only then)."""
    from grader.commands import validate as verb

    problems = verb.main(course=course, echo=click.echo)
    sys.exit(1 if problems else 0)


@main.command()
@click.argument("submissions", type=click.Path(path_type=Path))
@click.option("--assignment", "assignment_id", default=None, help="Assignment id.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Sandboxes run in parallel (default: cores + 1).")
@click.option("--db", type=click.Path(path_type=Path), default=None,
              help="Gradebook file (default: ./gradebook.sqlite).")
@click.option("--html-dir", type=click.Path(path_type=Path), default=None,
              help="Write one HTML report per student graded into this folder.")
@click.pass_obj
def grade(course: Path, submissions: Path, assignment_id: str | None, jobs: int | None,
          db: Path | None, html_dir: Path | None) -> None:
    """Grade a whole class: SUBMISSIONS holds one folder (or one .py/.ipynb) per student."""
    from grader.commands import grade as verb

    with verb.progress_bar() as progress:
        summary = verb.main(submissions=submissions, assignment_id=assignment_id,
                            course=course, jobs=jobs, db=db, progress=progress,
                            html_dir=html_dir)
    for line in verb.render_summary(summary):
        click.echo(line)


@main.group()
def export() -> None:
    """Export the gradebook (CSV) or the autograder (Gradescope)."""


@export.command("csv")
@click.option("--assignment", "assignment_id", default=None, help="Assignment id.")
@click.option("--db", type=click.Path(path_type=Path), default=None,
              help="Gradebook file (default: ./gradebook.sqlite).")
@click.pass_obj
def export_csv(course: Path, assignment_id: str | None, db: Path | None) -> None:
    """CSV on stdout: student, one column per exercise, total."""
    from grader.commands import export_csv as verb

    click.echo(verb.main(course=course, assignment_id=assignment_id, db=db), nl=False)


@export.command("gradescope")
@click.option("--assignment", "assignment_id", default=None, help="Assignment id.")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="FILE.zip")
@click.pass_obj
def export_gradescope(course: Path, assignment_id: str | None, out: Path) -> None:
    """A Gradescope autograder bundle (setup.sh, run_autograder, grader, specs, checks)."""
    from grader.commands import export_gradescope as verb

    click.echo(f"wrote {verb.main(course=course, assignment_id=assignment_id, out=out)}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--db", type=click.Path(path_type=Path), default=None,
              help="Gradebook file (default: ./gradebook.sqlite); uploads go beside it.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Sandboxes run in parallel (default: cores + 1).")
@click.option("--max-upload-kib", type=click.IntRange(min=1), default=4096, show_default=True,
              help="Largest submission file accepted (413 above).")
@click.pass_obj
def serve(course: Path, host: str, port: int, db: Path | None, jobs: int | None,
          max_upload_kib: int) -> None:
    """Serve the course: web pages at /, a JSON API under /api/, grading as students submit."""
    from grader.commands import serve as verb

    verb.main(course=course, host=host, port=port, db=db, jobs=jobs,
              max_upload=max_upload_kib * 1024)


@main.group()
def roster() -> None:
    """The server's roster: import people (prints their tokens), grant extensions."""


@roster.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--db", type=click.Path(path_type=Path), default=None,
              help="Gradebook file (default: ./gradebook.sqlite).")
def roster_import(file: Path, db: Path | None) -> None:
    """FILE.csv has `student` and optionally name, email, role; prints student,token."""
    from grader.commands import roster as verb

    click.echo(verb.import_main(file=file, db=db), nl=False)


@roster.command("extend")
@click.argument("student")
@click.option("--assignment", "assignment_id", required=True, help="Assignment id.")
@click.option("--hours", type=click.FloatRange(min=0), required=True)
@click.option("--db", type=click.Path(path_type=Path), default=None,
              help="Gradebook file (default: ./gradebook.sqlite).")
@click.pass_obj
def roster_extend(course: Path, student: str, assignment_id: str, hours: float,
                  db: Path | None) -> None:
    """Move STUDENT's due date (and late period) for one assignment by N hours."""
    from grader.commands import roster as verb

    click.echo(verb.extend_main(course=course, student=student, assignment_id=assignment_id,
                                hours=hours, db=db))


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--assignment", "assignment_id", default=None, help="Assignment id.")
@click.option("--server", required=True, help="The course server's URL.")
@click.option("--token", required=True, envvar="GRADER_TOKEN", help="Your token.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
def submit(path: Path, assignment_id: str | None, server: str, token: str,
           as_json: bool) -> None:
    """Upload PATH to the course server, wait for its report, print it as `check` does."""
    from grader.commands import submit as verb

    report = verb.main(path=path, assignment_id=assignment_id, server=server, token=token)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        from grader.reports.text import echo

        echo(report)
    sys.exit(0 if report.passed else 1)
