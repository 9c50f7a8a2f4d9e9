"""The order of stages, the batch, resume and workers: the only module that knows the flow.

Per page (in worker processes, resumable): ingest -> cleanup -> ocr -> layout. The finished
page is saved as JSON under `OUT/.state/pages/` keyed by the source file's sha256, the tool
version and the settings that shape a page; a re-run (after a kill or a change of scans) reuses
every page whose key still matches. Per issue and across issues (cheap, in this process):
articles -> correct -> entities -> series -> export. Because the dataset is always built from
the saved pages, a resumed run writes exactly the bytes an uninterrupted run writes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import time
import traceback
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from . import __version__
from .config import Config
from .errors import BackissueError, EngineError, InputMissingError, OutputError, PageError
from .model import Box, Issue, Line, Page, PageStatus, Step

log = logging.getLogger(__name__)

STATE_DIR = ".state"


# --------------------------------------------------------------------------- page tasks


@dataclass(frozen=True)
class PageTask:
    """Everything a worker needs to process one page; picklable (crosses process boundaries)."""

    issue_id: str
    page_no: int
    path: str
    source_file: str
    index: int
    config: Config

    @property
    def page_id(self) -> str:
        return f"{self.issue_id}_p{self.page_no:03d}"


@dataclass
class PageResult:
    page: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)
    worker: tuple[str, int] = ("", 0)  # (host, pid) that processed the page; not saved
    peak_rss_mb: float = 0.0  # that worker's peak resident memory so far; not saved


_ENGINES: dict[Any, Any] = {}


def _engine(config: Config):
    """One engine per worker process, loaded on first use and kept (models load once, not per page)."""
    from .ocr import create_engine

    key = config.ocr
    if key not in _ENGINES:
        _ENGINES.clear()
        _ENGINES[key] = create_engine(config.ocr)
    return _ENGINES[key]


def process_page(task: PageTask) -> PageResult:
    """ingest -> cleanup -> ocr -> layout for one page. A bad page becomes a Page with status
    error and a message; it never raises (the batch goes on)."""
    from . import cleanup, ingest, layout
    from .ocr import read_upright

    page = Page(
        page_id=task.page_id,
        issue_id=task.issue_id,
        page_no=task.page_no,
        source_file=task.source_file,
        source_index=task.index,
    )
    timings: dict[str, float] = {}
    try:
        t = time.perf_counter()
        src = ingest.PageSource(page_no=task.page_no, path=Path(task.path), source_file=task.source_file, index=task.index)
        loaded = ingest.load_image(src, task.config.ingest)
        page.sha256, page.width, page.height, page.dpi = loaded.sha256, loaded.width, loaded.height, loaded.dpi
        timings["ingest"] = time.perf_counter() - t

        t = time.perf_counter()
        cleaned = cleanup.clean(loaded.image, task.config.cleanup, dpi=loaded.dpi)
        timings["cleanup"] = time.perf_counter() - t

        t = time.perf_counter()
        engine = _engine(task.config)
        cleaned, ocr_lines = read_upright(engine, cleaned, task.config.cleanup.detect_rotation)
        page.skew_deg = round(float(cleaned.skew_deg), 2)
        page.rotation = int(cleaned.rotation)
        page.cleanup = list(cleaned.steps)
        page.transform = [[round(float(v), 6) for v in row] for row in cleaned.transform.tolist()]
        page.steps.append(Step("cleanup", "image cleanup", {"steps": page.cleanup, "skew_deg": page.skew_deg}))
        page.ocr_lines = [_to_line(page.page_id, i, ol, cleaned.transform, page.width, page.height,
                                   cleaned.layout_transform)
                          for i, ol in enumerate(ocr_lines, 1)]
        page.steps.append(Step("ocr", f"{engine.name}: {len(page.ocr_lines)} lines",
                               {"engine": engine.name, "models": [m.name for m in engine.models]}))
        timings["ocr"] = time.perf_counter() - t

        t = time.perf_counter()
        page = layout.analyze_page(page, task.config.layout)
        page.steps.append(Step("layout", f"{len(page.blocks)} blocks", {"direction": task.config.layout.direction}))
        timings["layout"] = time.perf_counter() - t
    except PageError as e:
        page = _failed(page, str(e))
    except EngineError:
        raise  # an unusable engine fails every page: end the run with exit code 5 instead
    except Exception as e:  # noqa: BLE001 - one bad page never ends the batch
        log.error("page %s (%s) failed:\n%s", task.page_id, task.source_file, traceback.format_exc())
        page = _failed(page, f"internal error while processing this page: {type(e).__name__}: {e}")
    return PageResult(page.to_dict(), timings, _worker_id(), _peak_rss_mb())


def _worker_id() -> tuple[str, int]:
    import socket

    return socket.gethostname(), os.getpid()


def _peak_rss_mb() -> float:
    """Peak resident memory of this process in MiB. Linux: VmHWM, which starts afresh in a spawned
    worker (getrusage's ru_maxrss survives exec and would report the parent's peak)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1 << 20 if sys.platform == "darwin" else 1 << 10), 1)


def _failed(page: Page, message: str) -> Page:
    """A failed page keeps its identity and the error, nothing half-made."""
    return Page(
        page_id=page.page_id, issue_id=page.issue_id, page_no=page.page_no, source_file=page.source_file,
        source_index=page.source_index, sha256=page.sha256, width=page.width, height=page.height,
        status=PageStatus.ERROR, error=message,
    )


def _to_line(page_id: str, n: int, ol, transform, width: int, height: int, layout_transform=None) -> Line:
    """An engine line in cleaned-image pixels -> a model Line with its box in original scan pixels
    (through `transform`) and its layout box in the deskewed frame (through `layout_transform`,
    which is not the identity when OCR read the page unresampled: `deskew_pixels=False`)."""
    from .cleanup import to_original

    quad = [tuple(p) for p in ol.quad]
    layout_box = Box.from_points(to_original(layout_transform, quad) if layout_transform is not None else quad)
    pts = to_original(transform, [tuple(p) for p in ol.quad])
    box = Box.from_points(pts)
    box = Box(  # clip to the scan: a line partly outside a cropped border still has a valid box
        min(max(box.x0, 0), width), min(max(box.y0, 0), height), min(max(box.x1, 0), width), min(max(box.y1, 0), height)
    ).rounded()
    return Line(
        line_id=f"{page_id}_o{n:03d}",
        box=box,
        layout_box=layout_box.rounded(),
        text_raw=ol.text,
        text=ol.text,
        confidence=round(float(ol.confidence), 4),
        char_confidences=[round(float(c), 4) for c in ol.char_confidences],
    )


# --------------------------------------------------------------------------- state (resume)


def _page_key(task: PageTask, sha256: str) -> str:
    """What makes a saved page reusable: the same bytes at the same place in the same issue, the
    same tool version and the same page-shaping settings. OCR threads are left out: they change
    speed, not what is read, so a resume with another --workers still reuses every page."""
    import dataclasses

    c = task.config
    shaping = {"ingest": c.ingest, "cleanup": c.cleanup, "ocr": dataclasses.replace(c.ocr, threads=0),
               "layout": c.layout}
    blob = json.dumps({"v": __version__, "sha": sha256, "idx": task.index, "file": task.source_file,
                       "page": task.page_id, "cfg": repr(shaping)}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write to a temp file in the same folder, fsync, then rename: a kill never leaves half a file."""
    from .export.files import atomic_write_bytes

    atomic_write_bytes(path, data.encode("utf-8") if isinstance(data, str) else data)


# Folders this tool writes into; a kill -9 can leave a `.NAME.XXXX.tmp` of atomic_write behind in them.
_TEMP_DIRS = ("", "issues", "alto", "review", "review/img", f"{STATE_DIR}/pages")


def remove_stale_temp_files(out_dir: Path) -> int:
    """Delete temp files that a killed run left (hidden `.*.tmp`), so a resumed run's folder holds
    exactly the files an uninterrupted run's does. Only our own folders, only that pattern."""
    n = 0
    for sub in _TEMP_DIRS:
        folder = out_dir / sub
        if not folder.is_dir():
            continue
        for p in folder.glob(".*.tmp"):
            if p.is_file():
                try:
                    p.unlink()
                    n += 1
                except OSError as e:
                    log.warning("cannot remove the stale temp file %s: %s", p, e)
    if n:
        log.info("removed %d temp file(s) left by an interrupted run", n)
    return n


class PageStore:
    """Finished pages on disk, one JSON file each, so a killed run resumes where it stopped.

    The dataset is always assembled from these files (not from what a worker just returned), so a
    resumed run and an uninterrupted one build their tables from the very same bytes, and the
    main process does not hold every page in memory while a long batch runs."""

    def __init__(self, out_dir: Path):
        self.dir = out_dir / STATE_DIR / "pages"

    def _path(self, page_id: str) -> Path:
        return self.dir / f"{page_id}.json"

    def get(self, page_id: str, key: str) -> PageResult | None:
        p = self._path(page_id)
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as e:  # damaged state is recomputed, never trusted
            log.warning("ignoring the unreadable saved page %s: %s", p, e)
            return None
        if not isinstance(data, dict) or data.get("key") != key or not isinstance(data.get("page"), dict):
            return None
        return PageResult(data["page"], data.get("timings", {}))

    def put(self, page_id: str, key: str, result: PageResult) -> None:
        payload = {"key": key, "page": result.page, "timings": result.timings}
        atomic_write(self._path(page_id), json.dumps(payload, ensure_ascii=False, sort_keys=True))


class RunLock:
    """One run per output folder: two runs writing the same tables would interleave files.
    An OS file lock, so a killed run (kill -9 included) never leaves a stale lock behind."""

    def __init__(self, out_dir: Path):
        self.path = out_dir / STATE_DIR / "lock"
        self._fh: Any = None

    def __enter__(self) -> RunLock:
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks; document one run per folder
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "a+")
        try:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._fh.close()
            self._fh = None
            raise OutputError(
                f"another backissue run is writing to {self.path.parent.parent}; wait for it to finish "
                "or give a different --out"
            ) from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fh is not None:
            self._fh.close()  # closing releases the lock
            self._fh = None


# --------------------------------------------------------------------------- input changes


@dataclass
class InputChanges:
    """How the scans differ from the ones the last finished run recorded in manifest.json."""

    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def compare_inputs(out_dir: Path, current: dict[str, str]) -> InputChanges:
    """Compare {source_file: sha256} with the inputs of the previous manifest.json (if any)."""
    try:
        previous = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
        before = {e["file"]: e.get("sha256", "") for e in previous.get("inputs", [])}
    except FileNotFoundError:  # first run into this folder: nothing to compare with
        return InputChanges()
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        log.warning("cannot read the previous manifest.json (%s); every scan is checked by its hash anyway", e)
        return InputChanges()
    ch = InputChanges(
        new=sorted(f for f in current if f not in before),
        changed=sorted(f for f in current if f in before and before[f] != current[f]),
        removed=sorted(f for f in before if f not in current),
    )
    for what, files in (("new", ch.new), ("changed", ch.changed), ("removed", ch.removed)):
        if files:
            log.info("%d %s scan(s) since the last run: %s%s", len(files), what, ", ".join(files[:5]),
                     " ..." if len(files) > 5 else "")
    return ch


# --------------------------------------------------------------------------- the run


@dataclass
class RunResult:
    out_dir: Path
    issues: list[Issue]
    pages_total: int
    pages_failed: int
    pages_reused: int
    timings: dict[str, float]  # seconds per stage, summed over pages processed in this run (+ assemble, export)
    seconds: float
    inputs: InputChanges = field(default_factory=InputChanges)  # scans new/changed/removed since the last run
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (page_id, source_file, error)
    worker_peak_rss_mb: dict[str, float] = field(default_factory=dict)  # "host:pid" -> peak RSS (MiB)

    @property
    def ok(self) -> bool:
        return self.pages_failed == 0

    @property
    def pages_processed(self) -> int:
        return self.pages_total - self.pages_reused


def run(
    scans_dir: str | Path,
    out_dir: str | Path = "output",
    config: Config | None = None,
    *,
    scheduler: str | None = None,
    fail_fast: bool = False,
    progress: bool | None = None,
) -> RunResult:
    """Turn a folder of scans into the dataset in `out_dir`. Resumes from `out_dir/.state`:
    pages whose scan, place and settings are unchanged are reused, the rest are processed."""
    from . import ingest
    from .ocr import ENGINES

    config = config or Config()
    scans_dir, out_dir = Path(scans_dir), Path(out_dir)
    if not scans_dir.is_dir():
        raise InputMissingError(f"scans folder {scans_dir} does not exist; give the folder that holds the scans")
    if config.ocr.engine not in ENGINES:
        raise EngineError(f"unknown OCR engine {config.ocr.engine!r}; choose one of: {', '.join(sorted(ENGINES))}")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / STATE_DIR
        probe.mkdir(exist_ok=True)
        if not os.access(probe, os.W_OK | os.X_OK):
            raise PermissionError(f"no write permission on {probe}")
    except OSError as e:
        raise OutputError(f"cannot write to the output folder {out_dir}: {e}") from e
    if out_dir.resolve() == scans_dir.resolve() or scans_dir.resolve() in out_dir.resolve().parents:
        log.warning("the output folder is inside the scans folder; its files will be ignored as input")

    with RunLock(out_dir):
        return _run_locked(ingest, scans_dir, out_dir, config, scheduler, fail_fast, progress)


def _run_locked(ingest, scans_dir: Path, out_dir: Path, config: Config, scheduler: str | None,
                fail_fast: bool, progress: bool | None) -> RunResult:
    started = time.perf_counter()
    remove_stale_temp_files(out_dir)
    sources = _outside(ingest.discover(scans_dir), out_dir)
    if not sources:
        raise InputMissingError(f"no scans found in {scans_dir} (PNG, JPEG, TIFF or PDF)")
    tasks = [
        PageTask(s.issue_id, p.page_no, str(p.path), p.source_file, p.index, config) for s in sources for p in s.pages
    ]
    store = PageStore(out_dir)
    hashes: dict[str, str] = {}
    keys: dict[str, str] = {}
    done: set[str] = set()  # page ids whose finished page is in the store
    failed: dict[str, PageResult] = {}  # failed pages stay in memory: they are retried on every run
    todo: list[PageTask] = []
    for t in tasks:
        if t.path not in hashes:
            try:
                hashes[t.path] = ingest.sha256_file(Path(t.path))
            except OSError:
                hashes[t.path] = ""  # unreadable: the page fails with a clear message when loaded
        keys[t.page_id] = _page_key(t, hashes[t.path])
        if hashes[t.path] and store.get(t.page_id, keys[t.page_id]) is not None:
            done.add(t.page_id)
        else:
            todo.append(t)
    reused = len(done)
    changes = compare_inputs(out_dir, {t.source_file: hashes[t.path] for t in tasks})
    log.info("%d issues, %d pages (%d already done, %d to process)", len(sources), len(tasks), reused, len(todo))

    timings: dict[str, float] = defaultdict(float)
    peaks: dict[str, float] = {}

    def finished(task: PageTask, result: PageResult) -> None:
        if result.worker[1]:
            wid = f"{result.worker[0]}:{result.worker[1]}"
            peaks[wid] = max(peaks.get(wid, 0.0), result.peak_rss_mb)
        if result.page["status"] == PageStatus.ERROR:
            if fail_fast:
                raise PageError(f"{task.source_file}: {result.page['error']}")
            log.warning("page %s failed: %s", task.page_id, result.page["error"])
            failed[task.page_id] = result
        else:  # failed pages are retried on the next run; done pages are reused
            store.put(task.page_id, keys[task.page_id], result)
            done.add(task.page_id)
        for k, v in result.timings.items():
            timings[k] += v

    _execute(todo, finished, config.workers, scheduler, _show_progress(progress))

    t0 = time.perf_counter()
    results = _load_results(tasks, store, keys, failed)
    issues = assemble(sources, results, config)
    timings["assemble"] += time.perf_counter() - t0
    t0 = time.perf_counter()
    from .export import write_dataset

    manifest = build_manifest(scans_dir, config, sources, results, hashes)
    write_dataset(issues, out_dir, manifest, scans_dir=scans_dir)
    timings["export"] += time.perf_counter() - t0
    bad = [(pid, r.page["source_file"], r.page["error"]) for pid, r in results.items()
           if r.page["status"] == PageStatus.ERROR]
    return RunResult(out_dir, issues, len(tasks), len(bad), reused, dict(timings), time.perf_counter() - started,
                     changes, bad, peaks)


def _load_results(tasks: list[PageTask], store: PageStore, keys: dict[str, str],
                  failed: dict[str, PageResult]) -> dict[str, PageResult]:
    """Every page of the run, finished ones read back from the store (see PageStore)."""
    results: dict[str, PageResult] = {}
    for t in tasks:
        r = failed.get(t.page_id) or store.get(t.page_id, keys[t.page_id])
        if r is None:  # the state file vanished mid-run (disk trouble): say so rather than crash
            r = PageResult(_failed(Page(page_id=t.page_id, issue_id=t.issue_id, page_no=t.page_no,
                                        source_file=t.source_file, source_index=t.index),
                                   "the finished page could not be read back from the resume state; run again").to_dict())
        results[t.page_id] = r
    return results


def _outside(sources, out_dir: Path):
    """Drop inputs that live inside the output folder (review images, when OUT is inside SCANS)."""
    out = out_dir.resolve()
    kept = []
    for s in sources:
        pages = [p for p in s.pages if out not in Path(p.path).resolve().parents]
        if pages:
            kept.append(s if len(pages) == len(s.pages) else type(s)(s.issue_id, s.source, pages))
    return kept


def assemble(sources, results: dict[str, PageResult], config: Config) -> list[Issue]:
    """Per-issue and cross-issue stages over finished pages: articles, correct, entities, series."""
    from . import correct, entities, layout, series

    issues = []
    for s in sources:
        issue = Issue(issue_id=s.issue_id, source=s.source)
        issue.pages = [Page.from_dict(results[f"{s.issue_id}_p{p.page_no:03d}"].page) for p in s.pages]
        issue = layout.build_articles(issue)
        issues.append(issue)
    lexicon = series.learn_lexicon(issues)
    for i, issue in enumerate(issues):
        issue = correct.correct_issue(issue, config.correct, lexicon)
        if config.entities.enabled:
            issue = entities.tag_issue(issue, config.entities)
        issues[i] = issue
    return series.reconcile(issues)


def build_manifest(scans_dir: Path, config: Config, sources, results, hashes) -> dict[str, Any]:
    """Provenance for the whole run: tool, engine and model hashes, config, every input and its status."""
    from .ocr import ENGINES

    engine_info: dict[str, Any] = {"name": config.ocr.engine}
    try:
        engine_info = _engine(config).describe()
        for m in engine_info.get("models", []):
            m.pop("path", None)  # machine-specific; name + sha256 identify the model
        # threads depend on the machine and --workers, not on what was read: keep them out so that
        # the same scans give the same manifest on any machine
        engine_info["settings"] = {k: v for k, v in engine_info.get("settings", {}).items() if "thread" not in k}
    except BackissueError as e:
        engine_info["error"] = str(e)
    inputs: dict[str, dict[str, Any]] = {}
    for s in sources:
        for p in s.pages:
            r = results[f"{s.issue_id}_p{p.page_no:03d}"].page
            entry = inputs.setdefault(p.source_file, {"file": p.source_file, "sha256": hashes.get(str(p.path), ""),
                                                     "issue_id": s.issue_id, "pages": 0, "status": "ok", "errors": []})
            entry["pages"] += 1
            if r["status"] == PageStatus.ERROR:
                entry["status"] = "error"
                entry["errors"].append(r["error"])
    cfg = config.to_dict()
    cfg.pop("workers", None)  # how the run was spread, not what it computed
    cfg["ocr"].pop("threads", None)
    return {
        "tool": "backissue",
        "version": __version__,
        "python": sys.version.split()[0],
        "engine": engine_info,
        "available_engines": sorted(ENGINES),
        "config": cfg,
        "inputs": sorted(inputs.values(), key=lambda e: e["file"]),
    }


# --------------------------------------------------------------------------- execution

# A worker process is replaced after this many pages: onnxruntime's memory arena and the decoders'
# caches grow with the largest page seen, and a fresh process (models reloaded, ~1 s) keeps a
# 10,000-page batch's memory flat at the cost of well under 1 %.
MAX_PAGES_PER_WORKER = 200

CRASH_MESSAGE = ("the worker process died while processing this page (out of memory, or a crash in an image "
                 "decoder or the OCR engine); the file may be damaged or too large for this machine")


def _show_progress(progress: bool | None) -> bool:
    return sys.stderr.isatty() if progress is None else progress


def _execute(tasks: list[PageTask], finished: Callable[[PageTask, PageResult], None], workers: int,
             scheduler: str | None, progress: bool) -> None:
    """Run page tasks in this process, a local process pool, or on a Dask cluster."""
    if not tasks:
        return
    bar = Progress(len(tasks), progress)

    def done(task: PageTask, result: PageResult) -> None:
        finished(task, result)
        bar.update(result.page["status"] == PageStatus.ERROR)

    try:
        if scheduler:
            _execute_dask(tasks, done, scheduler)
        elif workers <= 1:
            for t in tasks:
                done(t, process_page(t))
        else:
            _execute_pool(tasks, done, workers)
    finally:
        bar.close()


def _worker_config(task: PageTask, workers: int) -> PageTask:
    """Give each worker its share of the cores (onnxruntime would otherwise oversubscribe)."""
    import dataclasses

    if task.config.ocr.threads:
        return task
    threads = max(1, (os.cpu_count() or 1) // workers)
    cfg = task.config.replace(ocr={"threads": threads})
    return dataclasses.replace(task, config=cfg)


def _crashed(task: PageTask) -> PageResult:
    page = Page(page_id=task.page_id, issue_id=task.issue_id, page_no=task.page_no, source_file=task.source_file,
                source_index=task.index)
    return PageResult(_failed(page, CRASH_MESSAGE).to_dict())


def _execute_pool(tasks: list[PageTask], finished: Callable[[PageTask, PageResult], None], workers: int,
                  fn: Callable[[PageTask], PageResult] = process_page) -> None:
    """A spawn process pool with exactly `workers` pages in flight.

    Why so few in flight: when a worker dies (a decoder segfault, the OOM killer) the pool breaks
    and every page in flight is lost; with only the running pages in flight, those are the only
    suspects. Each suspect is then retried alone, so a page that kills its worker again is
    recorded as failed and an innocent neighbour is not. A poison page never stops the batch."""
    import multiprocessing
    from collections import deque
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    ctx = multiprocessing.get_context("spawn")  # no forked onnxruntime state
    pending = deque(_worker_config(t, workers) for t in tasks)
    suspects: deque[PageTask] = deque()
    succeeded, solo_crashes = False, 0
    while pending or suspects:
        alone = bool(suspects)
        pool = ProcessPoolExecutor(max_workers=1 if alone else workers, mp_context=ctx,
                                   max_tasks_per_child=MAX_PAGES_PER_WORKER)
        inflight: dict[Any, PageTask] = {}
        broken = False
        try:
            while not broken:
                queue = suspects if alone else pending
                while queue and len(inflight) < (1 if alone else workers):
                    t = queue.popleft()
                    inflight[pool.submit(fn, t)] = t
                if not inflight:
                    break
                ready, _ = wait(inflight, return_when=FIRST_COMPLETED)
                for fut in ready:
                    t = inflight.pop(fut)
                    try:
                        result = fut.result()
                    except BrokenProcessPool:
                        broken = True
                        inflight[fut] = t  # still a suspect
                        continue
                    succeeded = True
                    finished(t, result)
                if broken:
                    lost = list(inflight.values())
                    inflight.clear()
                    if alone:
                        log.error("page %s (%s) killed its worker process twice", lost[0].page_id,
                                  lost[0].source_file)
                        solo_crashes += 1
                        if not succeeded and solo_crashes >= 3:  # the workers cannot run at all
                            raise BackissueError(
                                "worker processes die before finishing any page; run with --workers 1 -v "
                                "to see why (a broken install, or too little memory for the OCR models)"
                            )
                        for t in lost:
                            finished(t, _crashed(t))
                    else:
                        log.warning("a worker process died; retrying its %d page(s) one at a time", len(lost))
                        suspects.extend(lost)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=not broken, cancel_futures=True)
        if not alone and not broken:
            break


def _execute_dask(tasks: list[PageTask], finished: Callable[[PageTask, PageResult], None], scheduler: str) -> None:
    """The same page tasks on a Dask cluster. The scans folder must be at the same path on every
    worker (a shared file system), and every worker needs backissue installed (docs/BATCH.md)."""
    try:
        from distributed import Client, as_completed
    except ImportError as e:
        raise BackissueError("--scheduler needs dask.distributed: pip install 'backissue[dask]'") from e
    # Each Dask worker process loads one engine; OCR threads default to that machine's cores, so
    # deploy one worker process per machine (`dask worker ADDRESS --nworkers 1 --nthreads 1`).
    try:
        client = Client(scheduler, timeout="30s")
    except (OSError, TimeoutError) as e:
        raise BackissueError(f"cannot reach the Dask scheduler at {scheduler}: {e}") from e
    with client:
        slots = max(1, sum(client.nthreads().values()))
        window = 2 * slots  # a bounded window: results are fetched and released as they finish
        it = iter(tasks)
        futures: dict[Any, PageTask] = {}

        def submit() -> Any:
            t = next(it, None)
            if t is None:
                return None
            # pure=False: a resubmitted page must run again, not come from the cluster's cache
            f = client.submit(process_page, t, pure=False)
            futures[f] = t
            return f

        ac = as_completed([f for f in (submit() for _ in range(window)) if f is not None])
        for fut in ac:
            t = futures.pop(fut)
            try:
                result = fut.result()
            except EngineError:
                raise
            except Exception as e:  # noqa: BLE001 - KilledWorker and friends: this page, not the batch
                log.error("page %s failed on the cluster: %s: %s", t.page_id, type(e).__name__, e)
                result = _crashed(t) if type(e).__name__ == "KilledWorker" else PageResult(_failed(
                    Page(page_id=t.page_id, issue_id=t.issue_id, page_no=t.page_no, source_file=t.source_file,
                         source_index=t.index), f"the cluster could not process this page: {type(e).__name__}: {e}",
                ).to_dict())
            fut.release()
            finished(t, result)
            nxt = submit()
            if nxt is not None:
                ac.add(nxt)


class Progress:
    """A progress line with pages per minute and an ETA; silent when not shown (not a terminal).

    tqdm draws it; the rate is given per minute because a page takes seconds, and tqdm's own
    per-second rate would read 0.3 page/s, which nobody plans a day with."""

    def __init__(self, total: int, show: bool):
        self.total = total
        self.failed = 0
        self.started = time.monotonic()
        self._bar: Any = None
        if show:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="page", desc="pages", smoothing=0.1, dynamic_ncols=True,
                             bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} "
                                        "[{elapsed}<{remaining}{postfix}]")

    def pages_per_minute(self, done: int) -> float:
        elapsed = time.monotonic() - self.started
        return 60.0 * done / elapsed if elapsed > 0 else 0.0

    def update(self, failed: bool = False) -> None:
        self.failed += int(failed)
        if self._bar is None:
            return
        self._bar.update(1)
        extra = f", {self.failed} failed" if self.failed else ""
        self._bar.set_postfix_str(f"{self.pages_per_minute(self._bar.n):.1f} pages/min{extra}", refresh=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def iter_page_ids(issues: Iterable[Issue]) -> Iterable[str]:
    for issue in issues:
        for p in issue.pages:
            yield p.page_id
