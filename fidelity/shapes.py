"""Shape measures of one run, computed the same way from a Taskline summary and a CPython one.

A run's *shape* is what the timeline shows a learner, independent of the exact milliseconds: which tasks
finish first, whether tasks run one after another or interleave, how many are in flight at once, how far a
short wait is stretched, how many cores the run kept busy.
"""

import statistics


def _tasks(summary):
    return [t for t in summary.get("tasks", []) if t.get("start_ms") is not None and t.get("end_ms") is not None]


# States in which a task is not yet in the hands of a worker (or, with --limit, past the semaphore).
_WAITING_STATES = ("queued", "spawning")


def _active(t):
    """When the task was in flight: from its start, or later if part of its time after the start was spent
    queued (a coroutine waiting for the --limit semaphore starts when it first runs, then waits)."""
    states = t.get("state_ms") or {}
    active = sum(v for k, v in states.items() if k not in _WAITING_STATES and isinstance(v, (int, float)))
    begin = t["start_ms"]
    if states and active > 0:
        begin = min(t["end_ms"], max(begin, t["end_ms"] - active))
    return begin, t["end_ms"]


def at_once(summary):
    """The most tasks in flight at the same moment (between first running and done). Overlaps shorter than
    max(1 ms, 1 % of the run) do not count: a task that starts as another ends is not running beside it."""
    tasks = _tasks(summary)
    if not tasks:
        return 0
    tol = max(1.0, 0.01 * float(summary.get("wall_ms") or 0)) / 2
    events = []
    for t in tasks:
        a, b = _active(t)
        a, b = a + tol, b - tol
        if b > a:
            events.append((a, 1))
            events.append((b, -1))
    if not events:
        return 1
    events.sort(key=lambda e: (e[0], e[1]))
    best = cur = 0
    for _, d in events:
        cur += d
        best = max(best, cur)
    return max(best, 1)


def mean_in_flight(summary):
    """Task time in flight over wall time: 1 for one after another, N for N tasks side by side all along."""
    wall = float(summary.get("wall_ms") or 0)
    if wall <= 0:
        return 0.0
    return sum(b - a for a, b in map(_active, _tasks(summary))) / wall


def overlap_fraction(summary):
    """The part of the run, from the first task's start to the last one's end (so that a process pool's
    start-up does not count), during which two or more tasks were in flight."""
    tasks = _tasks(summary)
    if len(tasks) < 2:
        return 0.0
    spans = [_active(t) for t in tasks]
    wall = max(b for _, b in spans) - min(a for a, _ in spans)
    if wall <= 0:
        return 0.0
    events = sorted([(a, 1) for a, _ in spans] + [(b, -1) for _, b in spans], key=lambda e: (e[0], e[1]))
    covered = 0.0
    cur = 0
    last = None
    for time_ms, d in events:
        if cur >= 2 and last is not None:
            covered += time_ms - last
        cur += d
        last = time_ms
    return covered / wall


def pattern(summary):
    """'interleaved' when two or more tasks are in flight (beyond the brief overlaps that at_once ignores) for at
    least a tenth of the run or for at least half of the shortest task's time (a 66 ms sleeper entirely beside a
    500 ms computation in another process is interleaved, though only 12 % of the run overlaps), else 'one after
    another'."""
    if at_once(summary) <= 1:
        return "one after another"
    if overlap_fraction(summary) >= 0.1:
        return "interleaved"
    spans = [_active(t) for t in _tasks(summary)]
    run = max(b for _, b in spans) - min(a for a, _ in spans)
    shortest = min(b - a for a, b in spans)
    return "interleaved" if overlap_fraction(summary) * run >= 0.5 * shortest else "one after another"


def finish_order(summary):
    """Task ids in the order they finished."""
    return [t["id"] for t in sorted(_tasks(summary), key=lambda t: (t["end_ms"], t["id"]))]


def kind(name):
    # Taskline numbers repeated names (page#3); the kind is the name without the number.
    return name.split("#", 1)[0]


def first_done(summary):
    tasks = _tasks(summary)
    return kind(min(tasks, key=lambda t: (t["end_ms"], t["id"]))["name"]) if tasks else None


def last_done(summary):
    tasks = _tasks(summary)
    return kind(max(tasks, key=lambda t: (t["end_ms"], -t["id"]))["name"]) if tasks else None


def first_done_ms(summary):
    tasks = _tasks(summary)
    return min(t["end_ms"] for t in tasks) if tasks else None


def first_start_ms(summary):
    tasks = _tasks(summary)
    return min(t["start_ms"] for t in tasks) if tasks else None


def cores_used(summary):
    wall = float(summary.get("wall_ms") or 0)
    return float(summary.get("cpu_ms") or 0) / wall if wall > 0 else 0.0


def sleepers(mix):
    """Ids of tasks made only of sleep steps, with their step count and requested ms per step."""
    out = {}
    for t in mix["tasks"]:
        steps = t["steps"]
        if steps and all(s["kind"] == "sleep" for s in steps):
            out[t["id"]] = (len(steps), sum(s["ms"] for s in steps) / len(steps))
    return out


def wait_stretch(summary, mix):
    """How long one short sleep of a sleep-only task really took, over what it asked for (the convoy effect:
    about 6x for 1 ms next to a CPU-bound thread under a 5 ms switch interval). None without such a task."""
    found = sleepers(mix)
    values = []
    for t in _tasks(summary):
        if t["id"] in found:
            steps, asked = found[t["id"]]
            if asked > 0:
                values.append((t["end_ms"] - t["start_ms"]) / steps / asked)
    return statistics.median(values) if values else None


def order_agreement(a, b, tol_ms=None):
    """How far two runs agree on which task finished first, over the pairs of tasks that both runs finished
    clearly apart (more than max(5 ms, 3 % of the run)): 1.0 all such pairs in the same order, 0.0 all reversed,
    None if no pair was clearly apart in both. Tasks that end within a few ms of each other are a tie: under the
    GIL their order is a coin toss in CPython too."""
    ends_a = {t["id"]: t["end_ms"] for t in _tasks(a)}
    ends_b = {t["id"]: t["end_ms"] for t in _tasks(b)}
    ids = sorted(set(ends_a) & set(ends_b))
    tol_a = tol_ms if tol_ms is not None else max(5.0, 0.03 * float(a.get("wall_ms") or 0))
    tol_b = tol_ms if tol_ms is not None else max(5.0, 0.03 * float(b.get("wall_ms") or 0))
    same = decided = 0
    for x in range(len(ids)):
        for y in range(x + 1, len(ids)):
            i, j = ids[x], ids[y]
            da, db = ends_a[i] - ends_a[j], ends_b[i] - ends_b[j]
            if abs(da) > tol_a and abs(db) > tol_b:
                decided += 1
                same += (da > 0) == (db > 0)
    return same / decided if decided else None


def spearman(order_a, order_b):
    """Rank correlation of two finish orders over the same task ids (1: same order, -1: reversed)."""
    common = [i for i in order_a if i in set(order_b)]
    n = len(common)
    if n < 2:
        return None
    ra = {t: r for r, t in enumerate(x for x in order_a if x in common)}
    rb = {t: r for r, t in enumerate(x for x in order_b if x in common)}
    d2 = sum((ra[t] - rb[t]) ** 2 for t in common)
    return 1 - 6 * d2 / (n * (n * n - 1))


def measures(summary, mix):
    return {
        "wall_ms": float(summary["wall_ms"]),
        "at_once": at_once(summary),
        "in_flight": round(mean_in_flight(summary), 2),
        "overlap": round(overlap_fraction(summary), 2),
        "pattern": pattern(summary),
        "first_done": first_done(summary),
        "last_done": last_done(summary),
        "first_done_ms": first_done_ms(summary),
        "first_start_ms": first_start_ms(summary),
        "stretch": wait_stretch(summary, mix),
        "cores_used": round(cores_used(summary), 2),
        "order": finish_order(summary),
        "failed": sum(1 for t in summary.get("tasks", []) if t.get("status") != "done"),
        "pool_startup_ms": summary.get("pool_startup_ms"),
        "workers_used": len({t.get("worker") for t in summary.get("tasks", [])
                             if t.get("worker") and t.get("start_ms") is not None}),
    }


def list_schedule(durations, slots):
    """Wall time of running tasks of these durations on `slots` parallel workers, in submission order (each
    task goes to the worker that frees up first): the free-threaded model for CPU-bound tasks."""
    free = [0.0] * max(1, slots)
    for d in durations:
        i = free.index(min(free))
        free[i] += d
    return max(free) if durations else 0.0
