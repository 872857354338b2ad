#!/usr/bin/env python3
"""Taskline's reference runner: runs a taskline-mix/1 in real CPython and writes taskline-summary/1.

    pyref.py run MIX [--mode sequential|threads|coroutines|processes] [--workers N] [--gil on|off]
                     [--switch-interval-ms X] [--start-method spawn|forkserver|fork] [--offload] [--limit N]
                     [--lab-url URL] [--summary-json FILE|-] [--quiet] [--recalibrate]
    pyref.py calibrate

MIX is a .taskline.json file or preset:NAME. The models are the plain Python ones a teacher would write:
  sequential   a for loop over the tasks
  threads      concurrent.futures.ThreadPoolExecutor(max_workers=N), one submit() per task
  coroutines   asyncio.gather() of one coroutine per task (asyncio.Semaphore(N) with --limit); `async` fetches
               through a small non-blocking HTTP/1.1 client over asyncio.open_connection, `blocking` ones through
               urllib (which stalls the loop); --offload runs compute steps in asyncio.to_thread()
  processes    multiprocessing.get_context(METHOD).Pool(N), one apply_async() per task
Fetches in the other models use urllib.request; sleeps are time.sleep / asyncio.sleep. Compute steps are
calibrated to the same milliseconds as Taskline's (see kernels.py).

Standard library only. Exit status: 0 done, 2 bad input, 1 a run failed.
"""

import argparse
import json
import os
import sys
import threading
import time

import kernels
import mixfile
from labpage import make_lab_html

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
DEFAULT_COMPUTE_BYTES = 20000  # Taskline's kDefaultComputeBytes
MAX_BODY_BYTES = 256 << 20

STATES = ("queued", "ready", "running", "waiting_gil", "blocked_io", "sleeping", "spawning", "serializing")


def now_ns():
    # CLOCK_MONOTONIC: the same clock in every process, so worker processes' times line up with the parent's.
    return time.monotonic_ns()


class FetchError(Exception):
    pass


# ---------------------------------------------------------------------------------------------------------------
# Fetches


_opener = None


def _urllib_opener():
    global _opener
    if _opener is None:
        import urllib.request

        # No proxy from the environment: lab URLs are on the loopback interface.
        _opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        # The first request imports encodings.idna (for the host name); a program's first fetch pays that once,
        # a run's measured fetches should not.
        "localhost".encode("idna")
    return _opener


def fetch_blocking(url):
    """urllib.request: blocks the calling thread (and releases the GIL while it waits on the socket)."""
    import urllib.error

    try:
        with _urllib_opener().open(url, timeout=60) as r:
            return r.read(MAX_BODY_BYTES + 1)
    except urllib.error.HTTPError as e:
        raise FetchError("HTTP %d from %s" % (e.code, url))
    except urllib.error.URLError as e:
        raise FetchError("could not connect to %s: %s" % (url, e.reason))
    except OSError as e:
        raise FetchError("fetch of %s failed: %s" % (url, e))


async def fetch_async(url, redirects=5):
    """A minimal non-blocking HTTP/1.1 GET over asyncio.open_connection (what aiohttp does for this case)."""
    import asyncio
    import urllib.parse

    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError("refused to fetch %s: only http and https are allowed" % url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
    try:
        reader, writer = await asyncio.open_connection(parts.hostname, port, ssl=parts.scheme == "https" or None)
    except OSError as e:
        raise FetchError("could not connect to %s: %s" % (url, e))
    try:
        host = parts.hostname if parts.port is None else "%s:%d" % (parts.hostname, port)
        writer.write(("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: taskline-pyref\r\nAccept: */*\r\n"
                      "Connection: close\r\n\r\n" % (target, host)).encode("latin-1"))
        await writer.drain()
        status_line = await reader.readline()
        fields = status_line.split(None, 2)
        if len(fields) < 2 or not fields[0].startswith(b"HTTP/") or not fields[1].isdigit():
            raise FetchError("fetch of %s failed: bad status line %r" % (url, status_line[:80]))
        status = int(fields[1])
        headers = {}
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = bytearray()
            while True:
                size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    break
                body += await reader.readexactly(size)
                await reader.readexactly(2)
                if len(body) > MAX_BODY_BYTES:
                    raise FetchError("response larger than %d bytes from %s" % (MAX_BODY_BYTES, url))
            body = bytes(body)
        elif "content-length" in headers:
            length = int(headers["content-length"])
            if length > MAX_BODY_BYTES:
                raise FetchError("response larger than %d bytes from %s" % (MAX_BODY_BYTES, url))
            body = await reader.readexactly(length)
        else:
            body = await reader.read(MAX_BODY_BYTES + 1)
    except (OSError, asyncio.IncompleteReadError, ValueError) as e:
        raise FetchError("fetch of %s failed: %s" % (url, e))
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass
    if 300 <= status < 400 and "location" in headers:
        if redirects <= 0:
            raise FetchError("too many redirects from %s" % url)
        return await fetch_async(urllib.parse.urljoin(url, headers["location"]), redirects - 1)
    if status >= 400:
        raise FetchError("HTTP %d from %s" % (status, url))
    return body


def resolve_url(url, lab_url):
    if not url.startswith("lab:"):
        return url
    rest = url[4:]
    return lab_url.rstrip("/") + (rest if rest.startswith("/") else "/" + rest)


# ---------------------------------------------------------------------------------------------------------------
# Compute steps and their data


class Env:
    """What a task needs besides its own steps; picklable for worker processes."""

    def __init__(self, rates, lab_url, chunked, big_text=None, big_bytes=None, offload=False):
        self.rates = rates
        self.lab_url = lab_url
        self.chunked = chunked  # processes: no other thread to block, so long calls may be cut
        self.big_text = big_text
        self.big_bytes = big_bytes
        self.offload = offload

    def units(self, gil, ms):
        return int(round(max(0.0, ms) * self.rates[gil]))


def prepare_inputs(task):
    """The data of each compute step, made before the clock starts (Taskline's TaskRunner::computeInput):
    payload_bytes > 0: a lab page of that size; otherwise the body of the previous fetch, or a default page."""
    inputs = []
    for step in task["steps"]:
        if step["kind"] != "compute":
            inputs.append(None)
        elif step["payload_bytes"] > 0:
            inputs.append((True, make_lab_html(step["payload_bytes"], task["id"])))
        else:
            inputs.append((False, make_lab_html(DEFAULT_COMPUTE_BYTES, task["id"])))
    return inputs


def shared_long_inputs(tasks, rates):
    """One long text and one long buffer that every `holds` / `releases` step reads a prefix of: a single C call
    over `ms` worth of data needs that much data (hundreds of MB for the longest steps), so it is made once."""
    need_text = need_bytes = 0
    for t in tasks:
        for s in t["steps"]:
            if s["kind"] == "compute" and s["gil"] == "holds":
                need_text = max(need_text, int(s["ms"] * rates["holds"]) + 1)
            elif s["kind"] == "compute" and s["gil"] == "releases":
                need_bytes = max(need_bytes, int(s["ms"] * rates["releases"]) + 1)
    page = make_lab_html(64 * 1024, 1)
    cap = kernels.MAX_ONE_CALL_UNITS
    big_text = page.decode("latin-1") * (min(need_text, cap) // len(page) + 1) if need_text else None
    big_bytes = page * (min(need_bytes, cap) // len(page) + 1) if need_bytes else None
    return big_text, big_bytes


def do_compute(step, data, env):
    units = env.units(step["gil"], step["ms"])
    if step["gil"] == "interruptible":
        kernels.scan_python(data.decode("latin-1"), 0, units)
    elif step["gil"] == "holds":
        if env.chunked or env.big_text is None:
            kernels.findall_chunked(data.decode("latin-1"), units)
        else:
            kernels.findall_one_call(env.big_text, units)
    else:
        if env.chunked or env.big_bytes is None:
            kernels.sha_chunked(data, units)
        else:
            kernels.sha_one_call(env.big_bytes, units)


def new_record(task):
    return {"id": task["id"], "start": None, "end": None, "status": "done", "error": None, "worker": None,
            "compute_wall": 0, "compute_cpu": 0, "release_wall": 0, "fetch_wall": 0, "sleep_wall": 0,
            "sleep_requested": 0.0, "sleeps": 0, "sem_wait": 0}


def _compute_input(inputs, i, last_body):
    is_payload, data = inputs[i]
    return last_body if last_body and not is_payload else data


def run_task_blocking(task, inputs, env):
    """Runs one task's steps on the calling thread: the body of the function a thread or process executes."""
    rec = new_record(task)
    rec["start"] = now_ns()
    last_body = b""
    for i, step in enumerate(task["steps"]):
        t = now_ns()
        if step["kind"] == "compute":
            data = _compute_input(inputs, i, last_body)
            cpu = time.thread_time_ns()
            do_compute(step, data, env)
            rec["compute_cpu"] += time.thread_time_ns() - cpu
            rec["compute_wall"] += now_ns() - t
            if step["gil"] == "releases":
                rec["release_wall"] += now_ns() - t
        elif step["kind"] == "fetch":
            try:
                last_body = fetch_blocking(resolve_url(step["url"], env.lab_url))
            except FetchError as e:
                rec["fetch_wall"] += now_ns() - t
                rec["status"], rec["error"] = "failed", "step %d (fetch): %s" % (i + 1, e)
                break
            rec["fetch_wall"] += now_ns() - t
        else:
            time.sleep(step["ms"] / 1000.0)
            rec["sleep_wall"] += now_ns() - t
            rec["sleep_requested"] += step["ms"]
            rec["sleeps"] += 1
    rec["end"] = now_ns()
    return rec


# ---------------------------------------------------------------------------------------------------------------
# The four models. Each returns (t0, t1, records, extra) with times in CLOCK_MONOTONIC ns.


def run_sequential(tasks, inputs, env, settings):
    t0 = now_ns()
    records = []
    for task in tasks:
        rec = run_task_blocking(task, inputs[task["id"]], env)
        rec["worker"] = "main"
        rec["submitted"] = t0
        records.append(rec)
    return t0, now_ns(), records, {}


def _thread_worker_name():
    # ThreadPoolExecutor names its threads "ThreadPoolExecutor-P_K"; asyncio.to_thread's are "asyncio_K".
    name = threading.current_thread().name
    suffix = name.rsplit("_", 1)[-1]
    return "thread-%d" % (int(suffix) + 1) if suffix.isdigit() else name


def run_threads(tasks, inputs, env, settings):
    from concurrent.futures import ThreadPoolExecutor, wait

    def job(task):
        rec = run_task_blocking(task, inputs[task["id"]], env)
        rec["worker"] = _thread_worker_name()
        return rec

    t0 = now_ns()
    executor = ThreadPoolExecutor(max_workers=settings["workers"])
    futures = [executor.submit(job, t) for t in tasks]
    wait(futures)
    t1 = now_ns()
    executor.shutdown(wait=True)
    records = [f.result() for f in futures]
    for r in records:
        r["submitted"] = t0
    return t0, t1, records, {}


async def _task_async(task, inputs, env, sem, rec):
    import asyncio

    async def body():
        last_body = b""
        for i, step in enumerate(task["steps"]):
            t = now_ns()
            if step["kind"] == "compute":
                data = _compute_input(inputs, i, last_body)
                if env.offload:
                    await asyncio.to_thread(do_compute, step, data, env)
                    rec["compute_cpu"] += now_ns() - t  # another thread's CPU: not observable per task here
                else:
                    cpu = time.thread_time_ns()
                    do_compute(step, data, env)
                    rec["compute_cpu"] += time.thread_time_ns() - cpu
                rec["compute_wall"] += now_ns() - t
            elif step["kind"] == "fetch":
                url = resolve_url(step["url"], env.lab_url)
                try:
                    if step["client"] == "blocking":
                        last_body = fetch_blocking(url)  # urllib inside a coroutine: the whole loop waits
                    else:
                        last_body = await fetch_async(url)
                except FetchError as e:
                    rec["fetch_wall"] += now_ns() - t
                    rec["status"], rec["error"] = "failed", "step %d (fetch): %s" % (i + 1, e)
                    break
                rec["fetch_wall"] += now_ns() - t
            else:
                await asyncio.sleep(step["ms"] / 1000.0)
                rec["sleep_wall"] += now_ns() - t
                rec["sleep_requested"] += step["ms"]
                rec["sleeps"] += 1
        rec["end"] = now_ns()

    # Started when the coroutine first runs, as in Taskline; a wait for the semaphore counts as queued.
    rec["start"] = now_ns()
    if sem is None:
        await body()
    else:
        t = now_ns()
        async with sem:
            rec["sem_wait"] = now_ns() - t
            await body()


def run_coroutines(tasks, inputs, env, settings):
    import asyncio

    records = [new_record(t) for t in tasks]

    async def main():
        sem = asyncio.Semaphore(settings["limit"]) if settings["limit"] else None
        await asyncio.gather(*(_task_async(t, inputs[t["id"]], env, sem, r) for t, r in zip(tasks, records)))
        return now_ns()

    t0 = now_ns()
    t1 = asyncio.run(main())
    for r in records:
        r["worker"] = "event-loop"
        r["submitted"] = t0
    return t0, t1, records, {}


# Worker processes: set by the Pool initializer.
_worker_slot = None


def _process_init(ready_times, counter, needs_fetch):
    global _worker_slot
    if needs_fetch:
        _urllib_opener()  # the imports a fetching program makes at start-up
    with counter.get_lock():
        _worker_slot = counter.value
        counter.value += 1
    ready_times[_worker_slot] = now_ns()


def _process_task(task, inputs, env):
    rec = run_task_blocking(task, inputs, env)
    rec["worker"] = "process-%d" % (_worker_slot + 1)
    rec["pid"] = os.getpid()
    rec["process_cpu_ns"] = time.process_time_ns()  # this worker's whole CPU so far, start-up included
    return rec


def run_processes(tasks, inputs, env, settings):
    import multiprocessing

    ctx = multiprocessing.get_context(settings["start_method"])
    workers = settings["workers"]
    ready = ctx.Array("q", [0] * workers, lock=False)
    counter = ctx.Value("i", 0)
    needs_fetch = any(s["kind"] == "fetch" for t in tasks for s in t["steps"])
    t0 = now_ns()
    pool = ctx.Pool(workers, initializer=_process_init, initargs=(ready, counter, needs_fetch))
    pending = []
    for t in tasks:
        submitted = now_ns()
        pending.append((submitted, pool.apply_async(_process_task, (t, inputs[t["id"]], env))))
    records = []
    for submitted, result in pending:
        rec = result.get()
        rec["submitted"] = submitted
        records.append(rec)
    t1 = now_ns()
    pool.close()
    pool.join()
    started = [r for r in ready[:] if r > 0]
    cpu_by_pid = {}
    for r in records:
        cpu_by_pid[r["pid"]] = max(cpu_by_pid.get(r["pid"], 0), r["process_cpu_ns"])
    slot_ready = {"process-%d" % (i + 1): v for i, v in enumerate(ready[:]) if v > 0}
    for r in records:
        r["worker_ready"] = slot_ready.get(r["worker"])
    extra = {
        "start_method": settings["start_method"],
        "pool_startup_ms": round((max(started) - t0) / 1e6, 1) if started else None,
        "pool_first_worker_ms": round((min(started) - t0) / 1e6, 1) if started else None,
        "workers_started": len(started),
        "children_cpu_ns": sum(cpu_by_pid.values()),
    }
    return t0, t1, records, extra


MODELS = {"sequential": run_sequential, "threads": run_threads, "coroutines": run_coroutines,
          "processes": run_processes}


# ---------------------------------------------------------------------------------------------------------------
# Measurements around a run and the summary


def read_proc_stat():
    """Per-core (busy, total) jiffies from /proc/stat; empty where there is none."""
    cores = []
    try:
        with open("/proc/stat", encoding="ascii") as f:
            for line in f:
                if line.startswith("cpu") and line[3].isdigit():
                    v = [int(x) for x in line.split()[1:]]
                    idle = v[3] + (v[4] if len(v) > 4 else 0)
                    cores.append((sum(v[:8]) - idle, sum(v[:8])))
    except OSError:
        pass
    return cores


def core_busy(before, after):
    out = []
    for (b0, t0), (b1, t1) in zip(before, after):
        out.append(round((b1 - b0) / (t1 - t0), 3) if t1 > t0 else 0.0)
    return out


def ms(ns):
    return round(ns / 1e6, 1)


OBSERVED = {
    "sequential": ["queued", "running", "blocked_io", "sleeping"],
    "threads": ["queued", "running", "waiting_gil", "blocked_io", "sleeping"],
    "coroutines": ["queued", "running", "ready", "blocked_io", "sleeping"],
    "processes": ["queued", "spawning", "running", "blocked_io", "sleeping"],
}

STATE_NOTES = {
    "sequential": "Times the program itself can take: time.monotonic around each step. running is everything "
                  "but fetches and sleeps.",
    "threads": "From the thread's own view: running is the thread CPU time of compute steps (time.thread_time); "
               "waiting_gil estimates the GIL wait as compute wall time minus thread CPU time, plus how much a "
               "sleep overslept beyond the idle timer slack. CPython has no hook for the GIL itself, so this also "
               "counts OS preemption; blocked_io includes taking the GIL back after the response.",
    "coroutines": "A task starts when its coroutine first runs; with --limit, its wait for the semaphore is "
                  "queued. running is time in compute steps (with --offload, the wait for the worker thread); "
                  "ready is how much an asyncio.sleep overslept because the loop was busy. A fetch's wait for a "
                  "busy loop after its answer arrived counts as blocked_io: it cannot be told apart.",
    "processes": "Times taken in the worker processes (CLOCK_MONOTONIC is system-wide). spawning is the time a "
                 "task waited for its worker process to start; queued the rest of its wait for a free worker; "
                 "pickling arguments and results (serializing) is not observable and counts as queued.",
}


def task_states(mode, rec, gil, slack_ms):
    s = dict.fromkeys(STATES, 0.0)
    if rec["start"] is None:
        return s
    submitted = rec.get("submitted", rec["start"])
    wait = max(0, rec["start"] - submitted)
    if mode == "processes" and rec.get("worker_ready"):
        s["spawning"] = max(0, min(rec["worker_ready"], rec["start"]) - submitted) / 1e6
        s["queued"] = wait / 1e6 - s["spawning"]
    else:
        s["queued"] = (wait + rec["sem_wait"]) / 1e6
    end = rec["end"] if rec["end"] is not None else rec["start"]
    duration = (end - rec["start"] - rec["sem_wait"]) / 1e6
    compute_wall, compute_cpu = rec["compute_wall"] / 1e6, rec["compute_cpu"] / 1e6
    fetch, sleep = rec["fetch_wall"] / 1e6, rec["sleep_wall"] / 1e6
    other = max(0.0, duration - compute_wall - fetch - sleep)  # Python between the steps
    oversleep = max(0.0, sleep - rec["sleep_requested"] - slack_ms * rec["sleeps"])
    s["blocked_io"] = fetch
    if mode == "threads" and gil:
        released = rec["release_wall"] / 1e6  # hashlib runs without the GIL: its wall time is running
        s["running"] = min(compute_wall, compute_cpu + released) + other
        s["waiting_gil"] = compute_wall - min(compute_wall, compute_cpu + released) + oversleep
        s["sleeping"] = sleep - oversleep
    elif mode == "coroutines":
        s["running"] = compute_wall + other
        s["ready"] = oversleep
        s["sleeping"] = sleep - oversleep
    else:
        s["running"] = compute_wall + other
        s["sleeping"] = sleep
    return {k: round(v, 1) for k, v in s.items()}


def build_summary(mix, mode, settings, t0, t1, records, extra, cpu_ns, busy, calibration):
    gil = settings["gil"]
    slack = calibration.sleep_slack_ms
    tasks = []
    totals = dict.fromkeys(STATES, 0.0)
    for task, rec in zip(mix["tasks"], records):
        states = task_states(mode, rec, gil, slack)
        for k, v in states.items():
            totals[k] += v
        tasks.append({
            "id": task["id"], "name": task["name"], "worker": rec["worker"],
            "start_ms": ms(rec["start"] - t0) if rec["start"] is not None else None,
            "end_ms": ms(rec["end"] - t0) if rec["end"] is not None else None,
            "status": rec["status"], "error": rec["error"], "state_ms": states,
        })
    summary = {
        "format": "taskline-summary/1",
        "mix": mix["name"],
        "mode": mode,
        "settings": {
            "workers": settings["workers"], "gil": gil, "switch_interval_ms": settings["switch_interval_ms"],
            "start_method": settings["start_method"] if mode == "processes" else None,
            "offload": settings["offload"],
        },
        "cores": os.cpu_count() or 1,
        "wall_ms": ms(t1 - t0),
        "cpu_ms": ms(cpu_ns),
        "core_busy": busy,
        "events": 0,
        "dropped_events": 0,
        "state_ms": {k: round(v, 1) for k, v in totals.items()},
        "tasks": tasks,
        "runner": "cpython",
        "python": {"version": sys.version.split()[0], "implementation": sys.implementation.name,
                   "gil": gil, "executable": os.path.basename(sys.executable)},
        "observed_states": OBSERVED[mode],
        "state_notes": STATE_NOTES[mode],
        "calibration": calibration.to_json(),
    }
    if settings["limit"]:
        summary["settings"]["limit"] = settings["limit"]
    if mode == "processes":
        summary["pool_startup_ms"] = extra["pool_startup_ms"]
        summary["pool_first_worker_ms"] = extra["pool_first_worker_ms"]
        summary["workers_started"] = extra["workers_started"]
    return summary


def summary_text(s):
    lines = ["%s - %s (CPython %s, %d worker%s)" % (s["mix"], s["mode"], s["python"]["version"],
                                                     s["settings"]["workers"],
                                                     "" if s["settings"]["workers"] == 1 else "s"), ""]
    width = max([4] + [len(t["name"]) for t in s["tasks"]])
    states = [k for k in s["observed_states"] if s["state_ms"][k] > 0.05]
    lines.append("  %-*s  %-11s %9s %9s  %s  status" % (width, "task", "worker", "start ms", "end ms",
                                                         "  ".join("%11s" % k for k in states)))
    for t in s["tasks"]:
        fmt = lambda v: "%9.1f" % v if v is not None else "%9s" % "-"
        lines.append("  %-*s  %-11s %s %s  %s  %s%s" % (
            width, t["name"], t["worker"] or "-", fmt(t["start_ms"]), fmt(t["end_ms"]),
            "  ".join("%11.1f" % t["state_ms"][k] for k in states), t["status"],
            ": " + t["error"] if t["error"] else ""))
    lines.append("")
    lines.append("  wall %.1f ms, CPU %.1f ms; core busy: %s" % (
        s["wall_ms"], s["cpu_ms"], " ".join("cpu%d %d%%" % (i, round(b * 100)) for i, b in enumerate(s["core_busy"]))))
    if s.get("pool_startup_ms") is not None:
        lines.append("  pool start-up (%s): all %d workers ready after %.1f ms" % (
            s["settings"]["start_method"], s["workers_started"], s["pool_startup_ms"]))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------------------------
# Command line


def resolve_settings(mix, args):
    m = mix["settings"]
    mode = args.mode or m.get("mode") or "threads"
    if mode not in mixfile.MODES:
        raise mixfile.MixError("--mode: unknown mode %r (expected %s)" % (mode, ", ".join(mixfile.MODES)))
    cores = os.cpu_count() or 1
    workers = args.workers or m.get("workers") or 0
    if not workers:
        workers = {"threads": min(32, cores + 4), "processes": cores}.get(mode, 1)
    gil_wanted = args.gil != "off" if args.gil else m.get("gil", True)
    return {
        "mode": mode,
        "workers": workers,
        "gil": gil_wanted,
        "switch_interval_ms": args.switch_interval_ms or m.get("switch_interval_ms") or 5.0,
        "start_method": args.start_method or m.get("start_method") or "forkserver",
        "offload": bool(args.offload or m.get("offload")),
        "limit": args.limit or m.get("limit") or 0,
    }


def interpreter_has_gil():
    return not (hasattr(sys, "_is_gil_enabled") and not sys._is_gil_enabled())


def cmd_run(args):
    try:
        mix = mixfile.load(args.mix)
        settings = resolve_settings(mix, args)
    except mixfile.MixError as e:
        print("pyref: %s" % e, file=sys.stderr)
        return EXIT_BAD_INPUT
    if settings["gil"] != interpreter_has_gil():
        print("pyref: --gil %s: this interpreter (CPython %s) %s; free-threaded CPython is 3.13t or later "
              "(python3.13t), run with PYTHON_GIL=0" % (
                  "on" if settings["gil"] else "off", sys.version.split()[0],
                  "has the GIL" if interpreter_has_gil() else "runs without the GIL"), file=sys.stderr)
        return EXIT_BAD_INPUT
    if settings["mode"] == "processes" and settings["start_method"] not in mixfile.START_METHODS:
        print("pyref: --start-method: expected spawn, forkserver or fork", file=sys.stderr)
        return EXIT_BAD_INPUT
    tasks = mix["tasks"]
    lab_url = args.lab_url or os.environ.get("TASKLINE_LAB_URL", "")
    if not lab_url and any(s["kind"] == "fetch" and s["url"].startswith("lab:") for t in tasks for s in t["steps"]):
        print("pyref: %s fetches lab: URLs: give the lab server's address with --lab-url http://127.0.0.1:PORT "
              "(start one with: taskline serve --port PORT)" % mix["path"], file=sys.stderr)
        return EXIT_BAD_INPUT

    calibration = kernels.Calibration.get(args.recalibrate)
    sys.setswitchinterval(settings["switch_interval_ms"] / 1000.0)
    mode = settings["mode"]
    inputs = [prepare_inputs(t) for t in tasks]
    chunked = mode == "processes"
    big_text, big_bytes = (None, None) if chunked else shared_long_inputs(tasks, calibration.rates)
    env = Env(calibration.rates, lab_url, chunked, big_text, big_bytes, settings["offload"])
    if any(s["kind"] == "fetch" for t in tasks for s in t["steps"]):
        _urllib_opener()  # imported before the clock starts, as a program's imports are

    stat0, cpu0 = read_proc_stat(), time.process_time_ns()
    t0, t1, records, extra = MODELS[mode](tasks, inputs, env, settings)
    cpu_ns = time.process_time_ns() - cpu0 + extra.get("children_cpu_ns", 0)
    busy = core_busy(stat0, read_proc_stat())

    summary = build_summary(mix, mode, settings, t0, t1, records, extra, cpu_ns, busy, calibration)
    text = json.dumps(summary, indent=2) + "\n"
    if not args.quiet:
        print(summary_text(summary), file=sys.stderr if args.summary_json == "-" else sys.stdout, end="")
    if args.summary_json == "-":
        sys.stdout.write(text)
    elif args.summary_json:
        try:
            with open(args.summary_json, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError as e:
            print("pyref: %s: cannot write: %s" % (args.summary_json, e.strerror), file=sys.stderr)
            return EXIT_BAD_INPUT
    return EXIT_OK if all(r["status"] == "done" for r in records) else EXIT_FAILED


def cmd_calibrate(_args):
    print("measuring the compute kernels in %s (single-threaded CPU time) ..." % kernels.python_build(), flush=True)
    c = kernels.Calibration.get(recalibrate=True)
    r = c.rates
    print("  interruptible (pure-Python scan): %.0f characters per ms" % r["interruptible"])
    print("  holds (re.findall, one call):     %.1f MB/s" % (r["holds"] / 1000))
    print("  releases (hashlib.sha256):        %.1f MB/s" % (r["releases"] / 1000))
    print("  time.sleep(0.001) oversleeps by   %.3f ms when idle" % c.sleep_slack_ms)
    print("saved to %s" % kernels.cache_path())
    return EXIT_OK


def main(argv):
    p = argparse.ArgumentParser(prog="pyref.py", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run a mix in CPython and print or write its summary")
    r.add_argument("mix", help="a .taskline.json file or preset:NAME")
    r.add_argument("--mode", choices=mixfile.MODES)
    r.add_argument("--workers", type=int)
    r.add_argument("--gil", choices=("on", "off"))
    r.add_argument("--switch-interval-ms", type=float)
    r.add_argument("--start-method", choices=mixfile.START_METHODS)
    r.add_argument("--offload", action="store_true")
    r.add_argument("--limit", type=int)
    r.add_argument("--lab-url", help="the lab server for lab: URLs (default: $TASKLINE_LAB_URL)")
    r.add_argument("--summary-json", metavar="FILE|-")
    r.add_argument("--quiet", "-q", action="store_true")
    r.add_argument("--recalibrate", action="store_true", help="measure the kernels again before the run")
    sub.add_parser("calibrate", help="measure the compute kernels again on this machine")
    args = p.parse_args(argv)
    if args.command == "run":
        for name in ("workers", "limit"):
            v = getattr(args, name)
            if v is not None and not 1 <= v <= 10000:
                p.error("--%s: expected a whole number from 1 to 10000, got %d" % (name, v))
        if args.switch_interval_ms is not None and not 0.1 <= args.switch_interval_ms <= 1000:
            p.error("--switch-interval-ms: expected milliseconds from 0.1 to 1000")
        return cmd_run(args)
    return cmd_calibrate(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
