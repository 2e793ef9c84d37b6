"""Serve a crowd: views per second and view times of Home and a task page with 10 sessions at once,
against a bare one-file Streamlit app (bench.cold_start.BARE_APP: one 10-row `st.dataframe`).

Browserless, because twenty Chromium renderers saturate two cores and measure the browsers
(tests/e2e/test_load.py): each session speaks Streamlit's own websocket protocol, so the figures
are the server's. A session GETs `/` and then `/_stcore/health`, whose answer (not the page's, in
Streamlit 1.67) sets the `_streamlit_xsrf` cookie; opens `/_stcore/stream` with that cookie's
value as the second subprotocol; and makes a view by sending a `BackMsg` `rerun_script`
(page_name = the page's url_path, "" for the default page) and reading `ForwardMsg`s until
`script_finished`. The same message again is a rerun, as a click causes. Like a browser, it sends
the hashes of the large messages it already holds (`cached_message_hashes`), so the server sends
a reference instead of the message again.

A page's self-updating fragments (`st.fragment(run_every=)`) rerun on timers the browser keeps:
`Session.stay` keeps a page open and reruns them as a tab does (bench.requests_per_view).

Both servers are `streamlit run` with the same flags and `.streamlit/config.toml`; ours is
`app.py` against a seeded local backend, with sign-in configured as `make run` and a Space have
it (bench.fixtures.app_env). Both run from this venv, so both serve on uvloop (requirements.txt)
with TCP_NODELAY on their connections: on asyncio's loop, Streamlit 1.67's listening socket
leaves Nagle on, and a view whose messages leave in several writes waits about 40 ms for the
client's delayed ACK, which bounds a light page's views/s. `--bare-on-asyncio` serves the bare app
that way, as a plain `pip install streamlit` does (and as when the goal was set).

A measurement: N sessions connect and make one warm-up view each, then all make K views back to
back at once; p50 and p95 of the N*K view times (BackMsg sent to `script_finished` received),
views/s = N*K / wall time of that phase.
Measurements go in turns (ours on the first page, bare, ours on the next page, bare, ...), R
rounds; each page's ratios are to the bare run right after it, medians over the rounds.
Goal: ours at least 0.75x the bare app's views/s and a p95 at most 2x the bare app's. Each line
also gives the server's CPU time per view (all threads, /proc/<pid>/stat: about 1 s per second
means the crowd is bound by the one core Python's GIL allows) and the 1-minute load average,
which counts this benchmark's own processes (up to about 2).

`--rss` then makes 1,000 views of /jets through two sessions and prints the server's VmRSS
every 100 views: with `runner.postScriptGC = false` and the heap frozen after app.py's warm-up,
does memory stay flat? `--profile DIR` then records the server with py-spy for 20 s per page
under the crowd (raw files in DIR) and prints the largest shares of samples in the script threads
and the main thread, idle waits left out: by function (self), by package, and our functions
(total), so we know what is left to make cheaper. py-spy counts a thread waiting to take the GIL
back as active; `--profile-gil` keeps only the GIL holder's samples, which leaves out C code that
runs without it.

    .venv/bin/python -m bench.crowd [--sessions 10] [--views 30] [--rounds 5] [--pages home,jets]
        [--bare-on-asyncio] [--rss] [--profile DIR [--profile-gil]]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin, Subprotocol

from bench import fixtures
from bench.cold_start import BARE_APP, ENTRY
from tests.servers import ServerProcess, free_port

ROOT = fixtures.ROOT
#: The page name that stands for the default page, opened at the root (page_name "").
HOME = "home"
MIN_RATE_RATIO = 0.75
MAX_P95_RATIO = 2.0
XSRF_COOKIE = "_streamlit_xsrf"
VIEW_TIMEOUT_S = 120.0
#: py-spy on the PATH, else where `pip install --target /tmp/pyspy py-spy` puts it.
PY_SPY = shutil.which("py-spy") or str(Path(tempfile.gettempdir(), "pyspy", "bin", "py-spy"))


#: How a run may end well: the whole script, or one fragment of it.
FINISHED = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)


class ViewFailed(RuntimeError):
    """A view ended in an exception, a "page not found" or a run that did not finish."""


def _cookie(answer: httpx.Response, name: str) -> str:
    """A cookie's raw value from Set-Cookie (the XSRF token holds `|`, which must reach the server as is)."""
    for header in answer.headers.get_list("set-cookie"):
        key, _, rest = header.partition("=")
        if key.strip() == name:
            return rest.split(";", 1)[0]
    raise RuntimeError(f"{answer.url} set no {name} cookie")


@dataclass
class Session:
    """One browserless visitor: a websocket to the server and the messages it holds, as a tab does."""

    base_url: str
    ws: ClientConnection
    cached: set[str] = field(default_factory=set)
    received_bytes: int = 0
    #: The page's fragments that rerun by themselves (`st.fragment(run_every=)`) and their
    #: intervals: the browser, not the server, keeps their timers.
    auto_reruns: dict[str, float] = field(default_factory=dict)

    @classmethod
    async def open(cls, base_url: str, http: httpx.AsyncClient) -> Session:
        """What the browser does before the websocket: load `/`, then `/_stcore/health`, whose answer
        (not the page's, in Streamlit 1.67) sets the XSRF cookie."""
        (await http.get(f"{base_url}/")).raise_for_status()
        health = await http.get(f"{base_url}/_stcore/health")
        health.raise_for_status()
        xsrf = _cookie(health, XSRF_COOKIE)
        ws = await connect(
            base_url.replace("http://", "ws://", 1) + "/_stcore/stream",
            subprotocols=[Subprotocol("streamlit"), Subprotocol(xsrf)],
            additional_headers={"Cookie": f"{XSRF_COOKIE}={xsrf}"},
            origin=Origin(base_url),
            max_size=None,
            proxy=None,
        )
        return cls(base_url, ws)

    async def view(self, page: str, fragment_id: str = "") -> float:
        """One run of `page` (a url_path; HOME is the root), or of one of its fragments on its
        timer: seconds from the BackMsg to `script_finished`."""
        page_name = "" if page == HOME else page
        msg = BackMsg()
        rerun = msg.rerun_script
        rerun.page_name = page_name
        rerun.fragment_id = fragment_id
        rerun.is_auto_rerun = bool(fragment_id)
        rerun.query_string = ""
        rerun.cached_message_hashes.extend(sorted(self.cached))
        rerun.context_info.url = f"{self.base_url}/{page_name}"
        rerun.context_info.timezone = "UTC"
        rerun.context_info.locale = "en-US"
        started = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        problem = ""
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), VIEW_TIMEOUT_S)
            assert isinstance(raw, bytes), "Streamlit sends binary frames only"
            self.received_bytes += len(raw)
            fwd = ForwardMsg.FromString(raw)
            kind = fwd.WhichOneof("type")
            if fwd.metadata.cacheable:
                self.cached.add(fwd.hash)
            if kind == "script_finished":
                elapsed = time.perf_counter() - started
                if fwd.script_finished not in FINISHED:
                    problem = problem or f"run ended with status {fwd.script_finished}"
                if problem:
                    raise ViewFailed(f"/{page_name}: {problem}")
                return elapsed
            if kind == "auto_rerun":
                self.auto_reruns[fwd.auto_rerun.fragment_id] = fwd.auto_rerun.interval
            elif kind == "page_not_found":
                problem = problem or "page not found"
            elif kind == "delta" and fwd.delta.new_element.WhichOneof("type") == "exception":
                problem = problem or f"exception: {fwd.delta.new_element.exception.message}"

    async def stay(self, page: str, seconds: float) -> int:
        """Keep `page` open for `seconds` after a view of it, as an open tab does: each fragment
        that reruns by itself is rerun on its timer. Returns how many fragment runs were made."""
        start = time.monotonic()
        due = dict.fromkeys(self.auto_reruns, start)
        runs = 0
        while due:
            fragment_id, at = min(due.items(), key=lambda item: item[1])
            at += self.auto_reruns[fragment_id]
            if at > start + seconds:
                return runs
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            await self.view(page, fragment_id)
            due[fragment_id], runs = at, runs + 1
        return runs

    async def close(self) -> None:
        await self.ws.close()


@dataclass(frozen=True)
class Measurement:
    """N sessions x K views of one page on one server."""

    label: str
    times: list[float]
    wall_s: float
    kb_per_view: float
    #: CPU time per view: the server process's (all threads), and this client's.
    server_cpu_ms: float
    client_cpu_ms: float
    load: float

    @property
    def rate(self) -> float:
        return len(self.times) / self.wall_s

    @property
    def p50(self) -> float:
        return fixtures.percentile(self.times, 50)

    @property
    def p95(self) -> float:
        return fixtures.percentile(self.times, 95)


async def _open_sessions(base_url: str, n: int) -> list[Session]:
    async with httpx.AsyncClient(trust_env=False, timeout=30) as http:
        return list(await asyncio.gather(*(Session.open(base_url, http) for _ in range(n))))


def cpu_s(pid: int) -> float:
    """CPU seconds a process has used so far, all threads (utime + stime, /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _views(session: Session, page: str, k: int) -> list[float]:
    return [await session.view(page) for _ in range(k)]


async def crowd(label: str, server: ServerProcess, page: str, n: int, k: int) -> Measurement:
    """N fresh sessions, one warm-up view each, then K views each, all at once; only those timed."""
    assert server.pid is not None
    sessions = await _open_sessions(_base_url(server), n)
    try:
        await asyncio.gather(*(s.view(page) for s in sessions))
        warm_bytes = sum(s.received_bytes for s in sessions)
        server_cpu, client_cpu = cpu_s(server.pid), time.process_time()
        started = time.perf_counter()
        per_session = await asyncio.gather(*(_views(s, page, k) for s in sessions))
        wall = time.perf_counter() - started
        server_cpu, client_cpu = cpu_s(server.pid) - server_cpu, time.process_time() - client_cpu
    finally:
        await asyncio.gather(*(s.close() for s in sessions))
    views = n * k
    kb = (sum(s.received_bytes for s in sessions) - warm_bytes) / 1000 / views
    times = [t for ts in per_session for t in ts]
    return Measurement(label, times, wall, kb, 1000 * server_cpu / views, 1000 * client_cpu / views, os.getloadavg()[0])


def _streamlit(cwd: Path, entry: str, env: dict[str, str], log_path: Path) -> ServerProcess:
    """`streamlit run entry` on a free port, with bench.cold_start's flags."""
    port = free_port()
    return ServerProcess(
        name=f"streamlit run {entry}",
        command=[sys.executable, "-m", "streamlit", "run", entry, "--server.port", str(port),
                 "--server.address", "localhost", "--server.headless", "true",
                 "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        health_url=f"http://localhost:{port}/_stcore/health",
        cwd=cwd,
        env=env,
        log_path=log_path,
    )  # fmt: skip


def _base_url(server: ServerProcess) -> str:
    return server.health_url.removesuffix("/_stcore/health")


@contextmanager
def servers(tmp: Path, bare_on_asyncio: bool = False) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Ours (app.py on a seeded local backend) and the bare app, both running until the block ends.
    `bare_on_asyncio`: the bare app's process cannot import uvloop, as with `pip install streamlit`."""
    bare_dir = tmp / "bare"
    shutil.copytree(ROOT / ".streamlit", bare_dir / ".streamlit")  # same settings, postScriptGC included
    (bare_dir / "bare.py").write_text(BARE_APP)
    db, truth = tmp / "db.sqlite3", tmp / "truth"
    fixtures.seed(db, truth)
    with fixtures.serving(db, truth) as backend:
        env = fixtures.app_env(backend)
        ours = _streamlit(ROOT, ENTRY, env, tmp / "ours.log")
        bare_env = env
        if bare_on_asyncio:  # an importable uvloop that raises as a missing one does
            (tmp / "no_uvloop").mkdir()
            (tmp / "no_uvloop" / "uvloop.py").write_text('raise ModuleNotFoundError("left out")\n')
            bare_env = {**env, "PYTHONPATH": str(tmp / "no_uvloop")}
        bare = _streamlit(bare_dir, "bare.py", bare_env, tmp / "bare.log")
        ours.start()
        try:
            bare.start()
            try:
                yield ours, bare
            finally:
                bare.stop()
        finally:
            ours.stop()


def _line(m: Measurement) -> str:
    return (
        f"{m.label:>6}: {m.rate:5.1f} views/s, p50 {m.p50 * 1000:5.0f} ms, p95 {m.p95 * 1000:5.0f} ms,"
        f" server CPU {m.server_cpu_ms:5.1f} ms/view, client CPU {m.client_cpu_ms:4.1f} ms/view,"
        f" {m.kb_per_view:5.1f} kB/view (load {m.load:.2f})"
    )


Pairs = dict[str, list[tuple[Measurement, Measurement]]]


async def run_rounds(ours: ServerProcess, bare: ServerProcess, pages: list[str], args: argparse.Namespace) -> Pairs:
    """Ours on each page, each followed by the bare app, R times: (ours, bare) pairs per page."""
    n, k = args.sessions, args.views
    pairs: Pairs = {page: [] for page in pages}
    for r in range(args.rounds):
        print(f"round {r + 1}/{args.rounds}", flush=True)
        for page in pages:
            mine = await crowd(page, ours, page, n, k)
            print("  " + _line(mine), flush=True)
            theirs = await crowd("bare", bare, HOME, n, k)
            print("  " + _line(theirs), flush=True)
            pairs[page].append((mine, theirs))
    return pairs


def report(pairs: Pairs, n: int, k: int) -> None:
    """The table: view times pooled over the rounds; views/s, CPU and ratios medians of the rounds."""
    rounds = len(next(iter(pairs.values())))
    print(
        f"\n{n} sessions at once, {k} views each after a warm-up view, {rounds} rounds in turns;"
        " p50/p95 over all rounds' views; views/s, CPU/view and ratios: medians of the rounds"
    )
    print(
        f"{'page':>6} | {'p50':>7} | {'p95':>7} | {'views/s':>7} | {'server CPU':>13} | {'kB/view':>7} |"
        f" {'views/s vs bare':>15} | {'p95 vs bare':>11} | load (1 min)"
    )
    for page, ps in pairs.items():
        rate_ratio = statistics.median(m.rate / b.rate for m, b in ps)
        p95_ratio = statistics.median(m.p95 / b.p95 for m, b in ps)
        for name, ms in ((f"/{'' if page == HOME else page}", [m for m, _ in ps]), ("bare", [b for _, b in ps])):
            times = [t for m in ms for t in m.times]
            p50, p95 = (fixtures.percentile(times, q) * 1000 for q in (50, 95))
            rate = statistics.median(m.rate for m in ms)
            cpu = statistics.median(m.server_cpu_ms for m in ms)
            kb = statistics.median(m.kb_per_view for m in ms)
            ratios = f"{rate_ratio:14.2f}x | {p95_ratio:10.2f}x" if name != "bare" else f"{'':>15} | {'':>11}"
            loads = f"{min(m.load for m in ms):.2f}-{max(m.load for m in ms):.2f}"
            times_ms = f"{p50:4.0f} ms | {p95:4.0f} ms"
            print(f"{name:>6} | {times_ms} | {rate:7.1f} | {cpu:5.1f} ms/view | {kb:7.1f} | {ratios} | {loads}")
        verdict = "met" if rate_ratio >= MIN_RATE_RATIO and p95_ratio <= MAX_P95_RATIO else "NOT met"
        print(f"{'':>6}   goal (views/s >= {MIN_RATE_RATIO}x bare, p95 <= {MAX_P95_RATIO:.0f}x bare): {verdict}")


def vm_rss_mb(pid: int) -> float:
    """The process's resident memory now (VmRSS, /proc/<pid>/status), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


async def rss_series(server: ServerProcess, page: str, views: int, n: int, every: int) -> None:
    """`views` views of `page` through `n` sessions, and the server's VmRSS every `every` views."""
    pid = server.pid
    assert pid is not None
    sessions = await _open_sessions(_base_url(server), n)
    done = 0
    started = time.perf_counter()
    print(f"\nserver RSS over {views} views of /{page} through {n} sessions")
    print(f"  {0:>5} views: {vm_rss_mb(pid):6.1f} MB (load {os.getloadavg()[0]:.2f})", flush=True)

    async def worker(session: Session, share: int) -> None:
        nonlocal done
        for _ in range(share):
            await session.view(page)
            done += 1
            if done % every == 0:
                rate = done / (time.perf_counter() - started)
                load = os.getloadavg()[0]
                print(f"  {done:>5} views: {vm_rss_mb(pid):6.1f} MB ({rate:.1f} views/s, load {load:.2f})", flush=True)

    try:
        await asyncio.gather(*(worker(s, views // n + (i < views % n)) for i, s in enumerate(sessions)))
    finally:
        await asyncio.gather(*(s.close() for s in sessions))


#: A py-spy raw line: "thread (<tid>): <name>;root frame;...;leaf frame <count>" (with --threads).
_RAW_LINE = re.compile(r"^(?P<stack>.*) (?P<count>\d+)$")
#: Leaf frames that are waits py-spy still counts as active (its idle test is the OS thread state at the
#: sample; a wait inside C, such as time.sleep, shows as the Python frame that called it).
_WAITS = re.compile(
    r"^(\S+\.)?(wait|_wait_for_tstate_lock|select|acquire|sleep) \(|^Queue\.get \("
    r"|^PollingPathWatcher\._schedule\.<locals>\.task \(|^_worker \(concurrent/"
)
_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


def _thread_group(root: str) -> str:
    if "ScriptRunner" in root:
        return "script threads"
    if "MainThread" in root:
        return "main thread"
    return "other threads"


def _function(frame: str) -> tuple[str, str]:
    """A frame as (function, file), the line number dropped: one entry per function."""
    match = _FRAME.match(frame)
    return (match["func"], match["file"]) if match else (frame, "")


def _package(file: str) -> str:
    """Who owns the code: "ours" (a file of this repository; py-spy names files relative to their
    sys.path entry, and pages/ is one), else the top-level package or module."""
    if (ROOT / file).is_file() or (ROOT / "pages" / file).is_file():
        return "ours"
    return file.split("/", 1)[0].removesuffix(".py")


def summarise_profile(raw: Path, top: int) -> None:
    """Top entries by share of on-CPU samples per thread group: functions by self samples (where the time
    goes), owners by self samples, and our own functions by total samples (which of our calls to make
    cheaper)."""
    samples: collections.Counter[str] = collections.Counter()
    by_self: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    by_owner: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    ours_total: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for line in raw.read_text().splitlines():
        match = _RAW_LINE.match(line)
        if not match:
            continue
        root, *frames = match["stack"].split(";")
        if not frames or _WAITS.match(frames[-1]):
            continue
        group, count = _thread_group(root), int(match["count"])
        samples[group] += count
        func, file = _function(frames[-1])
        by_self[group][f"{func} ({file})"] += count
        by_owner[group][_package(file)] += count
        for name in {f"{fn} ({fl})" for fn, fl in map(_function, frames) if _package(fl) == "ours"}:
            ours_total[group][name] += count
    everything = sum(samples.values()) or 1
    for group in ("script threads", "main thread", "other threads"):
        if not samples[group]:
            continue
        print(f"  {group}: {samples[group]} samples, waits left out, {100 * samples[group] / everything:.0f} % of all")
        for title, counts in (
            ("functions, self", by_self[group]),
            ("packages, self", by_owner[group]),
            ("our functions, total", ours_total[group]),
        ):
            if counts:
                print(f"    {title}:")
                for name, count in counts.most_common(top):
                    print(f"      {100 * count / samples[group]:5.1f} %  {name}")


async def profile_page(server: ServerProcess, page: str, out: Path, args: argparse.Namespace) -> None:
    """N sessions view `page` back to back while py-spy records the server for --profile-seconds."""
    pid = server.pid
    assert pid is not None
    sessions = await _open_sessions(_base_url(server), args.sessions)
    stop = asyncio.Event()
    views = 0

    async def worker(session: Session) -> None:
        nonlocal views
        while not stop.is_set():
            await session.view(page)
            views += 1

    try:
        await asyncio.gather(*(s.view(page) for s in sessions))
        workers = [asyncio.create_task(worker(s)) for s in sessions]
        spy = await asyncio.create_subprocess_exec(
            args.py_spy, "record", "-r", "100", "-f", "raw", "--threads", "-d", str(args.profile_seconds),
            "--pid", str(pid), "-o", str(out), *(["--gil"] if args.profile_gil else []),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await spy.communicate()
        stop.set()
        await asyncio.gather(*workers)
    finally:
        await asyncio.gather(*(s.close() for s in sessions))
    if spy.returncode != 0:
        raise RuntimeError(f"py-spy failed: {err.decode(errors='replace')}")
    print(
        f"\nprofile of /{'' if page == HOME else page}: {views} views in {args.profile_seconds} s from {args.sessions}"
    )
    which = "the GIL holder's" if args.profile_gil else "on-CPU"
    print(f"  sessions; py-spy at 100 Hz, {which} samples (load {os.getloadavg()[0]:.2f}); raw: {out}")
    summarise_profile(out, args.top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10, help="sessions at once (N)")
    parser.add_argument("--views", type=int, default=30, help="timed views per session, after a warm-up view (K)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of turns (R)")
    parser.add_argument("--pages", default=f"{HOME},jets", help=f"url paths, comma-separated; {HOME} is the root")
    parser.add_argument("--bare-on-asyncio", action="store_true", help="the bare app without uvloop, as shipped")
    parser.add_argument("--rss", action="store_true", help="then the server's RSS over --rss-views views of /jets")
    parser.add_argument("--rss-views", type=int, default=1000)
    parser.add_argument("--rss-sessions", type=int, default=2)
    parser.add_argument("--profile", type=Path, metavar="DIR", help="then py-spy each page under the crowd")
    parser.add_argument("--profile-seconds", type=int, default=20)
    parser.add_argument("--profile-gil", action="store_true", help="only samples of the thread holding the GIL")
    parser.add_argument("--py-spy", default=PY_SPY, help="the py-spy binary (pip install --target /tmp/pyspy py-spy)")
    parser.add_argument("--top", type=int, default=12, help="functions listed per thread group and order")
    args = parser.parse_args()
    pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average at start: {load} ({os.cpu_count()} CPUs)", flush=True)
    with tempfile.TemporaryDirectory() as tmp_name, servers(Path(tmp_name), args.bare_on_asyncio) as (ours, bare):
        if args.rounds:
            report(asyncio.run(run_rounds(ours, bare, pages, args)), args.sessions, args.views)
        if args.rss:
            asyncio.run(rss_series(ours, "jets", args.rss_views, args.rss_sessions, 100))
        if args.profile:
            args.profile.mkdir(parents=True, exist_ok=True)
            for page in pages:
                asyncio.run(profile_page(ours, page, args.profile / f"{page}.txt", args))


if __name__ == "__main__":
    main()
