"""Reads taskline-mix/1 files (design.md) for the reference runner.

Checks what the runner relies on and names the file, the field and the problem otherwise; Taskline's own
reader (core/mixformat.cpp) is the full validator.
"""

import json
import os

PRESET_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "resources", "presets")

KERNELS = ("regex", "hash")
GIL_BEHAVIOURS = ("interruptible", "holds", "releases")
CLIENTS = ("async", "blocking")
MODES = ("sequential", "threads", "coroutines", "processes")
START_METHODS = ("spawn", "forkserver", "fork")


class MixError(Exception):
    pass


def resolve(spec):
    """A path, or preset:NAME for resources/presets/NAME.taskline.json."""
    if spec.startswith("preset:"):
        name = spec[len("preset:"):]
        path = os.path.normpath(os.path.join(PRESET_DIR, name + ".taskline.json"))
        if not os.path.isfile(path):
            names = sorted(f[: -len(".taskline.json")] for f in os.listdir(PRESET_DIR) if f.endswith(".taskline.json"))
            raise MixError("%s: no such preset (presets: %s)" % (spec, ", ".join(names)))
        return path
    return spec


def _number(value, where, lo=0.0, hi=3_600_000.0):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
        raise MixError("%s: expected a number from %g to %g, got %r" % (where, lo, hi, value))
    return float(value)


def _choice(value, where, choices):
    if value not in choices:
        raise MixError("%s: expected one of %s, got %r" % (where, ", ".join(choices), value))
    return value


def _step(raw, where):
    if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in ("compute", "fetch", "sleep"):
        raise MixError("%s: a step is an object with exactly one of compute, fetch or sleep" % where)
    kind, body = next(iter(raw.items()))
    where = "%s.%s" % (where, kind)
    if not isinstance(body, dict):
        raise MixError("%s: expected an object" % where)
    if kind == "compute":
        if "ms" not in body:
            raise MixError("%s.ms: is required" % where)
        payload = body.get("payload_bytes", 0)
        if isinstance(payload, bool) or not isinstance(payload, int) or payload < 0:
            raise MixError("%s.payload_bytes: expected a whole number of bytes, got %r" % (where, payload))
        return {"kind": "compute", "ms": _number(body["ms"], where + ".ms"),
                "kernel": _choice(body.get("kernel", "regex"), where + ".kernel", KERNELS),
                "gil": _choice(body.get("gil", "interruptible"), where + ".gil", GIL_BEHAVIOURS),
                "payload_bytes": payload}
    if kind == "fetch":
        url = body.get("url")
        if not isinstance(url, str) or not (url.startswith(("lab:", "http://", "https://"))):
            raise MixError("%s.url: expected lab:/PATH or an http(s) URL, got %r" % (where, url))
        return {"kind": "fetch", "url": url, "client": _choice(body.get("client", "async"), where + ".client", CLIENTS)}
    if "ms" not in body:
        raise MixError("%s.ms: is required" % where)
    return {"kind": "sleep", "ms": _number(body["ms"], where + ".ms")}


def load(spec):
    """Returns {"name", "tasks": [{"id", "name", "steps"}], "settings"}, the tasks expanded like Taskline's
    expandTasks(): a name that occurs more than once in the mix is numbered name#1, name#2, ..."""
    path = resolve(spec)
    try:
        with open(path, encoding="utf-8") as f:
            root = json.load(f)
    except OSError as e:
        raise MixError("%s: cannot read: %s" % (path, e.strerror or e))
    except ValueError as e:
        raise MixError("%s: not valid JSON: %s" % (path, e))
    if not isinstance(root, dict) or root.get("format") != "taskline-mix/1":
        raise MixError('%s: format: expected "taskline-mix/1"' % path)
    tasks = root.get("tasks")
    if not isinstance(tasks, list) or not tasks:
        raise MixError("%s: tasks: expected a non-empty array" % path)
    specs = []
    for i, t in enumerate(tasks):
        where = "%s: tasks[%d]" % (path, i)
        if not isinstance(t, dict) or not isinstance(t.get("name"), str):
            raise MixError("%s.name: is required (text)" % where)
        count = t.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise MixError("%s.count: expected a whole number of at least 1, got %r" % (where, count))
        steps = t.get("steps")
        if not isinstance(steps, list) or not steps:
            raise MixError("%s.steps: expected a non-empty array" % where)
        specs.append((t["name"], count, [_step(s, "%s.steps[%d]" % (where, j)) for j, s in enumerate(steps)]))
    total = {}
    for name, count, _ in specs:
        total[name] = total.get(name, 0) + count
    seen = {}
    expanded = []
    for name, count, steps in specs:
        for _ in range(count):
            seen[name] = seen.get(name, 0) + 1
            label = "%s#%d" % (name, seen[name]) if total[name] > 1 else name
            expanded.append({"id": len(expanded), "name": label, "spec": name, "steps": steps})
    settings = root.get("settings") or {}
    if not isinstance(settings, dict):
        raise MixError("%s: settings: expected an object" % path)
    return {"name": root.get("name") or os.path.basename(path), "path": path, "tasks": expanded,
            "settings": settings}
