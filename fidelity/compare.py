#!/usr/bin/env python3
"""Runs mixes in Taskline and in real CPython on this machine and compares them.

    compare.py [--taskline BIN] [--repeat N] [--margin 0.2] [--out docs/fidelity.md] [--raw FILE]
               [--mixes NAME,...] [--modes MODE,...] [--only REGEX] [--no-knobs] [--recalibrate]
    compare.py --quick --taskline BIN        the fast subset the test suite runs (exit 1 when a check fails)

For every case (a mix, a mode and its settings) it runs `taskline run` and `pyref.py run` with the same
settings, alternating which goes first, repeats the whole set N times (interleaved, so that machine noise falls
on both), and compares medians: wall time, and the shape of the run (shapes.py). Both fetch from the same lab
server code: CPython from one `taskline serve` started for the whole comparison, Taskline from its own
in-process one. Modes that `taskline run` refuses as "not available yet" are reported as such.

Exit status: 0 every compared case matched (or differs for a stated reason), 1 a check failed, 2 bad input.
"""

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, os.pardir))
sys.path.insert(0, HERE)

import mixfile  # noqa: E402
import shapes  # noqa: E402

PRESETS = ["io-bound", "cpu-bound", "mixed", "fetch-and-scan", "long-c-call", "releases-gil", "convoy"]
MODES = ["sequential", "threads", "coroutines", "processes"]
QUICK_MIXES = ["quick-cpu", "quick-io", "quick-convoy"]
RUN_TIMEOUT_S = 180


class Case:
    def __init__(self, mix, mode, args=(), model=None, group="presets", note=None):
        self.mix = mix  # preset:NAME or a path
        self.mode = mode
        self.args = list(args)  # given to both runners
        self.model = model  # "free-threaded": no CPython run; compared against a model of free-threaded CPython
        self.group = group  # "presets" or "knobs": the table it goes to
        self.note = note
        self.tl = []  # Taskline summaries, one per repetition
        self.py = []  # CPython summaries
        self.tl_status = self.py_status = None  # None, "unavailable: ...", "error: ..."
        self.disturbed = 0  # pairs kept although other work was running (after `redo` tries)
        self.result = None

    @property
    def name(self):
        return self.mix.split(":", 1)[-1].rsplit("/", 1)[-1].replace(".taskline.json", "")

    @property
    def settings_text(self):
        text = self.mode
        a = self.args
        pairs = {a[i]: a[i + 1] if i + 1 < len(a) and not a[i + 1].startswith("--") else None
                 for i in range(len(a)) if a[i].startswith("--")}
        if "--start-method" in pairs:
            text += " " + pairs["--start-method"]
        if "--workers" in pairs:
            text += ", %s worker%s" % (pairs["--workers"], "" if pairs["--workers"] == "1" else "s")
        if "--switch-interval-ms" in pairs:
            text += ", switch interval %s ms" % pairs["--switch-interval-ms"]
        if "--gil" in pairs:
            text += ", GIL " + pairs["--gil"]
        if "--offload" in pairs:
            text += ", offload"
        if "--limit" in pairs:
            text += ", limit " + pairs["--limit"]
        return text

    def key(self):
        return "%s %s %s" % (self.name, self.mode, " ".join(self.args))


def preset_or_path(name):
    if os.path.isfile(name) or name.startswith("preset:"):
        return name
    quick = os.path.join(HERE, "mixes", name + ".taskline.json")
    if os.path.isfile(quick):
        return quick
    return "preset:" + name


def full_cases(mixes, modes, cores, knobs):
    cases = []
    for m in mixes:
        mix = preset_or_path(m)
        for mode in modes:
            if mode == "processes":
                for method in ("forkserver", "spawn"):
                    cases.append(Case(mix, mode, ["--workers", str(cores), "--start-method", method]))
            else:
                cases.append(Case(mix, mode))
            if mode == "coroutines" and m in ("mixed", "fetch-and-scan"):
                cases.append(Case(mix, mode, ["--offload"]))
    if not knobs:
        return cases
    k = []
    if "threads" in modes:
        k += [Case("preset:convoy", "threads", ["--switch-interval-ms", "1"], group="knobs"),
              Case("preset:convoy", "threads", ["--switch-interval-ms", "20"], group="knobs"),
              Case("preset:cpu-bound", "threads", ["--workers", "2"], group="knobs"),
              Case("preset:cpu-bound", "threads", ["--switch-interval-ms", "1"], group="knobs"),
              Case("preset:cpu-bound", "threads", ["--gil", "off"], model="free-threaded", group="knobs"),
              Case("preset:releases-gil", "threads", ["--gil", "off"], model="free-threaded", group="knobs"),
              Case("preset:convoy", "threads", ["--gil", "off"], model="free-threaded", group="knobs")]
    if "processes" in modes:
        k += [Case("preset:cpu-bound", "processes", ["--workers", "1", "--start-method", "forkserver"],
                   group="knobs"),
              Case("preset:cpu-bound", "processes", ["--workers", "4", "--start-method", "forkserver"],
                   group="knobs")]
    if "coroutines" in modes:
        k += [Case("preset:io-bound", "coroutines", ["--limit", "2"], group="knobs")]
    return cases + k


def quick_cases(modes):
    cases = []
    for m in QUICK_MIXES:
        for mode in modes:
            if mode == "processes":
                cases.append(Case(preset_or_path(m), mode, ["--workers", "2", "--start-method", "forkserver"]))
            else:
                cases.append(Case(preset_or_path(m), mode))
    cases.append(Case(preset_or_path("quick-convoy"), "threads", ["--switch-interval-ms", "1"], group="knobs"))
    return cases


# ---------------------------------------------------------------------------------------------------------------
# Running


def busy_cores(sample_s):
    """How many cores other processes kept busy over sample_s seconds while this one slept."""
    def read():
        with open("/proc/stat", encoding="ascii") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        idle = v[3] + (v[4] if len(v) > 4 else 0)
        return sum(v[:8]) - idle, sum(v[:8])
    try:
        b0, t0 = read()
        time.sleep(sample_s)
        b1, t1 = read()
    except (OSError, ValueError, IndexError):
        return None
    cores = os.cpu_count() or 1
    return cores * (b1 - b0) / (t1 - t0) if t1 > t0 else None


class Runner:
    def __init__(self, taskline, lab_url, tmpdir, verbose, max_wait_s, redo):
        self.taskline = taskline
        self.lab_url = lab_url
        self.tmpdir = tmpdir
        self.verbose = verbose
        self.max_wait_s = max_wait_s
        self.unavailable_modes = {}  # mode -> Taskline's message
        self.count = 0
        self.background = []  # cores busy with other work just before each pair of runs
        self.waited_s = 0.0
        self.redo = redo
        self.redone = 0  # pairs run again because other work started meanwhile

    def wait_for_quiet(self):
        """Other work on the machine slows both sides, but not alike (a run that needs two cores suffers more):
        before a pair of runs, wait (up to max_wait_s) until other processes leave the cores mostly idle."""
        limit = 0.25 * (os.cpu_count() or 1)
        start = time.monotonic()
        load = busy_cores(0.2)
        while load is not None and load > limit and time.monotonic() - start < self.max_wait_s:
            time.sleep(1.0)
            load = busy_cores(0.2)
        self.waited_s += time.monotonic() - start
        if load is not None:
            self.background.append(load)

    def _run(self, cmd, out):
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return "error: timed out after %d s: %s" % (RUN_TIMEOUT_S, " ".join(cmd)), None
        message = (p.stderr or "").strip().splitlines()
        message = message[-1] if message else ""
        if p.returncode == 2:
            return "unavailable: " + message, None
        if p.returncode not in (0, 1):
            return "error: exit %d: %s" % (p.returncode, message), None
        try:
            with open(out, encoding="utf-8") as f:
                summary = json.load(f)
        except (OSError, ValueError) as e:
            return "error: no summary (%s): %s" % (e, message), None
        if p.returncode == 1:
            failed = [t for t in summary.get("tasks", []) if t.get("status") != "done"]
            return "error: %d task(s) failed: %s" % (len(failed), failed[0].get("error") if failed else message), \
                summary
        return None, summary

    def taskline_run(self, case):
        if case.mode in self.unavailable_modes:
            return "unavailable: " + self.unavailable_modes[case.mode], None
        self.count += 1
        out = os.path.join(self.tmpdir, "tl-%d.json" % self.count)
        status, summary = self._run([self.taskline, "run", case.mix, "--mode", case.mode] + case.args
                                    + ["--summary-json", out, "--quiet"], out)
        if status and status.startswith("unavailable") and "not available" in status:
            self.unavailable_modes[case.mode] = status.split(": ", 1)[1]
        return status, summary

    def python_run(self, case):
        self.count += 1
        out = os.path.join(self.tmpdir, "py-%d.json" % self.count)
        return self._run([sys.executable, os.path.join(HERE, "pyref.py"), "run", case.mix, "--mode", case.mode]
                         + case.args + ["--lab-url", self.lab_url, "--summary-json", out, "--quiet"], out)

    def run_case(self, case, taskline_first, python_if_unavailable=False):
        """One repetition of a case: both runs back to back. Where Taskline lacks the mode, CPython runs only if
        python_if_unavailable (once, for the report's reference figure). A pair during which other work started
        on the machine is run again (up to `redo` times)."""
        order = ("tl", "py") if taskline_first else ("py", "tl")
        measured = case.mode not in self.unavailable_modes
        if not measured:
            order = ("tl", "py") if python_if_unavailable else ("tl",)
        for attempt in range(self.redo + 1):
            if measured:
                self.wait_for_quiet()
            results = {}
            for side in order:
                if side == "tl":
                    results["tl"] = self.taskline_run(case)
                elif case.model is None:
                    results["py"] = self.python_run(case)
            after = busy_cores(0.2) if measured and "tl" in results and results["tl"][1] is not None else None
            disturbed = after is not None and after > 0.25 * (os.cpu_count() or 1)
            if not disturbed or attempt == self.redo:
                break
            self.redone += 1
        case.disturbed += disturbed
        for side, (status, summary) in results.items():
            runs = case.tl if side == "tl" else case.py
            if summary is not None:
                runs.append(summary)
            if status:
                if side == "tl":
                    case.tl_status = status
                else:
                    case.py_status = status
        if self.verbose:
            tl = "%.0f ms" % case.tl[-1]["wall_ms"] if case.tl else (case.tl_status or "-")
            py = "%.0f ms" % case.py[-1]["wall_ms"] if case.py else (case.py_status or "model")
            print("  %-16s %-42s Taskline %-12s CPython %s%s" % (
                case.name, case.settings_text, tl[:40], py[:60], "  (disturbed)" if disturbed else ""),
                file=sys.stderr, flush=True)


class LabServer:
    """`taskline serve --port 0` for the CPython runs."""

    def __init__(self, taskline):
        self.proc = subprocess.Popen([taskline, "serve", "--port", "0"], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"http://[0-9.]+:\d+", line)
        if not m:
            self.stop()
            raise RuntimeError("the lab server did not start: %s" % line.strip())
        self.url = m.group(0)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# ---------------------------------------------------------------------------------------------------------------
# Comparing


def majority(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return max(set(values), key=lambda v: (values.count(v), str(v)))


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def aggregate(summaries, mix):
    ms = [shapes.measures(s, mix) for s in summaries]
    out = {
        "runs": len(ms),
        "wall_ms": median([m["wall_ms"] for m in ms]),
        "wall_all": [m["wall_ms"] for m in ms],
        "at_once": median([m["at_once"] for m in ms]),
        "in_flight": median([m["in_flight"] for m in ms]),
        "overlap": median([m["overlap"] for m in ms]),
        "pattern": majority([m["pattern"] for m in ms]),
        "first_done": majority([m["first_done"] for m in ms]),
        "first_done_set": sorted({m["first_done"] for m in ms if m["first_done"]}),
        "last_done": majority([m["last_done"] for m in ms]),
        "last_done_set": sorted({m["last_done"] for m in ms if m["last_done"]}),
        "first_done_ms": median([m["first_done_ms"] for m in ms]),
        "first_start_ms": median([m["first_start_ms"] for m in ms]),
        "stretch": median([m["stretch"] for m in ms]),
        "cores_used": median([m["cores_used"] for m in ms]),
        "orders": [m["order"] for m in ms],
        "pool_startup_ms": median([m["pool_startup_ms"] for m in ms]),
        "workers_used": majority([m["workers_used"] for m in ms]),
    }
    out["after_start_ms"] = (out["wall_ms"] - out["first_start_ms"]
                             if out["wall_ms"] is not None and out["first_start_ms"] is not None else None)
    return out


def free_threaded_model(case, sequential_py, mix):
    """What free-threaded CPython would do with the threads of this case: each task's single-threaded time
    (from CPython's sequential runs), scheduled on min(workers, cores) parallel threads."""
    per_task = {}
    for s in sequential_py:
        for t in s["tasks"]:
            if t["start_ms"] is not None and t["end_ms"] is not None:
                per_task.setdefault(t["id"], []).append(t["end_ms"] - t["start_ms"])
    durations = [statistics.median(per_task[i]) for i in sorted(per_task)]
    workers = int(_arg(case.args, "--workers") or mix["settings"].get("workers") or min(32, os.cpu_count() + 4))
    cores = os.cpu_count() or 1
    slots = min(workers, cores, len(durations))
    wall = shapes.list_schedule(durations, slots)
    stretch = median([shapes.wait_stretch(s, mix) for s in sequential_py])
    return {
        "runs": len(sequential_py), "wall_ms": wall, "wall_all": [], "at_once": min(workers, len(durations)),
        "in_flight": None, "overlap": None, "pattern": "interleaved" if min(workers, len(durations)) > 1 else "one after another",
        "first_done": None, "first_done_set": [], "last_done": None, "last_done_set": [],
        "first_done_ms": None, "first_start_ms": None, "after_start_ms": None, "stretch": stretch,
        "cores_used": sum(durations) / wall if wall else None, "orders": [], "pool_startup_ms": None,
        "model_slots": slots,
    }


def _arg(args, name):
    return args[args.index(name) + 1] if name in args and args.index(name) + 1 < len(args) else None


def ratio(a, b):
    return a / b if a is not None and b else None


def check_case(case, mix, margin, sequential_py):
    """Fills case.result: the medians of both sides, each check's outcome and the verdict."""
    r = {"checks": [], "notes": []}
    case.result = r
    if case.tl_status and not case.tl:
        if case.tl_status.startswith("unavailable"):
            r["verdict"] = "not available in this build"
        else:
            r["verdict"] = "Taskline failed"
            r["notes"].append(case.tl_status)
        return r
    if case.model == "free-threaded":
        if not sequential_py:
            r["verdict"] = "no reference"
            r["notes"].append("needs CPython's sequential runs of the same mix for the free-threaded model")
            return r
        py = free_threaded_model(case, sequential_py, mix)
        r["notes"].append(
            "No free-threaded CPython on this machine (CPython %s has the GIL), so the reference is a model of it: "
            "each task's single-threaded time from CPython's sequential runs, scheduled on %d parallel threads "
            "(min(workers, cores, tasks)). The model leaves out that free-threaded builds run pure-Python code slower "
            "per thread (markedly in 3.13t, whose specializing interpreter is off; 3.14t documents about 5-10 %%). CPython's process pool is the measured "
            "parallel reference (processes rows)." % (platform.python_version(), py["model_slots"]))
    else:
        if not case.py:
            r["verdict"] = "CPython failed" if case.py_status else "no CPython run"
            r["notes"].append(case.py_status or "")
            return r
        py = aggregate(case.py, mix)
    tl = aggregate(case.tl, mix)
    r["tl"], r["py"] = tl, py
    kinds = {shapes.kind(t["name"]) for t in mix["tasks"]}

    def check(name, ok, detail):
        r["checks"].append({"name": name, "ok": bool(ok), "detail": detail})

    wall_ratio = ratio(tl["wall_ms"], py["wall_ms"])
    r["wall_ratio"] = wall_ratio
    check("wall", wall_ratio is not None and abs(wall_ratio - 1) <= margin,
          "Taskline %.0f ms / CPython %.0f ms = %.2f" % (tl["wall_ms"], py["wall_ms"], wall_ratio or 0))
    a, b = tl["at_once"], py["at_once"]
    check("at once", a == b or (min(a, b) > 4 and abs(a - b) <= 0.25 * max(a, b)),
          "%s in flight at most in Taskline, %s in CPython" % (_num(a), _num(b)))
    check("pattern", tl["pattern"] == py["pattern"], "%s / %s" % (tl["pattern"], py["pattern"]))
    if len(kinds) > 1 and case.model is None:
        check("first done", tl["first_done"] in py["first_done_set"],
              "%s / %s" % (tl["first_done"], "|".join(py["first_done_set"])))
        check("last done", tl["last_done"] in py["last_done_set"],
              "%s / %s" % (tl["last_done"], "|".join(py["last_done_set"])))
    # When the first task is done: only where CPython's own time repeats (within 25 % over its runs).
    py_firsts = [shapes.first_done_ms(x) for x in case.py] if case.model is None else []
    py_firsts = [v for v in py_firsts if v is not None]
    if len(py_firsts) >= 2 and tl["first_done_ms"] and py["first_done_ms"] and \
            (max(py_firsts) - min(py_firsts)) <= 0.25 * statistics.median(py_firsts):
        fr = tl["first_done_ms"] / py["first_done_ms"]
        check("first done at", abs(fr - 1) <= max(0.25, margin),
              "the first task is done after %.0f ms in Taskline, %.0f ms in CPython" % (
                  tl["first_done_ms"], py["first_done_ms"]))
    if tl["stretch"] is not None and py["stretch"] is not None:
        sr = tl["stretch"] / py["stretch"]
        check("1 ms wait", abs(sr - 1) <= max(0.25, margin),
              "stretched %.2fx in Taskline, %.2fx in CPython" % (tl["stretch"], py["stretch"]))
    if case.model is None:
        # Finish order: only where CPython itself is consistent from run to run (the GIL's handover is not
        # round-robin, so equal threads finish in a different order every time).
        py_self = median([shapes.order_agreement(x, y) for x, y in zip(case.py, case.py[1:])])
        pairs = median([shapes.order_agreement(x, y) for x, y in zip(case.tl, case.py)])
        r["order_agreement"], r["order_agreement_py"] = pairs, py_self
        consistent = py_self is not None and py_self >= 0.9 or (len(case.py) == 1 and case.mode == "sequential")
        if consistent and pairs is not None:
            check("finish order", pairs >= 0.75,
                  "%.0f %% of the task pairs finish in CPython's order (CPython with itself: %s)"
                  % (pairs * 100, "%.0f %%" % (py_self * 100) if py_self is not None else "-"))
    if tl["cores_used"] is not None and py["cores_used"] is not None:
        d = tl["cores_used"] - py["cores_used"]
        check("cores used", abs(d) <= max(0.35, 0.25 * py["cores_used"]),
              "%.2f / %.2f cores busy on average" % (tl["cores_used"], py["cores_used"]))

    failed = [c["name"] for c in r["checks"] if not c["ok"]]
    if not failed:
        r["verdict"] = "matches"
    else:
        r["verdict"] = "differs: " + ", ".join(failed)
        explain(case, r, tl, py, margin, failed, mix)
        cause = None if r.get("explained") else known_cause(case, mix, tl, py, failed)
        if cause:
            r["notes"].append(cause)
    return r


def _num(v):
    return "-" if v is None else ("%g" % v)


def known_cause(case, mix, tl, py, failed):
    """What the investigation found behind differences that Taskline does not model yet (they stay differences)."""
    kinds = {s["kind"] for t in mix["tasks"] for s in t["steps"]}
    gil = "--gil" not in case.args or _arg(case.args, "--gil") == "on"
    if case.mode == "coroutines" and "--offload" in case.args and {"fetch", "compute"} <= kinds:
        return ("Cause: with --offload, CPython's event-loop thread is one more contender for the GIL. Every loop "
                "iteration releases it in epoll_wait and must win it back from the busy compute threads, and an "
                "asyncio fetch takes about 8 iterations (connect, send, status line, headers, body, close), so "
                "fetches complete several switch intervals late and one after another, in the order they were "
                "started. Taskline's loop takes the GIL once per wake-up, so its fetches finish on time.")
    if case.mode == "threads" and gil and "fetch" in kinds and "compute" in kinds and \
            tl["first_done_ms"] is not None and py["first_done_ms"] is not None and \
            py["first_done_ms"] > tl["first_done_ms"] and \
            any(t["steps"][0]["kind"] == "fetch" and len(t["steps"]) == 1 for t in mix["tasks"]):
        return ("Cause: urllib makes about a dozen socket calls per fetch (connect, poll, send, one recv per 8 KiB), "
                "each releasing the GIL and taking it back; next to CPU-bound threads every take-back waits one or "
                "more switch intervals, so CPython's fetches finish late (the convoy effect on I/O). Taskline's fetch "
                "takes the GIL back as often (7 times per lab fetch, counted with strace on urllib), but its "
                "emulated GIL goes round the waiting threads more evenly than CPython's (as in cpu-bound, threads), "
                "so each take-back waits fewer switch intervals and its fetches still finish earlier.")
    if case.mode == "threads" and gil and "compute" in kinds and ({"first done at", "finish order"} & set(failed)):
        return ("Cause: CPython shares the GIL less evenly between equal CPU-bound threads than Taskline's "
                "emulation: it hands the GIL back and forth between two threads for stretches (42-62 % of the turns "
                "go back to the thread of two turns before, against 11-13 % in Taskline; fidelity/gilturns.py), so a "
                "few threads finish well before the rest, while Taskline's threads finish close together.")
    return None


def explain(case, r, tl, py, margin, failed, mix):
    """Differences with a known, stated cause."""
    if case.mode == "processes" and explain_idle_worker(case, r, tl, py, mix):
        return
    if case.mode != "processes" or not set(failed) <= {"wall", "first done at"}:
        return
    if not (tl["after_start_ms"] and py["after_start_ms"] and tl["first_start_ms"] is not None
            and py["first_start_ms"] is not None):
        return
    # Start-up only: measured from the first task's start, the runs agree.
    after = tl["after_start_ms"] / py["after_start_ms"]
    if abs(after - 1) > margin:
        return
    if "first done at" in failed:
        first = (tl["first_done_ms"] - tl["first_start_ms"]) / max(1e-3, py["first_done_ms"] - py["first_start_ms"])
        if abs(first - 1) > max(0.25, margin):
            return
    method = _arg(case.args, "--start-method") or "forkserver"
    r["explained"] = True
    r["notes"].append(
        "Start-up: the first task ran after %.0f ms in CPython (all %s workers ready after %.0f ms) and after %.0f ms "
        "in Taskline; from the first task on, the runs take %.0f and %.0f ms (ratio %.2f) and the first task is done "
        "%.0f and %.0f ms after it started. %s" % (
            py["first_start_ms"], _arg(case.args, "--workers") or "", py["pool_startup_ms"] or 0,
            tl["first_start_ms"], py["after_start_ms"], tl["after_start_ms"], after,
            py["first_done_ms"] - py["first_start_ms"], tl["first_done_ms"] - tl["first_start_ms"],
            "CPython's spawn starts a fresh interpreter per worker, which imports the program's main module and "
            "what it imports (here urllib when the mix fetches)." if method == "spawn" else
            "CPython's forkserver first starts a server interpreter that imports the main module once, then forks "
            "each worker from it; the workers then import what the tasks need (here urllib when the mix fetches)."))


def explain_idle_worker(case, r, tl, py, mix):
    """A short mix in a pool whose workers were not all ready in time: a pool hands each task to whichever worker
    asks first (CPython's Pool as Taskline's), so when one side's second worker started late, its first worker took
    the tasks one after another and the shapes differ for that reason alone. Only where the other side used every
    worker it could; a pool that never runs tasks in parallel fails tst_processes."""
    tasks = sum(int(t.get("count", 1)) for t in mix["tasks"])
    resolved = case.tl[0].get("settings", {}).get("workers") if case.tl else None  # the pool Taskline started
    workers = int(_arg(case.args, "--workers") or resolved or os.cpu_count() or 1)
    slots = min(workers, tasks)
    used = {"Taskline": tl.get("workers_used"), "CPython": py.get("workers_used")}
    if None in used.values() or slots < 2:
        return False
    short = [side for side, n in used.items() if n < slots]
    if len(short) != 1:
        return False
    side = short[0]
    other = "CPython" if side == "Taskline" else "Taskline"
    start = (tl if side == "Taskline" else py)["first_start_ms"]
    r["explained"] = True
    r["notes"].append(
        "Start-up: in %s only %d of the %d worker processes ran a task (the first task started after %s ms); the "
        "others were not ready before the tasks had been taken, so those ran one after another, while in %s every "
        "worker took one. A pool hands each task to whichever worker asks first, in CPython as in Taskline, so a "
        "slow start (a cold machine, other work) changes the shape of a short mix." % (
            side, used[side], slots, "%.0f" % start if start is not None else "?", other))
    return True


# ---------------------------------------------------------------------------------------------------------------
# Report


def machine_info(taskline):
    info = {"cores": os.cpu_count(), "cpu": "?", "kernel": platform.release(),
            "python": "%s %s" % (platform.python_implementation(), platform.python_version()),
            "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "load": " ".join(
                "%.2f" % x for x in os.getloadavg())}
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        info["taskline"] = subprocess.run([taskline, "--version"], capture_output=True, text=True,
                                          timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        info["taskline"] = "?"
    try:
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, timeout=30).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=30).stdout.strip()
        info["commit"] = commit + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.TimeoutExpired):
        info["commit"] = "?"
    return info


def fmt_ms(v):
    return "-" if v is None else "%.0f" % v


def fmt_x(v, digits=2):
    return "-" if v is None else ("%." + str(digits) + "f") % v


def pair(a, b, f=_num):
    return "%s / %s" % (f(a) if a is not None else "-", f(b) if b is not None else "-")


def verdict_cell(r):
    v = r["verdict"]
    if v == "matches":
        return "matches"
    if r.get("explained"):
        return v.replace("differs", "differs (explained)")
    return v


def first_cell(py, tl):
    def one(side):
        if not side["first_done"]:
            return "-"
        return "%s %.0f" % (side["first_done"], side["first_done_ms"]) if side["first_done_ms"] is not None \
            else side["first_done"]
    return "%s / %s ms" % (one(py), one(tl)) if tl["first_done_ms"] is not None else "%s / %s" % (one(py), one(tl))


def table(cases):
    head = ("| mix | mode, settings | CPython ms | Taskline ms | TL / Py | at once (Py / TL) | pattern (Py / TL) "
            "| first done, at (Py / TL) | 1 ms wait × (Py / TL) | cores used (Py / TL) | verdict |")
    lines = [head, "|" + " --- |" * 11]
    for c in cases:
        r = c.result
        py, tl = r.get("py"), r.get("tl")
        if not tl or not py:
            cp = fmt_ms(aggregate(c.py, mixfile.load(c.mix))["wall_ms"]) if c.py else "-"
            lines.append("| %s | %s | %s | - | - | - | - | - | - | - | %s |" % (c.name, c.settings_text, cp,
                                                                               r["verdict"]))
            continue
        model = " (model)" if c.model else ""
        pat = {"interleaved": "interleaved", "one after another": "one by one"}
        lines.append("| %s | %s | %s%s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            c.name, c.settings_text, fmt_ms(py["wall_ms"]), model, fmt_ms(tl["wall_ms"]), fmt_x(r["wall_ratio"]),
            pair(py["at_once"], tl["at_once"]), pair(pat.get(py["pattern"]), pat.get(tl["pattern"]), str),
            first_cell(py, tl),
            pair(py["stretch"], tl["stretch"], lambda v: "%.1f" % v),
            pair(py["cores_used"], tl["cores_used"], lambda v: "%.2f" % v), verdict_cell(r)))
    return "\n".join(lines)


def notes(cases):
    out = []
    for c in cases:
        r = c.result
        items = list(r["notes"])
        for ch in r.get("checks", []):
            if not ch["ok"]:
                items.append("%s: %s" % (ch["name"], ch["detail"]))
        if c.note:
            items.append(c.note)
        if not items or r["verdict"] == "not available in this build":
            continue
        out.append("- **%s, %s** (%s): %s" % (c.name, c.settings_text, r["verdict"], " ".join(
            i if i.endswith(".") else i + "." for i in items if i)))
    return "\n".join(out)


def calibration_check(cases):
    """How long nominal compute really took on each side: sequential runs of mixes made only of compute steps."""
    rows = []
    for c in cases:
        if c.mode != "sequential" or c.args or not c.tl or not c.py:
            continue
        mix = mixfile.load(c.mix)
        steps = [s for t in mix["tasks"] for s in t["steps"]]
        if not all(s["kind"] == "compute" for s in steps):
            continue
        nominal = sum(s["ms"] for s in steps)
        kinds = sorted({s["gil"] for s in steps})
        py, tl = median([s["wall_ms"] for s in c.py]), median([s["wall_ms"] for s in c.tl])
        rows.append("| %s | %s | %.0f | %.0f (%.2f) | %.0f (%.2f) |" % (
            c.name, ", ".join(kinds), nominal, py, py / nominal, tl, tl / nominal))
    if not rows:
        return []
    return ["## Calibration check", "",
            "Sequential runs of the compute-only presets: how long the nominal milliseconds of compute really took "
            "(each side measured its kernels on this machine before the comparison). Part of every wall-time ratio "
            "above is this calibration error.", "",
            "| mix | compute | nominal ms | CPython ms | Taskline ms |", "| --- | --- | --- | --- | --- |"] + rows + [""]


def write_report(path, cases, info, args, elapsed):
    groups = [("Presets in every mode", [c for c in cases if c.group == "presets"]),
              ("Knobs: switch interval, workers, start method, free-threaded", [c for c in cases if c.group == "knobs"])]
    compared = [c for c in cases if c.result.get("tl") and c.result.get("py")]
    matched = [c for c in compared if c.result["verdict"] == "matches"]
    explained = [c for c in compared if c.result.get("explained")]
    unavailable = sorted({c.mode for c in cases if c.result["verdict"] == "not available in this build"})
    text = ["# Fidelity: Taskline against real CPython", "",
            "Generated by `scripts/fidelity` (fidelity/compare.py). Every case runs the same mix with the same settings "
            "in Taskline (`taskline run`) and in CPython (`fidelity/pyref.py run`: ThreadPoolExecutor, asyncio.gather, "
            "multiprocessing.Pool, with compute calibrated to the same milliseconds), %d times each, interleaved and "
            "alternating which goes first; figures are medians. Target: wall time within ±%d %% of CPython's and the "
            "same shape." % (args.repeat, round(args.margin * 100)), "",
            "| machine | |", "| --- | --- |",
            "| CPU | %s, %s cores |" % (info["cpu"], info["cores"]),
            "| system | Linux %s; load average %s at the start, %s at the end |" % (
                info["kernel"], info["load"], info["load_end"]),
            "| other work | %s |" % info["background"],
            "| CPython | %s (with the GIL) |" % info["python"],
            "| Taskline | %s, commit %s |" % (info["taskline"], info["commit"]),
            "| run | %s, %d cases, %.0f s |" % (info["date"], len(cases), elapsed), "",
            "**%d of %d compared cases match; %d more differ for a stated reason.**%s" % (
                len(matched), len(compared), len(explained),
                (" Not available in this build (reported, not compared): %s." % ", ".join(unavailable))
                if unavailable else ""), "",
            "Columns: *at once*: most tasks in flight at the same moment; *pattern*: whether tasks interleave or "
            "run one by one; *first done, at*: the kind of task that finishes first, and when; *1 ms wait ×*: how long one 1 ms "
            "sleep of a sleep-only task really takes, over 1 ms (the convoy effect); *cores used*: CPU time over "
            "wall time. Checks: wall within the margin, same *at once* and *pattern*, same first and last kind to "
            "finish, the time the first task is done within ±25 % where CPython's own time repeats within 25 %, the wait stretch within ±25 %, the finish order (≥ 75 % of the task pairs that end clearly "
            "apart in the same order) where CPython's own order repeats, cores used within 0.35. Per-task start and end times come from both summaries "
            "(taskline-summary/1; the CPython runner notes which states it can observe).", ""]
    for title, group in groups:
        if not group:
            continue
        text += ["## " + title, "", table(group), ""]
    text += calibration_check(cases)
    n = notes(cases)
    if n:
        text += ["## Differences and notes", "", n, ""]
    text += ["## Where Taskline does not try to match", "",
             "- **Free-threaded Python**: this machine has no free-threaded CPython, so `--gil off` is compared "
             "with a model (each task's single-threaded CPython time, run on min(workers, cores) threads) and with "
             "CPython's process pool as the measured parallel reference.",
             "- **Process start-up**: CPython's `spawn` starts a new interpreter per worker that re-imports the main "
             "module; `forkserver` imports it once in the server and forks workers from it. How long that takes "
             "depends on the program's imports, so where only the start-up differs the table says so and compares "
             "the runs from the first task on.",
             "- **States CPython cannot observe** (`waiting_gil`, `ready`, `serializing`) are estimated or left at "
             "zero in the CPython summaries and are not compared.", "",
             "Reproduce: `scripts/fidelity` (options: `--repeat N`, `--mixes io-bound,convoy`, `--only REGEX`; see "
             "fidelity/README.md).", ""]
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(text))


def print_results(cases):
    for c in cases:
        r = c.result
        head = "%-14s %-40s %s" % (c.name, c.settings_text, verdict_cell(r))
        if r.get("tl") and r.get("py"):
            head += "   (CPython %s ms%s, Taskline %s ms)" % (fmt_ms(r["py"]["wall_ms"]), " model" if c.model else "",
                                                             fmt_ms(r["tl"]["wall_ms"]))
        print(head)
        for ch in r.get("checks", []):
            if not ch["ok"]:
                print("      %s: %s" % (ch["name"], ch["detail"]))
        for n in r["notes"]:
            if r["verdict"] != "matches" and n:
                print("      " + n[:300])


# ---------------------------------------------------------------------------------------------------------------


def report_from_raw(args):
    with open(args.from_raw, encoding="utf-8") as f:
        raw = json.load(f)
    cases = []
    for c in raw["cases"]:
        case = Case(c["mix"], c["mode"], c["args"], c.get("model"),
                    group="knobs" if c.get("group") == "knobs" else "presets")
        case.tl, case.py = c["taskline"], c["cpython"]
        case.tl_status, case.py_status = c.get("taskline_status"), c.get("cpython_status")
        cases.append(case)
    # The knob cases follow the presets' cases in the file; tell them apart by being outside full_cases' grid.
    grid = {c.key() for c in full_cases(PRESETS, MODES, os.cpu_count() or 1, False)}
    for case in cases:
        if case.key() not in grid:
            case.group = "knobs"
    margin = args.margin if args.margin is not None else raw.get("margin", 0.2)
    seq = {c.mix: c.py for c in cases if c.mode == "sequential" and not c.args}
    for c in cases:
        check_case(c, mixfile.load(c.mix), margin, seq.get(c.mix, []))
    args.repeat, args.margin = raw.get("repeat", 0), margin
    out = args.out or os.path.join(ROOT, "docs", "fidelity.md")
    write_report(out, cases, raw["machine"], args, raw.get("elapsed_s", 0))
    print_results(cases)
    print("wrote %s" % out)
    return 0


def default_taskline():
    for p in (os.environ.get("TASKLINE_BINARY"), os.path.join(ROOT, "build", "dev", "app", "taskline")):
        if p and os.access(p, os.X_OK):
            return p
    return None


def main(argv):
    p = argparse.ArgumentParser(prog="compare.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--taskline", default=default_taskline(), help="the taskline binary (default: build/dev)")
    p.add_argument("--repeat", type=int, help="repetitions of every case (default 5; --quick: 1)")
    p.add_argument("--margin", type=float, help="allowed relative wall-time difference (default 0.2; --quick 0.5)")
    p.add_argument("--mixes", help="comma-separated presets or mix files (default: every preset)")
    p.add_argument("--modes", help="comma-separated modes (default: all four)")
    p.add_argument("--only", help="run only the cases whose 'mix mode args' matches this regular expression")
    p.add_argument("--no-knobs", action="store_true", help="leave out the knob cases")
    p.add_argument("--quick", action="store_true", help="the fast subset for the test suite")
    p.add_argument("--out", help="write the Markdown report here (default: docs/fidelity.md; --quick: none)")
    p.add_argument("--raw", help="write every summary and result as JSON here")
    p.add_argument("--recalibrate", action="store_true", help="measure both sides' kernels again first")
    p.add_argument("--retries", type=int, help="re-run a case that fails a check this often (default: --quick 1)")
    p.add_argument("--max-wait", type=float, help="seconds to wait for other processes to calm down before each "
                   "pair of runs (default 20; --quick 0)")
    p.add_argument("--redo", type=int, help="run a pair again when other work was busy right after it, up to this "
                   "often (default 2; --quick 0)")
    p.add_argument("--from-raw", metavar="FILE", help="write the report again from a --raw file, without running")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    if args.from_raw:
        return report_from_raw(args)
    if not args.taskline or not os.access(args.taskline, os.X_OK):
        print("compare.py: no taskline binary (build it, or give --taskline BIN)", file=sys.stderr)
        return 2
    args.repeat = args.repeat or (1 if args.quick else 5)
    args.margin = args.margin if args.margin is not None else (0.5 if args.quick else 0.2)
    retries = args.retries if args.retries is not None else (1 if args.quick else 0)
    args.max_wait = args.max_wait if args.max_wait is not None else (0.0 if args.quick else 20.0)
    args.redo = args.redo if args.redo is not None else (0 if args.quick else 2)
    modes = args.modes.split(",") if args.modes else MODES
    bad = [m for m in modes if m not in MODES]
    if bad:
        print("compare.py: --modes: unknown mode %s (expected %s)" % (", ".join(bad), ", ".join(MODES)),
              file=sys.stderr)
        return 2
    cores = os.cpu_count() or 1
    if args.quick:
        cases = quick_cases(modes)
    else:
        mixes = args.mixes.split(",") if args.mixes else PRESETS
        cases = full_cases(mixes, modes, cores, not args.no_knobs)
    if args.only:
        cases = [c for c in cases if re.search(args.only, c.key())]
    try:
        mixes = {c.mix: mixfile.load(c.mix) for c in cases}
    except mixfile.MixError as e:
        print("compare.py: %s" % e, file=sys.stderr)
        return 2
    # The free-threaded model needs CPython's sequential runs of its mix.
    for c in list(cases):
        if c.model and not any(o.mix == c.mix and o.mode == "sequential" and not o.args for o in cases):
            cases.insert(0, Case(c.mix, "sequential", group="presets"))

    info = machine_info(args.taskline)
    if args.recalibrate:
        # Both sides measure their kernels at the same quiet moment, so that neither is calibrated under load.
        Runner(args.taskline, "", "", False, args.max_wait, 0).wait_for_quiet()
        subprocess.run([args.taskline, "calibrate"], capture_output=True, timeout=300)
        subprocess.run([sys.executable, os.path.join(HERE, "pyref.py"), "calibrate"], capture_output=True,
                       timeout=300)
    started = time.monotonic()
    lab = LabServer(args.taskline)
    try:
        with tempfile.TemporaryDirectory(prefix="taskline-fidelity-") as tmp:
            runner = Runner(args.taskline, lab.url, tmp, not args.quiet, args.max_wait, args.redo)
            for rep in range(args.repeat):
                if not args.quiet:
                    print("repetition %d of %d" % (rep + 1, args.repeat), file=sys.stderr, flush=True)
                # Rotate the order so that no case always runs right after the same neighbour.
                shift = (rep * len(cases)) // max(1, args.repeat)
                for i, case in enumerate(cases[shift:] + cases[:shift]):
                    runner.run_case(case, taskline_first=(rep + i) % 2 == 0,
                                    python_if_unavailable=not args.quick and not case.py)
            seq = {}
            for c in cases:
                if c.mode == "sequential" and not c.args:
                    seq[c.mix] = c.py
            for c in cases:
                check_case(c, mixes[c.mix], args.margin, seq.get(c.mix, []))
            for attempt in range(retries):
                again = [c for c in cases if c.result.get("tl") and c.result.get("py")
                         and c.result["verdict"] != "matches" and not c.result.get("explained")]
                for c in again:
                    if not args.quiet:
                        print("retrying %s %s" % (c.name, c.settings_text), file=sys.stderr, flush=True)
                    c.tl, c.py = [], []
                    for rep in range(args.repeat):
                        runner.run_case(c, taskline_first=rep % 2 == 1)
                    check_case(c, mixes[c.mix], args.margin, seq.get(c.mix, []))
    finally:
        lab.stop()
    elapsed = time.monotonic() - started
    bg = sorted(runner.background)
    info["background"] = ("%.2f cores busy with other work before a pair of runs (median; 90th percentile %.2f), "
                          "%.0f s spent waiting for quieter moments; %d pairs run again because other work started "
                          "during them, %d kept although disturbed" % (
                              statistics.median(bg), bg[int(0.9 * (len(bg) - 1))], runner.waited_s, runner.redone,
                              sum(c.disturbed for c in cases))) if bg else "-"
    info["load_end"] = " ".join("%.2f" % x for x in os.getloadavg())

    print_results(cases)
    out = args.out if args.out else (None if args.quick else os.path.join(ROOT, "docs", "fidelity.md"))
    if out:
        write_report(out, cases, info, args, elapsed)
        print("wrote %s" % out)
    if args.raw:
        with open(args.raw, "w", encoding="utf-8") as f:
            json.dump({"machine": info, "margin": args.margin, "repeat": args.repeat, "elapsed_s": elapsed, "cases": [
                {"mix": c.mix, "mode": c.mode, "args": c.args, "model": c.model, "group": c.group, "result": c.result,
                 "taskline": c.tl, "cpython": c.py, "taskline_status": c.tl_status, "cpython_status": c.py_status}
                for c in cases]}, f, indent=1, default=str)
    failed = [c for c in cases if c.result.get("tl") and c.result.get("py") and c.result["verdict"] != "matches"
              and not c.result.get("explained")]
    broken = [c for c in cases if c.result["verdict"] in ("Taskline failed", "CPython failed")]
    compared = sum(1 for c in cases if c.result.get("tl") and c.result.get("py"))
    print("%d compared, %d differ without a stated reason, %d failed to run; %.0f s" % (
        compared, len(failed), len(broken), elapsed))
    return 1 if failed or broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
