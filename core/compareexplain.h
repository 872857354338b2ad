#pragma once

#include "summary.h"

#include <QString>
#include <QStringList>
#include <vector>

namespace taskline {

class TraceStore;

// What one run's explanation is derived from: its summary, and the few figures only its trace knows.
struct RunFacts
{
    RunSummary summary;
    int peakWaiting = -1; // most tasks blocked on I/O or sleeping at the same moment; -1: unknown (no trace)
    int peakRunning = -1; // most tasks running at the same moment; -1: unknown
};

// Thread: any (pure functions of their arguments).
RunFacts runFacts(const RunSummary& summary, const TraceStore* store = nullptr);

// One line in a teacher's words that explains a run's result from its measurements, never from the mode alone:
//   "threads: 1.0× (no faster): the GIL let one thread compute at a time; tasks waited for it 78 % of their time"
//   "processes: 1.9× faster: computed on 2 cores at once (1.9 busy on average); start-up 21 ms, copying 3 ms"
// `baseline` is the sequential run of the same mix (nullptr: none, so no speedup is given).
QString explainRun(const RunFacts& run, const RunFacts* baseline);
// One line per run, in the order given; the first complete sequential run among them is the baseline.
QStringList explainRuns(const std::vector<RunFacts>& runs);

// Baseline wall time ÷ the run's wall time; 0 when either did not complete (stopped, failed to run).
double speedupOf(const RunSummary& run, const RunSummary& baseline);
// "1.9× faster", "1.0× (no faster)", "0.5× (2.0× slower)"
QString describeSpeedup(double speedup);
// "850 µs", "4.2 ms", "21 ms", "1.62 s"
QString formatMs(double ms);
// The settings a picture or a table states next to a run: "8 threads · GIL on, switch interval 5 ms",
// "2 processes · start method forkserver", "one event loop · compute offloaded to 6 threads".
QString describeRunSettings(const RunSummary& summary);

} // namespace taskline
