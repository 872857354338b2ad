#pragma once

#include "mix.h"

#include <QByteArray>
#include <QCryptographicHash>
#include <QRegularExpression>
#include <QString>
#include <cstdint>

namespace taskline {

class Calibration;

// The real CPU work of a compute step, cut into chunks of about kChunkUs so that the emulated GIL can change
// hands between them (CPython checks for a drop request between bytecodes). The work amount comes from the
// calibration: `ms` of single-threaded work on this machine.
//   regex: finds every <meta .*?> tag in HTML with QRegularExpression (PCRE2, JIT), as in the article
//          (std::regex recurses per character and overflows the stack on long inputs)
//   hash:  SHA-256 over a buffer
// Thread: the worker that owns it.
class ComputeWork
{
public:
    static constexpr double kChunkUs = 50;

    // `data`: the page or buffer to work on (cycled through as often as the work amount needs).
    ComputeWork(Kernel kernel, const QByteArray& data, double ms, const Calibration& calibration);

    bool isDone() const { return m_doneUnits >= m_totalUnits; }
    // One chunk (about kChunkUs of CPU). Returns false when the work was already done.
    bool runChunk();
    // Runs every remaining chunk (no GIL checks: one long C call).
    void runAll();

    int64_t totalUnits() const { return m_totalUnits; } // bytes to scan or hash
    int64_t doneUnits() const { return m_doneUnits; }
    int64_t matches() const { return m_matches; } // regex: <meta> tags found
    QByteArray digest(); // hash: SHA-256 of everything hashed so far

private:
    void regexChunk(int64_t units);
    void hashChunk(int64_t units);

    Kernel m_kernel;
    QByteArray m_data;
    QString m_text; // regex works on UTF-16 text
    QRegularExpression m_re;
    QCryptographicHash m_hash { QCryptographicHash::Sha256 };
    int64_t m_totalUnits = 0;
    int64_t m_doneUnits = 0;
    int64_t m_chunkUnits = 1;
    int64_t m_pos = 0;
    int64_t m_matches = 0;
};

// The page compute steps work on when neither a payload size nor a fetched body is given.
inline constexpr int64_t kDefaultComputeBytes = 20'000;

// The pattern of the article: every <meta ...> tag.
const QRegularExpression& metaTagRegex();

} // namespace taskline
