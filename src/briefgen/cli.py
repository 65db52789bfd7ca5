"""The `briefgen` command: check the dataset, list what it holds, build briefs.

A user's mistake prints as `path:line:col: error: ...` lines and exits 1; only a bug in
briefgen itself shows a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from typing import TYPE_CHECKING

from . import __version__, outputs, paths
from .errors import BriefgenError, Location, Problem, UsageError
from .names import FILTER_HELP, FORMATS, KIND_NAMES, PDF_ENGINES, PROJECT_LISTS

if TYPE_CHECKING:
    from .dataset import Dataset

# The commands import the stages they need when they run: a build that finds nothing changed
# answers from its stamp (stamp.py) without importing pydantic or PyYAML.


def load_dataset(folder: Path) -> "Dataset":
    from .validate import load_dataset as load

    return load(folder)


def load_briefs(paths: list[Path], dataset: "Dataset", templates: Path) -> list:
    from .brief import load_briefs as load

    return load(paths, dataset, templates)

EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130          # 128 + SIGINT, as shells report Ctrl-C


class BuildFailed(BriefgenError):
    """Some briefs failed to build (the others were written)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefgen", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"briefgen {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser("check", help="validate the dataset and the brief files")
    _data_options(check)

    ls = sub.add_parser("ls", help="list records of one kind, with filters; or the briefs, or "
                                   "the audiences")
    ls.add_argument("kind", choices=list(KIND_NAMES) + list(PROJECT_LISTS), help="what to list")
    for name, text in FILTER_HELP.items():
        ls.add_argument(f"--{name}", action="append", default=[], metavar="ID", help=text)
    ls.add_argument("--width", type=int, default=0, help="table width (default: the terminal's)")
    _data_options(ls)

    show = sub.add_parser("show", help="print a record and every brief that selects it")
    show.add_argument("id", help="a record's id")
    _data_options(show)

    verify = sub.add_parser("verify", help="check quotations, recommendations and figures "
                                           "against the sources' own texts")
    verify.add_argument("--texts", type=Path, metavar="DIR",
                        help="folder of the sources' texts (default: $BRIEFGEN_TEXTS, else "
                             "../shared/seeds)")
    verify.add_argument("--strict", action="store_true",
                        help="a cited source with no text to check against is an error")
    _data_options(verify)

    importing = sub.add_parser("import", help="read a bibliography (CSL-JSON, CSL-YAML, "
                                              "BibTeX) as dataset sources")
    importing.add_argument("what", choices=["sources"], help="what to import")
    importing.add_argument("file", type=Path, help="a .json, .yaml or .bib file")
    importing.add_argument("--out", type=Path, metavar="FILE",
                           help="write the dataset YAML to this new file (default: print it)")
    _data_options(importing)

    export = sub.add_parser("export", help="write the dataset's sources as CSL-JSON (Zotero "
                                           "imports it)")
    export.add_argument("what", choices=["sources"], help="what to export")
    export.add_argument("--out", type=Path, metavar="FILE",
                        help="write to this file (default: print it)")
    _data_options(export)

    build = sub.add_parser("build", help="build briefs into documents")
    build.add_argument("briefs", nargs="*", type=Path, help="brief files")
    build.add_argument("--all", action="store_true", help="every brief in the briefs folder")
    build.add_argument("--format", action="append", choices=FORMATS, metavar="FORMAT",
                       help=f"only this format ({', '.join(FORMATS)}; repeat for several; "
                            "default: the formats each brief asks for)")
    build.add_argument("--out", help="output folder (default: dist, in the project)")
    build.add_argument("--pdf-engine", choices=PDF_ENGINES,
                       help="lay PDFs out with this engine (default: each brief's pdf-engine, "
                            "else typst)")
    build.add_argument("--strict", action="store_true",
                       help="treat warnings (glyphs no font draws, refused URLs, terminology) "
                            "as errors")
    build.add_argument("--allow-overlength", action="store_true",
                       help="build a brief over its word or page limit, with a warning")
    build.add_argument("--force", action="store_true",
                       help="rebuild every output, even those whose inputs have not changed")
    build.add_argument("--jobs", metavar="N",
                       help="build up to N briefs at once (default: the machine's cores)")
    build.add_argument("--shard", metavar="K/N",
                       help="build only the K-th of N equal parts of the outputs (CI matrices)")
    _data_options(build)

    watch = sub.add_parser("watch", help="build briefs, then rebuild them on every save "
                                         "(one warm process); --serve to preview in a browser")
    watch.add_argument("briefs", nargs="+", type=Path, help="brief files")
    watch.add_argument("--format", action="append", choices=FORMATS, metavar="FORMAT",
                       help="only this format (repeat for several; default: the brief's)")
    watch.add_argument("--out", default="dist", help="output folder (default: dist)")
    watch.add_argument("--pdf-engine", choices=PDF_ENGINES, help="lay PDFs out with this engine")
    watch.add_argument("--serve", action="store_true",
                       help="serve the web pages at http://127.0.0.1:PORT, reloaded after each "
                            "rebuild, with the problems of a failed one shown above them")
    watch.add_argument("--port", type=int, default=0,
                       help="the port to serve on (default: a free one, printed)")
    _data_options(watch)

    diff = sub.add_parser("diff", help="what changed in each brief between two releases (git "
                                       "revisions or dist folders); exit 1 when anything did")
    diff.add_argument("old", type=_release, help="the earlier release: a git revision (a tag, "
                                                 "a commit) or a dist folder with its manifest")
    diff.add_argument("new", type=_release, help="the later release, the same way")
    diff.add_argument("diff_briefs", nargs="*", metavar="BRIEF", help="only these briefs, by name")
    diff.add_argument("--format", dest="diff_format", choices=["text", "json"], default="text",
                      help="text for people (default), json for tools")
    diff.add_argument("--redline", type=Path, metavar="DIR",
                      help="also write DIR/NAME.redline.docx for each brief that changed: the "
                           "newer version with Word tracked changes (two git revisions)")
    return parser


def _release(value: str) -> str:
    """A release as the user named it: a folder is made absolute now, before briefgen moves
    to the project root; anything else is a git revision."""
    return str(Path(value).resolve()) if Path(value).is_dir() else value


DEFAULTS = (Path("data"), Path("briefs"), Path("templates"))


def _data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=Path("data"), help="dataset folder (default: data)")
    parser.add_argument("--briefs-dir", type=Path, default=Path("briefs"),
                        help="folder of brief files (default: briefs)")
    parser.add_argument("--templates", type=Path, default=Path("templates"),
                        help="folder of audience templates (default: templates)")


def _summary(dataset: "Dataset") -> str:
    from .dataset import KINDS

    optional = {k.name for k in KINDS if k.optional}
    counts = ", ".join(f"{n} {kind}" for kind, n in dataset.counts().items()
                       if n or kind not in optional)     # an optional vocabulary left out
    return f"{sum(dataset.counts().values())} records in {len(dataset.files)} files ({counts})"


def cmd_check(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    dataset = load_dataset(args.data)
    elapsed = time.perf_counter() - start
    print(f"{args.data}: ok, {_summary(dataset)}; checked in {elapsed:.2f} s")
    paths = _brief_files(args.briefs_dir)
    briefs = load_briefs(paths, dataset, args.templates)
    warnings = _compose_all(briefs, dataset)
    for warning in warnings:
        print(warning, file=sys.stderr)
    print(f"{args.briefs_dir}: ok, {len(paths)} brief{'s' if len(paths) != 1 else ''} composed, "
          f"cited and counted against their limits")
    return 0


def _compose_all(briefs: list, dataset: Dataset) -> list[Problem]:
    """Every stage a build runs before its writers, for each brief, writing nothing: what a
    build would refuse (a template error, an unknown source cited in a brief's own text, a
    word limit) is a problem now. Every brief's problems are collected before failing."""
    from .build import stages_of

    problems, warnings = [], []
    for loaded in briefs:
        try:
            work = stages_of(loaded, dataset)
        except BriefgenError as err:
            problems += err.problems
            continue
        warnings += work.warnings + work.allowed
    if problems:
        raise BriefgenError(problems)
    return sorted(set(warnings))


def _brief_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def cmd_show(args: argparse.Namespace) -> int:
    from .listing import show_record

    dataset = load_dataset(args.data)
    briefs = load_briefs(_brief_files(args.briefs_dir), dataset, args.templates)
    print(show_record(dataset, briefs, args.id))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from .verify import VerifyError, texts_folder, verify

    dataset = load_dataset(args.data)
    briefs = load_briefs(_brief_files(args.briefs_dir), dataset, args.templates)
    folder = texts_folder(args.texts, Path("."))
    paths.allow(folder)
    report = verify(dataset, briefs, folder)
    unverified = [Problem(Location(str(args.data)), f"source {source!r} has no text to check "
                                                    f"against; expected a 'text:' file, got "
                                                    f"none ({n} citation{'s' if n != 1 else ''} "
                                                    f"unverified)", "warning")
                  for source, n in sorted(report.unverified.items())]
    warnings = [p for p in report.problems if p.severity == "warning"] + unverified
    errors = [p for p in report.problems if p.severity != "warning"]
    if args.strict:
        errors += [Problem(w.loc, w.message + " (an error under --strict)") for w in warnings]
        warnings = []
    for warning in warnings:
        print(warning, file=sys.stderr)
    checked = ", ".join(f"{what} {n:,}" for what, n in sorted(report.checked.items()))
    print(f"{folder}: {len(report.texts)} source text{'s' if len(report.texts) != 1 else ''}; "
          f"checked {checked or 'nothing'}; {len(report.unverified)} cited source"
          f"{'s' if len(report.unverified) != 1 else ''} without a text")
    if errors:
        raise VerifyError(errors)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from .bibliography import import_sources
    from .dataset import read_dataset, tree_id

    # The ids a new source must not take: read without the cross-checks, so importing the
    # sources a dataset lacks works while it still lacks them.
    dataset, _ = read_dataset(args.data)
    taken = {tree_id(e) for e in dataset.entries.get("sources", [])} - {None} if dataset else set()
    text = import_sources(args.file, taken)
    _emit(text, args.out, refuse_existing=True)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .bibliography import export_sources

    _emit(export_sources(load_dataset(args.data)), args.out)
    return 0


def _emit(text: str, out: Path | None, refuse_existing: bool = False) -> None:
    """Print ``text``, or write it to ``out`` (a new file, when asked, so that importing
    never overwrites a data file)."""
    if out is None:
        sys.stdout.write(text)
        return
    if refuse_existing and out.exists():
        raise UsageError(f"{out} exists; expected the name of a new file")
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)


def cmd_ls(args: argparse.Namespace) -> int:
    from .dataset import KIND_BY_NAME
    from .listing import FILTERS, LISTS, filter_records, render_table

    dataset = load_dataset(args.data)
    if args.kind in LISTS:
        briefs = load_briefs(_brief_files(args.briefs_dir), dataset, args.templates)
        print(LISTS[args.kind](briefs, args.templates, args.width))
        return 0
    kind = KIND_BY_NAME[args.kind]
    wanted = {name: getattr(args, name) for name in FILTERS if getattr(args, name)}
    records = filter_records(dataset, kind, wanted)
    print(render_table(kind, records, args.width))
    return 0


def _chosen_briefs(args: argparse.Namespace) -> list[Path]:
    if args.all and args.briefs:
        raise UsageError("give brief files or --all, not both")
    if not args.all and not args.briefs:
        raise UsageError("no briefs to build; expected brief files or --all")
    paths = _brief_files(args.briefs_dir) if args.all else args.briefs
    missing = [p for p in paths if not p.is_file()]
    if missing:
        raise UsageError(f"no brief file {missing[0]}; expected a YAML file")
    return paths


def cmd_build(args: argparse.Namespace) -> int:
    from . import stamp, summary
    from .progress import Progress

    began = time.perf_counter()
    paths = _chosen_briefs(args)
    out_dir = outputs.check_out(args.out, [args.data, args.briefs_dir, args.templates])
    root, command = args.data.resolve().parent, _build_command(args, paths, out_dir)
    answered = None if args.force else stamp.answer(out_dir, root, command, args.strict)
    if answered is not None:
        return _answer_from(answered, time.perf_counter() - began)

    if len(paths) == 1:              # built in this process: no workers to start their own
        _prestart(args.format)
    from . import release

    settings = release.Settings(out_dir, args.format, args.pdf_engine, args.strict, args.force,
                                release.parse_jobs(args.jobs), release.parse_shard(args.shard),
                                complete=args.all, allow_overlength=args.allow_overlength)
    dataset = load_dataset(args.data)
    briefs = load_briefs(paths, dataset, args.templates)
    outside = _outside(briefs, root)
    stamp_key = stamp.key(root, out_dir, command, outside)
    result = release.build_release(briefs, dataset, settings, Progress())
    if result.rows:
        print(summary.render(result))
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    if result.problems:
        raise BuildFailed(result.problems)
    if not briefs:
        print(f"{args.briefs_dir}: no briefs; nothing to build")
    elif out_dir.is_dir():
        stamp.write(root, out_dir, stamp_key, outside, summary.table(summary.as_skipped(result.rows)),
                    [str(w) for w in result.warnings],
                    [[row.brief, row.format] for row in result.rows])
    return 0


def _prestart(formats: list[str] | None) -> None:
    """A build with work to do starts Pandoc (every brief's citations) and, when it names
    the DOCX, LibreOffice (its page count) now, so that they start while the dataset and the
    briefs load; the release starts whichever it needs and this did not."""
    from . import citeproc

    citeproc.prestart()
    if formats and "docx" in formats:
        from .writers import docx_pages
        docx_pages.prestart()


def _build_command(args: argparse.Namespace, paths: list[Path], out_dir: Path) -> dict:
    """What the command asks for, as the stamp compares it."""
    return {"briefs": sorted(str(p.resolve()) for p in paths), "all": args.all,
            "formats": args.format, "pdf-engine": args.pdf_engine, "strict": args.strict,
            "allow-overlength": args.allow_overlength, "shard": args.shard,
            "out": str(out_dir.resolve()), "data": str(args.data.resolve()),
            "briefs-dir": str(args.briefs_dir.resolve()),
            "templates": str(args.templates.resolve())}


def _outside(briefs: list, root: Path) -> list[str]:
    """Files the briefs name outside the project root: their stamp must cover them too."""
    named = (path for loaded in briefs for path in (loaded.style_file, loaded.reference_docx))
    return sorted({str(p.resolve()) for p in named
                   if p is not None and not p.resolve().is_relative_to(root)})


def _answer_from(stamp: dict, seconds: float) -> int:
    """What the build that left the stamp would print now: every output skipped."""
    from .summary import all_skipped

    print("\n".join(stamp["table"] + [all_skipped(len(stamp["outputs"]), seconds)]))
    for warning in stamp["warnings"]:
        print(warning, file=sys.stderr)
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    """Build, then rebuild on every save until Ctrl-C (exit 0)."""
    from . import watch

    out_dir = outputs.check_out(args.out, [args.data, args.briefs_dir, args.templates])
    formats = args.format
    if args.serve and formats and "html" not in formats:
        formats = [*formats, "html"]          # the page the browser shows
    missing = [p for p in args.briefs if not p.is_file()]
    if missing:
        raise UsageError(f"no brief file {missing[0]}; expected a brief's YAML file")
    watcher = watch.Watcher(list(args.briefs), args.data, args.templates, out_dir, formats,
                            args.pdf_engine, say=lambda line: print(line, flush=True))
    return watch.main(watcher, args.port if args.serve else None)


EXIT_TROUBLE = 2      # diff's own: neither "the same" nor "different"


def cmd_diff(args: argparse.Namespace) -> int:
    """0 when nothing changed, 1 when something did, 2 when the comparison could not be made
    (as ``diff`` answers)."""
    from . import diff

    try:
        text, changed = diff.run(args.old, args.new, args.diff_briefs, Path.cwd(),
                                 args.diff_format == "json", args.redline)
    except BriefgenError as err:
        report(err.problems)
        return EXIT_TROUBLE
    print(text)
    return 1 if changed else 0


COMMANDS = {"check": cmd_check, "ls": cmd_ls, "show": cmd_show, "verify": cmd_verify,
            "import": cmd_import, "export": cmd_export, "build": cmd_build, "diff": cmd_diff,
            "watch": cmd_watch}


def report(problems: list[Problem], out=None) -> None:
    out = out or sys.stderr    # looked up now, so a caller that redirects stderr sees it
    for problem in problems:
        print(problem, file=out)
    files = len({p.loc.path for p in problems})
    noun = "problem" if len(problems) == 1 else "problems"
    print(f"briefgen: {len(problems)} {noun} in {files} file{'s' if files != 1 else ''}", file=out)


def project_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds ``data/`` and ``briefs/``."""
    for folder in (start, *start.parents):
        if (folder / "data").is_dir() and (folder / "briefs").is_dir():
            return folder
    return None


# Options and arguments that name files: kept as the user meant them when briefgen moves to
# the project root.
PATH_ARGUMENTS = ("briefs", "out", "texts", "file", "redline")


def _at_project_root(args: argparse.Namespace) -> None:
    """Run from a subfolder (``briefs/``, a template's folder) as from the project root,
    unless the user named the data, briefs or templates folder: then paths are as given."""
    if not hasattr(args, "data") or (args.data, args.briefs_dir, args.templates) != DEFAULTS:
        return
    here = Path.cwd()
    root = project_root(here)
    if root is None or root == here:
        return
    for name in PATH_ARGUMENTS:
        value = getattr(args, name, None)
        if isinstance(value, Path):
            setattr(args, name, (here / value).resolve())
        elif isinstance(value, list):
            setattr(args, name, [(here / v).resolve() if isinstance(v, Path) else v for v in value])
    os.chdir(root)


def _confine(args: argparse.Namespace) -> None:
    """Reading is confined to the project (the data folder's parent) and what the command line
    names (``paths.py``): a project received from others cannot make briefgen read elsewhere."""
    if not hasattr(args, "data"):
        return
    named = [args.data, args.briefs_dir, args.templates]
    for name in ("briefs", "texts", "file"):
        value = getattr(args, name, None)
        named += value if isinstance(value, list) else [value] if isinstance(value, Path) else []
    paths.confine(args.data.resolve().parent, named, brand_home=args.templates.resolve().parent)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        _at_project_root(args)
        _confine(args)
        if args.command in ("check", "build"):
            from .writers.epoch import default_epoch
            default_epoch("")         # a SOURCE_DATE_EPOCH no document can be dated with
        return COMMANDS[args.command](args)
    except BriefgenError as err:
        report(err.problems)
        return EXIT_PROBLEMS
    except UsageError as err:
        print(f"briefgen: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # output piped into `head`: stop quietly, as Unix tools do
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:   # Ctrl-C: the build cleaned up on its way out (release.py)
        print("briefgen: interrupted; outputs finished before it are written and in the "
              "manifest, nothing half-written is left", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        paths.confine_nothing()    # a caller in the same process (a test) starts afresh


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
