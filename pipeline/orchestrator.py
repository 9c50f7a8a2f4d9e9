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
from .errors import BackissueError, InputMissingError, OutputError, PageError
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
        page.skew_deg = round(float(cleaned.skew_deg), 2)
        page.rotation = int(cleaned.rotation)
        page.cleanup = list(cleaned.steps)
        page.transform = [[round(float(v), 6) for v in row] for row in cleaned.transform.tolist()]
        page.steps.append(Step("cleanup", "image cleanup", {"steps": page.cleanup, "skew_deg": page.skew_deg}))
        timings["cleanup"] = time.perf_counter() - t

        t = time.perf_counter()
        engine = _engine(task.config)
        ocr_lines = engine.recognize(cleaned.image)
        page.ocr_lines = [_to_line(page.page_id, i, ol, cleaned.transform, page.width, page.height)
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
    except Exception as e:  # noqa: BLE001 - one bad page never ends the batch
        log.error("page %s (%s) failed:\n%s", task.page_id, task.source_file, traceback.format_exc())
        page = _failed(page, f"internal error while processing this page: {type(e).__name__}: {e}")
    return PageResult(page.to_dict(), timings)


def _failed(page: Page, message: str) -> Page:
    """A failed page keeps its identity and the error, nothing half-made."""
    return Page(
        page_id=page.page_id, issue_id=page.issue_id, page_no=page.page_no, source_file=page.source_file,
        source_index=page.source_index, sha256=page.sha256, width=page.width, height=page.height,
        status=PageStatus.ERROR, error=message,
    )


def _to_line(page_id: str, n: int, ol, transform, width: int, height: int) -> Line:
    """An engine line in cleaned-image pixels -> a model Line with its box in original scan pixels."""
    from .cleanup import to_original

    layout_box = Box.from_points(ol.quad)
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
    """What makes a saved page reusable: same bytes in, same version and page-shaping settings."""
    c = task.config
    shaping = {"ingest": c.ingest, "cleanup": c.cleanup, "ocr": c.ocr, "layout": c.layout}
    blob = json.dumps({"v": __version__, "sha": sha256, "idx": task.index, "cfg": repr(shaping)}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write to a temp file in the same folder, fsync, then rename: a kill never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(tmp, mode, **({} if isinstance(data, bytes) else {"encoding": "utf-8", "newline": ""})) as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class PageStore:
    """Finished pages on disk, one JSON file each, so a killed run resumes where it stopped."""

    def __init__(self, out_dir: Path):
        self.dir = out_dir / STATE_DIR / "pages"

    def _path(self, page_id: str) -> Path:
        return self.dir / f"{page_id}.json"

    def get(self, page_id: str, key: str) -> PageResult | None:
        p = self._path(page_id)
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if data.get("key") != key:
            return None
        return PageResult(data["page"], data.get("timings", {}))

    def put(self, page_id: str, key: str, result: PageResult) -> None:
        payload = {"key": key, "page": result.page, "timings": result.timings}
        atomic_write(self._path(page_id), json.dumps(payload, ensure_ascii=False, sort_keys=True))


# --------------------------------------------------------------------------- the run


@dataclass
class RunResult:
    out_dir: Path
    issues: list[Issue]
    pages_total: int
    pages_failed: int
    pages_reused: int
    timings: dict[str, float]  # seconds per stage, summed over pages processed in this run
    seconds: float

    @property
    def ok(self) -> bool:
        return self.pages_failed == 0


def run(
    scans_dir: str | Path,
    out_dir: str | Path = "output",
    config: Config | None = None,
    *,
    scheduler: str | None = None,
    fail_fast: bool = False,
    progress: bool | None = None,
) -> RunResult:
    """Turn a folder of scans into the dataset in `out_dir`. Resumes from `out_dir/.state`."""
    from . import ingest

    config = config or Config()
    scans_dir, out_dir = Path(scans_dir), Path(out_dir)
    if not scans_dir.exists():
        raise InputMissingError(f"scans folder {scans_dir} does not exist; give the folder that holds the scans")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create the output folder {out_dir}: {e}") from e
    if out_dir.resolve() == scans_dir.resolve() or scans_dir.resolve() in out_dir.resolve().parents:
        log.warning("the output folder is inside the scans folder; its files will be ignored as input")

    started = time.perf_counter()
    sources = _outside(ingest.discover(scans_dir), out_dir)
    if not sources:
        raise InputMissingError(f"no scans found in {scans_dir} (PNG, JPEG, TIFF or PDF)")
    tasks = [
        PageTask(s.issue_id, p.page_no, str(p.path), p.source_file, p.index, config) for s in sources for p in s.pages
    ]
    store = PageStore(out_dir)
    hashes: dict[str, str] = {}
    keys: dict[str, str] = {}
    results: dict[str, PageResult] = {}
    todo: list[PageTask] = []
    for t in tasks:
        if t.path not in hashes:
            try:
                hashes[t.path] = ingest.sha256_file(Path(t.path))
            except OSError:
                hashes[t.path] = ""  # unreadable: the page fails with a clear message when loaded
        keys[t.page_id] = _page_key(t, hashes[t.path])
        saved = store.get(t.page_id, keys[t.page_id]) if hashes[t.path] else None
        if saved is not None:
            results[t.page_id] = saved
        else:
            todo.append(t)
    reused = len(results)
    log.info("%d issues, %d pages (%d already done, %d to process)", len(sources), len(tasks), reused, len(todo))

    timings: dict[str, float] = defaultdict(float)

    def finished(task: PageTask, result: PageResult) -> None:
        if result.page["status"] == PageStatus.ERROR and fail_fast:
            raise PageError(f"{task.source_file}: {result.page['error']}")
        if result.page["status"] == PageStatus.ERROR:
            log.warning("page %s failed: %s", task.page_id, result.page["error"])
        else:  # failed pages are retried on the next run; done pages are reused
            store.put(task.page_id, keys[task.page_id], result)
        results[task.page_id] = result
        for k, v in result.timings.items():
            timings[k] += v

    _execute(todo, finished, config.workers, scheduler, _show_progress(progress))

    issues = assemble(sources, results, config)
    from .export import write_dataset

    manifest = build_manifest(scans_dir, config, sources, results, hashes)
    write_dataset(issues, out_dir, manifest, scans_dir=scans_dir)
    failed = sum(1 for r in results.values() if r.page["status"] == PageStatus.ERROR)
    return RunResult(out_dir, issues, len(tasks), failed, reused, dict(timings), time.perf_counter() - started)


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
    return {
        "tool": "backissue",
        "version": __version__,
        "python": sys.version.split()[0],
        "engine": engine_info,
        "available_engines": sorted(ENGINES),
        "config": config.to_dict(),
        "inputs": sorted(inputs.values(), key=lambda e: e["file"]),
    }


# --------------------------------------------------------------------------- execution


def _show_progress(progress: bool | None) -> bool:
    return sys.stderr.isatty() if progress is None else progress


def _execute(tasks: list[PageTask], finished: Callable[[PageTask, PageResult], None], workers: int,
             scheduler: str | None, progress: bool) -> None:
    """Run page tasks in this process, a local process pool, or on a Dask cluster."""
    if not tasks:
        return
    bar = _progress_bar(len(tasks), progress)
    try:
        if scheduler:
            _execute_dask(tasks, finished, scheduler, bar)
        elif workers <= 1:
            for t in tasks:
                finished(t, process_page(t))
                bar.update(1)
        else:
            _execute_pool(tasks, finished, workers, bar)
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


def _execute_pool(tasks, finished, workers, bar) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    ctx = multiprocessing.get_context("spawn")  # no forked onnxruntime state
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = {pool.submit(process_page, _worker_config(t, workers)): t for t in tasks}
        try:
            for fut in as_completed(futures):
                finished(futures[fut], fut.result())
                bar.update(1)
        except BaseException:
            for f in futures:
                f.cancel()
            raise


def _execute_dask(tasks, finished, scheduler: str, bar) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError as e:
        raise BackissueError("--scheduler needs dask.distributed: pip install 'backissue[dask]'") from e
    # Each Dask worker process loads one engine; OCR threads default to that machine's cores, so
    # deploy one worker process per machine (`dask worker ADDRESS --nworkers 1 --nthreads 1`).
    with Client(scheduler) as client:
        futures = {client.submit(process_page, t, pure=False): t for t in tasks}
        for fut in as_completed(list(futures)):
            finished(futures[fut], fut.result())
            bar.update(1)


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(total: int, show: bool):
    if not show:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="page", desc="pages", smoothing=0.1, dynamic_ncols=True)


def iter_page_ids(issues: Iterable[Issue]) -> Iterable[str]:
    for issue in issues:
        for p in issue.pages:
            yield p.page_id
