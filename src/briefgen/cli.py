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
from .errors import BriefgenError, Problem, UsageError
from .listing import FILTERS, filter_records, render_table

EXIT_PROBLEMS = 1
EXIT_USAGE = 2


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

    build = sub.add_parser("build", help="build briefs (validates and reports until writers land)")
    build.add_argument("briefs", nargs="*", type=Path, help="brief files (default: every one)")
    build.add_argument("--all", action="store_true", help="every brief in the briefs folder")
    _data_options(build)
    return parser


def _data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=Path("data"), help="dataset folder (default: data)")
    parser.add_argument("--briefs-dir", type=Path, default=Path("briefs"),
                        help="folder of brief files (default: briefs)")


def _summary(dataset: Dataset) -> str:
    counts = ", ".join(f"{n} {kind}" for kind, n in dataset.counts().items())
    return f"{sum(dataset.counts().values())} records in {len(dataset.files)} files ({counts})"


def cmd_check(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    dataset = load_dataset(args.data)
    elapsed = time.perf_counter() - start
    print(f"{args.data}: ok, {_summary(dataset)}; checked in {elapsed:.2f} s")
    briefs = _brief_files(args.briefs_dir)
    print(f"{args.briefs_dir}: {len(briefs)} brief files")
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


def cmd_build(args: argparse.Namespace) -> int:
    dataset = load_dataset(args.data)
    briefs = args.briefs or _brief_files(args.briefs_dir)
    print(f"{args.data}: ok, {_summary(dataset)}")
    if not briefs:
        print(f"{args.briefs_dir}: no brief files yet; nothing to build")
    for brief in briefs:
        print(f"would build {brief} (no writers are installed yet; nothing was written)")
    return 0


COMMANDS = {"check": cmd_check, "ls": cmd_ls, "build": cmd_build}


def report(problems: list[Problem], out=sys.stderr) -> None:
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
