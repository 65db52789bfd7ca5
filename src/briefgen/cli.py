"""The `briefgen` command: check the dataset, list what it holds, build briefs.

A user's mistake prints as `path:line:col: error: ...` lines and exits 1; only a bug in
briefgen itself shows a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import __version__
from .dataset import KIND_BY_NAME, KINDS, Dataset, load_dataset
from .brief import FORMATS, PDF_ENGINES, load_briefs
from .errors import BriefgenError, Problem, UsageError
from .listing import FILTERS, filter_records, render_table

EXIT_PROBLEMS = 1
EXIT_USAGE = 2


class BuildFailed(BriefgenError):
    """Some briefs failed to build (the others were written)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefgen", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"briefgen {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser("check", help="validate the dataset and the brief files")
    _data_options(check)

    ls = sub.add_parser("ls", help="list records of one kind, with filters")
    ls.add_argument("kind", choices=[k.name for k in KINDS], help="what to list")
    for name, rule in FILTERS.items():
        ls.add_argument(f"--{name}", action="append", default=[], metavar="ID", help=rule.help)
    ls.add_argument("--width", type=int, default=0, help="table width (default: the terminal's)")
    _data_options(ls)

    build = sub.add_parser("build", help="build briefs into documents")
    build.add_argument("briefs", nargs="*", type=Path, help="brief files")
    build.add_argument("--all", action="store_true", help="every brief in the briefs folder")
    build.add_argument("--format", action="append", choices=FORMATS, metavar="FORMAT",
                       help=f"only this format ({', '.join(FORMATS)}; repeat for several; "
                            "default: the formats each brief asks for)")
    build.add_argument("--out", type=Path, default=Path("dist"), help="output folder (default: dist)")
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
    return parser


def _data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=Path("data"), help="dataset folder (default: data)")
    parser.add_argument("--briefs-dir", type=Path, default=Path("briefs"),
                        help="folder of brief files (default: briefs)")
    parser.add_argument("--templates", type=Path, default=Path("templates"),
                        help="folder of audience templates (default: templates)")


def _summary(dataset: Dataset) -> str:
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
    load_briefs(paths, dataset, args.templates)
    print(f"{args.briefs_dir}: ok, {len(paths)} brief{'s' if len(paths) != 1 else ''}")
    return 0


def _brief_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def cmd_ls(args: argparse.Namespace) -> int:
    dataset = load_dataset(args.data)
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
    from . import release, summary   # no writer library loads until a brief is built
    from .progress import Progress

    paths = _chosen_briefs(args)
    settings = release.Settings(args.out, args.format, args.pdf_engine, args.strict, args.force,
                                release.parse_jobs(args.jobs), release.parse_shard(args.shard),
                                complete=args.all, allow_overlength=args.allow_overlength)
    dataset = load_dataset(args.data)
    briefs = load_briefs(paths, dataset, args.templates)
    result = release.build_release(briefs, dataset, settings, Progress())
    if result.rows:
        print(summary.render(result))
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    if result.problems:
        raise BuildFailed(result.problems)
    if not briefs:
        print(f"{args.briefs_dir}: no briefs; nothing to build")
    return 0


COMMANDS = {"check": cmd_check, "ls": cmd_ls, "build": cmd_build}


def report(problems: list[Problem], out=None) -> None:
    out = out or sys.stderr    # looked up now, so a caller that redirects stderr sees it
    for problem in problems:
        print(problem, file=out)
    files = len({p.loc.path for p in problems})
    noun = "problem" if len(problems) == 1 else "problems"
    print(f"briefgen: {len(problems)} {noun} in {files} file{'s' if files != 1 else ''}", file=out)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
