"""Compute steps in real CPython, calibrated to milliseconds like Taskline's kernels.

A Taskline compute step says how long it takes single-threaded (`ms`) and how it treats the GIL. CPython
gets the same: as much work as takes `ms` of CPU on this machine, of a kind that behaves the same way:

  interruptible  a pure-Python loop over the page's characters, counting <meta tags by index arithmetic:
                 bytecode-heavy, so the GIL changes hands inside it every switch interval
  holds          one pattern.findall(r'<meta .*?>') call over a text long enough to take `ms`: a long C call
                 that keeps the GIL, nobody else runs until it returns
  releases       one hashlib.sha256 call over a buffer large enough to take `ms`: hashlib drops the GIL for
                 buffers over 2047 bytes, so other threads run beside it

The kernel of the step (regex or hash) only names the data Taskline works on; what decides the shape is the
GIL behaviour, so the three behaviours above are used for either kernel.

The work rates are measured once (median of several trials of thread CPU time) and cached in
$XDG_CACHE_HOME/taskline/pyref-calibration.json, keyed by CPU model and Python build.
"""

import hashlib
import json
import os
import platform
import re
import sys
import time

from labpage import make_lab_html

# Bump when a kernel's work per unit changes: cached rates would then be wrong.
KERNEL_VERSION = 1

META_RE = re.compile(r"<meta .*?>")

# A single long call is split only above this (memory: the shared buffer is this big at most).
MAX_ONE_CALL_UNITS = 1 << 30


def scan_python(text, pos, n):
    """Pure-Python scan of n characters of `text` from `pos` (wrapping): counts '<meta ' tags.

    Returns (tags found, next position). Deliberately a character loop: every character costs a few
    bytecodes, so CPython's eval loop checks for a GIL drop request all the time, as in real pure-Python work.
    """
    size = len(text)
    count = 0
    while n > 0:
        end = pos + n
        if end > size:
            end = size
        n -= end - pos
        i = pos
        while i < end:
            if text[i] == "<" and text.startswith("meta ", i + 1):
                count += 1
            i += 1
        pos = 0 if end >= size else end
    return count, pos


def warm_up():
    """CPython 3.11 specializes a function's bytecode only after its 8th call; until then the loop above runs
    about a third slower. Calling it a few times at import makes every compute step run at the calibrated rate."""
    for _ in range(16):
        scan_python("<meta x>", 0, 8)


warm_up()


def findall_chunked(text, n):
    """n characters of regex work as several findall calls over `text` (processes: no other thread to block)."""
    size = len(text)
    found = 0
    while n > 0:
        take = size if n >= size else n
        found += len(META_RE.findall(text, 0, take))
        n -= take
    return found


def findall_one_call(big_text, n):
    """One findall over the first n characters of a shared long text: one C call that holds the GIL."""
    found = 0
    while n > 0:
        take = min(n, len(big_text))
        found += len(META_RE.findall(big_text, 0, take))
        n -= take
    return found


def sha_chunked(data, n):
    h = hashlib.sha256()
    view = memoryview(data)
    size = len(data)
    while n > 0:
        take = size if n >= size else n
        h.update(view[:take])
        n -= take
    return h.digest()


def sha_one_call(big_bytes, n):
    """One sha256 over the first n bytes of a shared buffer: releases the GIL for the whole call."""
    view = memoryview(big_bytes)
    h = hashlib.sha256()
    while n > 0:
        take = min(n, len(big_bytes))
        h.update(view[:take])
        n -= take
    return h.digest()


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def python_build():
    gil = "gil"
    if hasattr(sys, "_is_gil_enabled") and not sys._is_gil_enabled():
        gil = "nogil"
    return "%s-%s-%s" % (platform.python_implementation(), platform.python_version(), gil)


def cache_path():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "taskline", "pyref-calibration.json")


def _median(values):
    values = sorted(values)
    return values[len(values) // 2]


def _rate(work, guess, trials, cpu_ms):
    """Units per ms of this thread's CPU: the median of `trials` runs of about cpu_ms each."""
    rates = []
    for _ in range(trials):
        units = max(1, int(guess * cpu_ms))
        start = time.thread_time_ns()
        work(units)
        elapsed = time.thread_time_ns() - start
        rates.append(units / max(elapsed / 1e6, 1e-3))
    return _median(rates)


def _sleep_slack_ms(trials=40):
    """How much time.sleep(0.001) oversleeps on an idle interpreter: timer slack, not GIL waits."""
    over = []
    for _ in range(trials):
        t = time.perf_counter_ns()
        time.sleep(0.001)
        over.append((time.perf_counter_ns() - t) / 1e6 - 1.0)
    return max(0.0, _median(over))


class Calibration:
    """Work rates: characters or bytes per ms of CPU, single-threaded."""

    def __init__(self, rates, key, from_cache, slack):
        self.rates = rates  # {"interruptible": chars/ms, "holds": chars/ms, "releases": bytes/ms}
        self.key = key
        self.from_cache = from_cache
        self.sleep_slack_ms = slack

    def units(self, gil, ms):
        return int(round(max(0.0, ms) * self.rates[gil]))

    def to_json(self):
        return {"key": self.key, "rates_per_ms": self.rates, "sleep_slack_ms": self.sleep_slack_ms,
                "from_cache": self.from_cache}

    @staticmethod
    def key_now():
        return "%s|%s|kernels-v%d" % (cpu_model(), python_build(), KERNEL_VERSION)

    @classmethod
    def measure(cls):
        page_text = make_lab_html(64 * 1024, 1).decode("latin-1")
        # 64 MiB, like the long texts real runs build: a long call streams from memory, not from the cache.
        big_text = page_text * 1024
        big_bytes = page_text.encode("latin-1") * 1024

        pos = [0]

        def interruptible(units):
            pos[0] = scan_python(page_text, pos[0], units)[1]

        rates = {}
        # A rough pass, then the median of short trials: what a typical single-threaded run achieves (the best
        # trial would make typical runs overshoot their ms; a noisy neighbour slows only some trials).
        rough = _rate(interruptible, 10000, 2, 20)
        rates["interruptible"] = _rate(interruptible, rough, 9, 30)
        rough = _rate(lambda u: findall_one_call(big_text, u), 100000, 2, 10)
        rates["holds"] = _rate(lambda u: findall_one_call(big_text, u), rough, 9, 40)
        rough = _rate(lambda u: sha_one_call(big_bytes, u), 100000, 2, 5)
        rates["releases"] = _rate(lambda u: sha_one_call(big_bytes, u), rough, 9, 20)
        c = cls(rates, cls.key_now(), False, _sleep_slack_ms())
        c.save()
        return c

    def save(self):
        path = cache_path()
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            tmp = path + ".tmp%d" % os.getpid()
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump({"key": self.key, "rates_per_ms": self.rates, "sleep_slack_ms": self.sleep_slack_ms,
                           "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}, f, indent=2)
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only cache only costs a new measurement next time

    @classmethod
    def load(cls):
        try:
            with open(cache_path(), encoding="utf-8") as f:
                o = json.load(f)
        except (OSError, ValueError):
            return None
        if o.get("key") != cls.key_now():
            return None
        rates = o.get("rates_per_ms") or {}
        if not all(isinstance(rates.get(k), (int, float)) and rates[k] > 0
                   for k in ("interruptible", "holds", "releases")):
            return None
        return cls(rates, o["key"], True, float(o.get("sleep_slack_ms", 0.0)))

    @classmethod
    def get(cls, recalibrate=False):
        if not recalibrate:
            c = cls.load()
            if c is not None:
                return c
        return cls.measure()
