"""Release builds: plan every output, skip the unchanged ones, build the rest in parallel.

An output is one format of one brief, planned as a ``Target`` (``target.py``), which resolves
every per-output rule once. The plan is the Targets sorted by (brief, format), cut to a shard
when asked (``--shard K/N``: the K-th of N contiguous parts, so a brief's
formats mostly stay together and its stages run once). An output whose inputs hash as the
manifest recorded, and whose files are intact, is skipped (``manifest.py``); the others are
built brief by brief, all formats of a brief together or none of them (``build.build_brief``).

With more than one brief to build and more than one job, briefs are built by a pool of worker
processes. Each worker has the dataset and the briefs loaded once (a forked worker inherits
the parent's; a spawned one loads them itself) and keeps its engines warm: its Typst compiler
per page file, WeasyPrint and python-docx imported once. With one job or one brief the build
runs in this process. Either way the files, the manifest and the summary are the same: each
brief's bytes depend on its inputs only, and results are put in plan order, not in the order
workers finish.

A brief that fails comes back as problems (``path:line:col: error: ...``), never as a
traceback from a worker; a bug that raises in a worker, or a worker that dies, is reported
as a problem at the brief that was being built. The other briefs still build.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import manifest
from . import outputs
from . import paths as confinement
from .brief import LoadedBrief, load_briefs
from .dataset import Dataset
from .limits import limits_of
from .select import Selected, select
from .summary import BUILT, FAILED, SKIPPED, Release, Row
from .target import Target, targets
from .validate import load_dataset
from .errors import BriefgenError, Location, Problem, UsageError, WriteError, display_path



# --- the plan ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Shard:
    index: int          # 1-based, as written on the command line
    count: int

    def take(self, items: list) -> list:
        """The index-th of count contiguous parts; together the parts are ``items``."""
        start = (self.index - 1) * len(items) // self.count
        end = self.index * len(items) // self.count
        return items[start:end]


def parse_shard(text: str | None) -> Shard | None:
    if text is None:
        return None
    index, slash, count = text.partition("/")
    if slash and index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count):
        return Shard(int(index), int(count))
    raise UsageError(f"bad --shard {text!r}; expected K/N with 1 <= K <= N, such as 2/4")


def parse_jobs(text: str | None) -> int:
    """--jobs N; by default as many as the cores this process may use."""
    if text is None:
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if text.isdigit() and int(text) >= 1:
        return int(text)
    raise UsageError(f"bad --jobs {text!r}; expected a whole number of at least 1, such as 2")


def plan(briefs: list[LoadedBrief], formats: list[str] | None, shard: Shard | None = None,
         pdf_engine: str | None = None) -> list[Target]:
    """Every output to consider, by (brief, format): the formats asked for, else each brief's
    own; ``pdf_engine`` is the command line's choice."""
    planned = sorted((t for loaded in briefs for t in targets(loaded, formats, pdf_engine)),
                     key=key_of)
    return shard.take(planned) if shard else planned


def key_of(target: Target) -> manifest.Key:
    return target.brief, target.format


# --- results -------------------------------------------------------------------------------

@dataclass
class Done:
    """What building one brief gave: a manifest entry's facts per built format, or problems."""

    brief: str
    formats: list[str]
    made: dict[str, dict[str, Any]] = field(default_factory=dict)   # format -> facts
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Task:
    """One brief to build: its Targets not skipped, and the records its rules pick."""

    brief: str
    targets: list[Target]
    selected: Selected

    @property
    def formats(self) -> list[str]:
        return [t.format for t in self.targets]


@dataclass(frozen=True)
class Settings:
    out_dir: Path
    formats: list[str] | None = None
    pdf_engine: str | None = None       # the command line's; each Target resolves its own
    strict: bool = False
    force: bool = False
    jobs: int = 1
    shard: Shard | None = None
    complete: bool = False      # every brief of the folder: forget outputs of briefs now gone
    allow_overlength: bool = False


# --- building one brief (in this process or a worker) --------------------------------------

def build_one(loaded: LoadedBrief, dataset: Dataset, task: Task, settings: Settings) -> Done:
    """One brief's Targets, all or none; every failure is a problem, never an exception."""
    return finish_one(start_one(loaded, dataset, task, settings))


@dataclass
class Started:
    """A brief whose stages have run (``start_one``), its writers still to run."""

    loaded: LoadedBrief
    task: Task
    settings: Settings
    done: Done
    work: Any = None           # build.Work; None when a stage failed (``done`` says why)


def start_one(loaded: LoadedBrief, dataset: Dataset, task: Task, settings: Settings) -> Started:
    """The first half of ``build_one``: the brief's stages, compose to measure."""
    from .build import prepare_brief   # the writers load only when a brief builds

    started = Started(loaded, task, settings, Done(loaded.name, task.formats))
    _prestart(task)
    with _problems_into(started):
        started.work = prepare_brief(loaded, dataset, task.selected, task.targets,
                                     allow_overlength=settings.allow_overlength)
    return started


def _prestart(task: Task) -> None:
    """Pandoc (the cite stage's) and LibreOffice (the DOCX's page count) start now, in
    processes of their own, while this brief's stages run before either is asked."""
    from . import citeproc

    citeproc.prestart()
    if "docx" in task.formats:
        from .writers import docx_pages
        docx_pages.prestart()


def finish_one(started: Started) -> Done:
    """The second half of ``build_one``: the writers, the files in place, the records."""
    from .build import write_brief

    done, settings = started.done, started.settings
    if started.work is None:
        return done
    with _problems_into(started):
        outputs = write_brief(started.work, started.task.targets, settings.out_dir,
                              strict=settings.strict, warnings=done.warnings)
        warnings = [manifest.warning_record(w) for w in done.warnings]
        content = _content(started)
        for output in outputs:
            done.made[output.target.format] = {
                "files": [manifest.file_record(p, settings.out_dir) for p in output.paths],
                "pages": output.pages, "words": output.words, "notes": output.notes,
                "warnings": warnings, "allowed_overlength": output.over_allowed,
                "content": content}
            done.seconds[output.target.format] = output.seconds
    return done


def _content(started: Started) -> dict[str, Any]:
    """The records and notes the brief printed, as the manifest keeps them for a diff."""
    from . import model

    work, limit = started.work, limits_of(started.loaded)
    records = tuple(dict.fromkeys(work.records + tuple(work.document.bibliography)))
    return manifest.content_record(work.dataset, records,
                                   [model.plain_text(n.blocks) for n in work.document.notes],
                                   limit.words, limit.pages)


@contextmanager
def _problems_into(started: Started) -> Iterator[None]:
    """Every failure of a brief becomes its problems: the other briefs go on."""
    try:
        yield
    except BriefgenError as err:
        started.done.problems = err.problems
    except OSError as err:
        started.done.problems = [os_problem(started.settings.out_dir, err)]
    except Exception as err:     # a bug: reported at the brief, and the other briefs go on
        started.done.problems = [_crash(started.loaded.loc(), err)]


def _pipelined(tasks: list[Task], briefs: dict[str, LoadedBrief], dataset: Dataset,
               settings: Settings, on_done: Callable[[Done], None]) -> None:
    """One process's briefs, two at a time: while one brief's writers run on a second thread,
    the next brief's stages run on this one. Typst lays out pages, and Pandoc and LibreOffice
    work, without holding Python's lock, so a PDF's layout costs little more than Typst's own
    time. Each brief's writers still run one after another, in plan order."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="briefgen-writers") as writers:
        pending: Future | None = None
        for task in tasks:
            started = start_one(briefs[task.brief], dataset, task, settings)
            following = writers.submit(finish_one, started)
            if pending is not None:
                on_done(pending.result())
            pending = following
        if pending is not None:
            on_done(pending.result())


def _crash(loc: Location, err: BaseException) -> Problem:
    frames = traceback.extract_tb(err.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return Problem(loc, f"briefgen failed building this brief (a bug in briefgen; please "
                        f"report it); expected a build, got {type(err).__name__}: {err}{where}")


# --- workers ---------------------------------------------------------------------------------

_worker: dict[str, Any] = {}       # in a worker: the dataset and the briefs by name


def _start_worker(data: Path, paths: list[Path], templates: Path, engines: set[str],
                  roots: tuple[Path, ...] | None = None) -> None:
    _die_with_parent()
    if "docx" in engines:
        from multiprocessing.util import Finalize
        from .writers import docx_pages
        # A worker ends without running atexit: its LibreOffice ends with it this way.
        Finalize(None, docx_pages.shutdown, exitpriority=10)
    if "dataset" not in _worker:   # a forked worker has the parent's already
        confinement.set_roots(roots)
        dataset = load_dataset(data)
        _worker.update(dataset=dataset,
                       briefs={b.name: b for b in load_briefs(paths, dataset, templates)})
    _warm(engines)


def _die_with_parent() -> None:
    """A worker ends when the build that started it ends, however it ends (SIGKILL too): on
    Linux the kernel sends it SIGTERM then (prctl PR_SET_PDEATHSIG; the standard library has
    no call for it, so ctypes). Ctrl-C is the parent's to handle: it stops the workers itself
    and removes what they left, so a worker ignores SIGINT rather than print a traceback."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform != "linux":
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)          # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:        # the parent died before the call: nobody would signal us
        os._exit(1)


def _warm(engines: set[str]) -> None:
    """Import the writers' libraries once per worker, before its first brief."""
    try:
        from . import build  # noqa: F401  (the stages: Jinja2, markdown-it, the cite stage)
        if "docx" in engines:
            from .writers import docx  # noqa: F401
        if "typst" in engines:
            from .writers import typst_pdf  # noqa: F401
            import typst  # noqa: F401
        if "weasyprint" in engines:
            from .writers import weasy
            weasy._weasyprint()
    except (ImportError, OSError, BriefgenError):
        pass                       # the brief that needs it reports the problem itself


def _work(task: Task, settings: Settings) -> Done:
    return build_one(_worker["briefs"][task.brief], _worker["dataset"], task, settings)


def _context() -> Any:
    """Fork where it is safe (Linux, this process has one thread: nothing is mid-lock), so
    workers start with everything loaded; else spawn, and workers load for themselves."""
    import multiprocessing

    if sys.platform == "linux" and len(os.listdir("/proc/self/task")) == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _in_pool(tasks: list[Task], briefs: dict[str, LoadedBrief], dataset: Dataset,
             settings: Settings, jobs: int, on_done: Callable[[Done], None]) -> None:
    """Briefs shared among ``jobs`` workers. A worker that dies takes its pool down; then each
    unfinished brief is built again alone, so only the one that kills its worker fails."""
    start = (dataset.root, [b.path for b in briefs.values()], _templates(briefs),
             _engines(tasks), confinement.roots())
    _worker.update(dataset=dataset, briefs=briefs)
    try:
        unfinished = _pool(tasks, jobs, start, settings, on_done)
        if len(unfinished) > 1:
            unfinished = [task for task in unfinished
                          if _pool([task], 1, start, settings, on_done)]
        for task in unfinished:
            on_done(Done(task.brief, task.formats,
                         problems=[_died(briefs[task.brief].loc())]))
    finally:
        _worker.clear()


def _pool(tasks: list[Task], jobs: int, start: tuple, settings: Settings,
          on_done: Callable[[Done], None]) -> list[Task]:
    """Run the tasks in a new pool; return the briefs whose worker died before finishing."""
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    unfinished = []
    with ProcessPoolExecutor(jobs, mp_context=_context(), initializer=_start_worker,
                             initargs=start) as pool:
        try:
            futures = {pool.submit(_work, task, settings): task for task in tasks}
            for future in as_completed(futures):
                try:
                    done = future.result()
                except BrokenProcessPool:
                    unfinished.append(futures[future])
                    continue
                on_done(done)
        except BaseException:          # Ctrl-C (workers ignore it): stop them now
            _stop(pool)
            raise
    return sorted(unfinished, key=lambda task: task.brief)


def _stop(pool: Any) -> None:
    """End a pool's workers mid-brief, and wait until they are gone, so that the temporary
    files they were writing can be removed. The executor has no public call for this;
    ``_processes`` is where it keeps them (Python 3.9 to 3.13)."""
    processes = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join()


def _died(loc: Location) -> Problem:
    return Problem(loc, "the worker process building this brief stopped (a crash in briefgen or "
                        "a library it uses; please report it); expected a build, got no result")


def _engines(tasks: list[Task]) -> set[str]:
    """What the workers will write with: docx, and each PDF engine."""
    return {t.engine or t.format for task in tasks for t in task.targets
            if t.format in ("docx", "pdf")}


def _templates(briefs: dict[str, LoadedBrief]) -> Path:
    """The templates folder the briefs were loaded with (each audience folder is inside it)."""
    first = next(iter(briefs.values()))
    return first.template_dir.parent


# --- the release -----------------------------------------------------------------------------

def build_release(briefs: list[LoadedBrief], dataset: Dataset, settings: Settings,
                  progress: Any = None) -> Release:
    """Every planned output: skipped when unchanged, else built; the manifest rewritten."""
    began = time.perf_counter()
    by_name = {b.name: b for b in briefs}
    planned = plan(briefs, settings.formats, settings.shard, settings.pdf_engine)
    # Each brief's records are picked once, here: the manifest hashes them, the build uses them.
    selected = {name: select(dataset, by_name[name].brief.select)
                for name in dict.fromkeys(t.brief for t in planned)}
    inputs = manifest.Inputs(dataset)
    wanted = {key_of(t): inputs.of(t, by_name[t.brief], selected[t.brief]) for t in planned}
    created = _make_folder(settings.out_dir)
    done: dict[str, Done] = {}
    try:
        with outputs.locked(settings.out_dir):
            old = manifest.read(settings.out_dir)
            try:
                release = _release(planned, by_name, dataset, settings, progress, wanted, old,
                                   selected, done)
            finally:
                # Also on Ctrl-C: the briefs finished before it are on disk, and the manifest
                # says so (the workers are gone by now, and outputs.locked removes what they
                # left half-written).
                _record(settings, [key_of(t) for t in planned], old, done, wanted,
                        set(by_name), dataset.root)
    finally:
        if created and not any(settings.out_dir.iterdir()):
            settings.out_dir.rmdir()   # a build that wrote nothing leaves nothing, not even the folder
    release.seconds = time.perf_counter() - began
    return release


def _release(planned: list[Target], by_name: dict[str, LoadedBrief], dataset: Dataset,
             settings: Settings, progress: Any, wanted: dict, old: dict,
             selected: dict[str, Selected], done: dict[str, Done]) -> Release:
    """Skip what is unchanged, build the rest into ``done`` (filled as briefs finish, so an
    interrupted build still records what it finished)."""
    skipped = {key_of(t) for t in planned
               if _skip(old.get(key_of(t)), wanted[key_of(t)], settings)}
    todo: dict[str, list[Target]] = {}
    for t in planned:
        if key_of(t) not in skipped:
            todo.setdefault(t.brief, []).append(t)
    tasks = [Task(name, brief_targets, selected[name]) for name, brief_targets in todo.items()]
    jobs = max(1, min(settings.jobs, len(tasks)))
    if progress:
        progress.start(len(planned) - len(skipped), len(skipped), jobs)
    if tasks:
        _build(tasks, by_name, dataset, settings, jobs, progress, done)
    release = _assemble([key_of(t) for t in planned], by_name, skipped, old, done)
    release.jobs = jobs
    if progress:
        progress.finish()
    return release


def _skip(record: dict | None, inputs: dict, settings: Settings) -> bool:
    """Unchanged, and not forced; under --strict an output that had warnings is built again,
    so that they fail it now, and so is one over its limit that --allow-overlength let
    through when it is not given again."""
    if settings.force or (settings.strict and record and record.get("warnings")):
        return False
    if not settings.allow_overlength and record and record.get("allowed-overlength"):
        return False
    return manifest.unchanged(record, inputs, settings.out_dir)


def _build(tasks: list[Task], briefs: dict[str, LoadedBrief], dataset: Dataset,
           settings: Settings, jobs: int, progress: Any, results: dict[str, Done]) -> None:
    def on_done(done: Done) -> None:
        results[done.brief] = done
        if progress:
            progress.step(done)

    if jobs == 1:
        _pipelined(tasks, briefs, dataset, settings, on_done)
    else:
        _in_pool(tasks, briefs, dataset, settings, jobs, on_done)


def _make_folder(out_dir: Path) -> bool:
    """Create the output folder; True when it did not exist before."""
    if out_dir.is_dir():
        return False
    try:
        out_dir.mkdir(parents=True)
    except OSError as err:
        raise WriteError([os_problem(out_dir, err)]) from None
    return True


def os_problem(out_dir: Path, err: OSError) -> Problem:
    where = err.filename or out_dir
    return Problem(Location(display_path(where)),
                   f"cannot write the output; expected a folder briefgen can write to, "
                   f"got {err.strerror or err}")


def _assemble(keys: list[manifest.Key], briefs: dict[str, LoadedBrief], skipped: set,
              old: dict, done: dict[str, Done]) -> Release:
    rows, problems, warnings = [], [], []
    for name, fmt in keys:
        limit = limits_of(briefs[name])
        if (name, fmt) in skipped:
            rec = old[(name, fmt)]
            rows.append(Row(name, fmt, SKIPPED, rec.get("pages"), rec.get("words"), limit.words,
                            rec.get("notes"), page_limit=limit.pages))
            warnings += manifest.warnings_of(rec)     # the flaws are still in the file
        elif fmt in done[name].made:
            made = done[name].made[fmt]
            rows.append(Row(name, fmt, BUILT, made["pages"], made["words"], limit.words,
                            made["notes"], done[name].seconds[fmt], limit.pages))
        else:
            rows.append(Row(name, fmt, FAILED, limit=limit.words, page_limit=limit.pages))
    for name in sorted(done):      # plan order, whichever worker finished first
        problems += done[name].problems
        warnings += done[name].warnings
    return Release(rows, problems, sorted(set(warnings)))


def _record(settings: Settings, keys: list[manifest.Key], old: dict, done: dict[str, Done],
            wanted: dict, names: set[str], data: Path) -> None:
    """The manifest: each output built now, and every earlier one whose files are intact (the
    skipped ones, other shards' and formats', and a failed brief's last good build, which the
    next run tries again as its inputs differ). Under ``--all``, briefs now gone are dropped."""
    out_dir = settings.out_dir
    if not out_dir.is_dir():
        return
    entries = {key: rec for key, rec in old.items()
               if (key[0] in names or not settings.complete) and manifest.intact(rec, out_dir)}
    for name, fmt in keys:
        if name in done and fmt in done[name].made:
            entries[(name, fmt)] = manifest.entry(name, fmt, inputs=wanted[(name, fmt)],
                                                  **done[name].made[fmt])
    if not entries:
        return
    try:
        manifest.write(out_dir, entries, manifest.dataset_version(data))
    except OSError as err:
        raise WriteError([Problem(Location(display_path(out_dir / manifest.MANIFEST)),
                                  f"cannot write the build manifest; expected a file briefgen "
                                  f"can write, got {err.strerror or err}")]) from None
