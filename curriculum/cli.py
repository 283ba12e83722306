"""``lms curriculum check PATH [--strict]`` and ``lms curriculum import PATH [--dry-run]``.

PATH is a pack folder or a pack ``.zip`` (``check`` also takes the glossary, a ``.yaml`` file).
Problems are printed as ``path:line: message`` and warnings (see ``lint.py``) as
``path:line: warning: message``, with the path as the user named the pack, so an editor or
terminal can jump to them. Warnings leave the exit status at 0, unless ``--strict`` makes them
errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import click
from flask import current_app
from flask.cli import with_appcontext

from .db import db
from .glossary import check_glossary
from .importer import import_pack
from .pack import Pack, PackError, Problem, check_pack, load_pack
from .signals import pack_imported
from .zipsafe import PackZipError, unpacked_zip


@click.group("curriculum", help="Check and import curriculum packs.")
def curriculum_group() -> None:
    pass


@contextmanager
def _pack_folder(path: str) -> Iterator[tuple[Path, str]]:
    """The folder to read and the prefix to print problems with."""
    if Path(path).is_file() and path.lower().endswith(".zip"):
        try:
            with unpacked_zip(path) as folder:
                yield folder, path
        except PackZipError as error:
            raise click.ClickException(error.message) from error
    else:
        yield Path(path), path


def _refuse(problems: list[Problem], shown_as: str) -> NoReturn:
    for problem in problems:
        click.echo(problem.located(shown_as))
    click.echo(f"{len(problems)} problem(s) found in {shown_as}", err=True)
    raise click.exceptions.Exit(1)


def _checked_pack(folder: Path, shown_as: str) -> Pack:
    pack, problems = load_pack(folder)
    if pack is None:
        _refuse(problems, shown_as)
    return pack


def _report(problems: list[Problem], warnings: list[Problem], shown_as: str, strict: bool) -> None:
    """Print the problems and the warnings; exit with status 1 if there is any problem (any
    warning too, when ``strict``)."""
    if strict:
        problems, warnings = sorted(problems + warnings), []
    for problem in problems:
        click.echo(problem.located(shown_as))
    for warning in warnings:
        click.echo(warning.located(shown_as, "warning: "))
    if problems:
        click.echo(f"{len(problems)} problem(s) found in {shown_as}", err=True)
        raise click.exceptions.Exit(1)
    if warnings:
        click.echo(f"{len(warnings)} warning(s) in {shown_as}", err=True)


@curriculum_group.command("check")
@click.argument("path", type=click.Path(exists=True))
@click.option("--strict", is_flag=True, help="Warnings are errors (exit status 1 if any).")
def check(path: str, strict: bool) -> None:
    """Check a pack, or the glossary (a .yaml file): print every problem as path:line: message
    (exit status 1 if any) and every warning as path:line: warning: message."""
    if Path(path).is_file() and path.lower().endswith((".yaml", ".yml")):
        glossary = check_glossary(path)
        _report(glossary.problems, glossary.warnings, str(Path(path).parent), strict)
        assert glossary.glossary is not None
        click.echo(f"OK {Path(path).name}: {len(glossary.glossary.terms)} terms")
        return
    with _pack_folder(path) as (folder, shown_as):
        result = check_pack(folder)
        _report(result.problems, result.warnings, shown_as, strict)
        assert result.pack is not None
        click.echo(f"OK {result.pack.summary()}")


@curriculum_group.command("import")
@click.argument("path", type=click.Path(exists=True))
@click.option("--dry-run", is_flag=True, help="Show what would change, write nothing.")
@with_appcontext
def import_command(path: str, dry_run: bool) -> None:
    """Import (or update) a pack; refuses a pack with problems."""
    with _pack_folder(path) as (folder, shown_as):
        try:
            # Given the folder, the importer first compares the pack's content hash with the
            # course's: an unchanged pack is not parsed at all.
            report = import_pack(folder, dry_run=dry_run)
        except PackError as error:
            _refuse(error.problems, shown_as)
    for line in report.lines():
        click.echo(line)
    if dry_run or report.unchanged:
        db.session.rollback()
        return
    pack_imported.send(current_app._get_current_object(), report=report)
    db.session.commit()
