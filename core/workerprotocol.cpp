#include "workerprotocol.h"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <sys/uio.h>

namespace taskline::wire {

namespace {

// Appends fixed-size values and length-prefixed bytes to a body.
class Writer
{
public:
    template <typename T> void put(T v)
    {
        static_assert(std::is_trivially_copyable_v<T>);
        m_out.append(reinterpret_cast<const char*>(&v), qsizetype(sizeof v));
    }
    void putBytes(const QByteArray& b)
    {
        put<uint64_t>(uint64_t(b.size()));
        m_out.append(b);
    }
    void putString(const QString& s) { putBytes(s.toUtf8()); }
    QByteArray& bytes() { return m_out; }

private:
    QByteArray m_out;
};

// Reads them back with bounds checks: the first short read sets the error and every later read fails too.
class Reader
{
public:
    Reader(const QByteArray& b, const char* what)
        : m_data(b)
        , m_what(what)
    { }
    template <typename T> bool get(T* v)
    {
        if (!need(sizeof(T)))
            return false;
        std::memcpy(v, m_data.constData() + m_pos, sizeof(T));
        m_pos += sizeof(T);
        return true;
    }
    // `shared`: the bytes stay in the body (which the caller keeps alive) instead of being copied: a 64 MiB
    // payload has been copied enough by then (into the socket, out of it).
    bool getBytes(QByteArray* b, const QByteArray* shared = nullptr)
    {
        uint64_t n = 0;
        if (!get(&n) || !need(n))
            return false;
        if (shared && n > 0)
            *b = QByteArray::fromRawData(shared->constData() + m_pos, qsizetype(n));
        else
            *b = m_data.mid(qsizetype(m_pos), qsizetype(n));
        m_pos += size_t(n);
        return true;
    }
    bool getString(QString* s)
    {
        QByteArray b;
        if (!getBytes(&b))
            return false;
        *s = QString::fromUtf8(b);
        return true;
    }
    bool fail(const QString& why)
    {
        if (m_error.isEmpty())
            m_error = QStringLiteral("malformed %1 message: %2").arg(QLatin1String(m_what), why);
        return false;
    }
    bool finish(QString* error)
    {
        if (m_error.isEmpty() && m_pos != size_t(m_data.size()))
            fail(QStringLiteral("%1 bytes left over").arg(size_t(m_data.size()) - m_pos));
        if (!m_error.isEmpty() && error)
            *error = m_error;
        return m_error.isEmpty();
    }

private:
    bool need(uint64_t n)
    {
        if (!m_error.isEmpty())
            return false;
        if (n > uint64_t(m_data.size()) - m_pos)
            return fail(QStringLiteral("truncated at byte %1 of %2").arg(m_pos).arg(m_data.size()));
        return true;
    }

    const QByteArray& m_data;
    const char* m_what;
    size_t m_pos = 0;
    QString m_error;
};

OutFrame frameOf(MsgType type, QByteArray body, std::vector<QByteArray> tail = {})
{
    size_t length = size_t(body.size());
    for (const QByteArray& t : tail)
        length += size_t(t.size());
    OutFrame f;
    QByteArray head = encodeHeader(kMagic, kVersion, uint16_t(type), uint32_t(std::min<size_t>(length, UINT32_MAX)));
    head.append(body);
    f.chunks.push_back(std::move(head));
    for (QByteArray& t : tail)
        f.chunks.push_back(std::move(t));
    return f;
}

} // namespace

const char* msgTypeName(MsgType t)
{
    switch (t) {
    case MsgType::Hello:
        return "hello";
    case MsgType::Task:
        return "task";
    case MsgType::Events:
        return "events";
    case MsgType::Result:
        return "result";
    case MsgType::Shutdown:
        return "shutdown";
    case MsgType::Error:
        return "error";
    }
    return "unknown";
}

size_t OutFrame::size() const
{
    size_t n = 0;
    for (const QByteArray& c : chunks)
        n += size_t(c.size());
    return n;
}

QByteArray encodeHeader(uint32_t magic, uint16_t version, uint16_t type, uint32_t length)
{
    QByteArray h;
    h.reserve(qsizetype(kHeaderBytes));
    h.append(reinterpret_cast<const char*>(&magic), 4);
    h.append(reinterpret_cast<const char*>(&version), 2);
    h.append(reinterpret_cast<const char*>(&type), 2);
    h.append(reinterpret_cast<const char*>(&length), 4);
    return h;
}

OutFrame encodeHello(const HelloMsg& m)
{
    Writer w;
    w.put(m.version);
    w.put(m.pid);
    w.put(m.initNs);
    return frameOf(MsgType::Hello, w.bytes());
}

OutFrame encodeTask(const TaskMsg& m)
{
    // Fixed fields and step descriptions first; each input follows as its own chunk (length prefix in the
    // description part), so that payloads are written straight from the caller's buffers.
    Writer w;
    w.put(m.runStartNs);
    w.put(m.taskId);
    w.put(m.workerId);
    w.put(m.regexBytesPerMs);
    w.put(m.hashBytesPerMs);
    w.put<uint32_t>(uint32_t(m.steps.size()));
    for (size_t i = 0; i < m.steps.size(); ++i) {
        const Step& s = m.steps[i];
        w.put<uint8_t>(uint8_t(s.kind));
        switch (s.kind) {
        case StepKind::Compute:
            w.put(s.compute.ms);
            w.put<uint8_t>(uint8_t(s.compute.kernel));
            w.put<uint8_t>(uint8_t(s.compute.gil));
            w.put(s.compute.payloadBytes);
            break;
        case StepKind::Fetch:
            w.putString(s.fetch.url);
            w.put<uint8_t>(uint8_t(s.fetch.client));
            break;
        case StepKind::Sleep:
            w.put(s.sleep.ms);
            break;
        }
    }
    std::vector<QByteArray> tail;
    for (size_t i = 0; i < m.steps.size(); ++i) {
        const QByteArray in = i < m.inputs.size() ? m.inputs[i] : QByteArray();
        Writer len;
        len.put<uint64_t>(uint64_t(in.size()));
        tail.push_back(len.bytes());
        if (!in.isEmpty())
            tail.push_back(in);
    }
    return frameOf(MsgType::Task, w.bytes(), std::move(tail));
}

OutFrame encodeEvents(const Event* events, size_t count)
{
    Writer w;
    w.put<uint32_t>(uint32_t(count));
    w.bytes().append(reinterpret_cast<const char*>(events), qsizetype(count * sizeof(Event)));
    return frameOf(MsgType::Events, w.bytes());
}

OutFrame encodeResult(const ResultMsg& m)
{
    Writer w;
    w.put(m.taskId);
    w.put<uint8_t>(m.ok ? 1 : 0);
    w.putString(m.error);
    w.put(m.metaTags);
    w.put(m.bytesFetched);
    w.put(m.cpuNs);
    w.put<uint64_t>(uint64_t(m.value.size()));
    return frameOf(MsgType::Result, w.bytes(), { m.value });
}

OutFrame encodeShutdown()
{
    return frameOf(MsgType::Shutdown, QByteArray());
}

OutFrame encodeError(const QString& message)
{
    Writer w;
    w.putString(message);
    return frameOf(MsgType::Error, w.bytes());
}

bool decodeHello(const QByteArray& body, HelloMsg* out, QString* error)
{
    Reader r(body, "hello");
    r.get(&out->version) && r.get(&out->pid) && r.get(&out->initNs);
    return r.finish(error);
}

bool decodeTask(const QByteArray& body, TaskMsg* out, QString* error)
{
    out->storage = body;
    Reader r(out->storage, "task");
    uint32_t count = 0;
    if (r.get(&out->runStartNs) && r.get(&out->taskId) && r.get(&out->workerId) && r.get(&out->regexBytesPerMs)
        && r.get(&out->hashBytesPerMs) && r.get(&count)) {
        if (count > uint32_t(body.size()))
            r.fail(QStringLiteral("%1 steps in %2 bytes").arg(count).arg(body.size()));
        out->steps.clear();
        for (uint32_t i = 0; i < count; ++i) {
            uint8_t kind = 0, a = 0, b = 0;
            Step s;
            if (!r.get(&kind))
                break;
            if (kind == uint8_t(StepKind::Compute)) {
                s.kind = StepKind::Compute;
                if (!r.get(&s.compute.ms) || !r.get(&a) || !r.get(&b) || !r.get(&s.compute.payloadBytes))
                    break;
                if (a > uint8_t(Kernel::Hash) || b > uint8_t(GilBehaviour::Releases)) {
                    r.fail(QStringLiteral("step %1: unknown kernel %2 or GIL behaviour %3").arg(i + 1).arg(a).arg(b));
                    break;
                }
                s.compute.kernel = Kernel(a);
                s.compute.gil = GilBehaviour(b);
            } else if (kind == uint8_t(StepKind::Fetch)) {
                s.kind = StepKind::Fetch;
                if (!r.getString(&s.fetch.url) || !r.get(&a))
                    break;
                s.fetch.client = a == uint8_t(FetchClient::Blocking) ? FetchClient::Blocking : FetchClient::Async;
            } else if (kind == uint8_t(StepKind::Sleep)) {
                s.kind = StepKind::Sleep;
                if (!r.get(&s.sleep.ms))
                    break;
            } else {
                r.fail(QStringLiteral("step %1: unknown step kind %2").arg(i + 1).arg(kind));
                break;
            }
            out->steps.push_back(s);
        }
        out->inputs.assign(out->steps.size(), QByteArray());
        for (size_t i = 0; i < out->steps.size(); ++i) {
            if (!r.getBytes(&out->inputs[i], &out->storage))
                break;
        }
    }
    return r.finish(error);
}

bool decodeEvents(const QByteArray& body, std::vector<Event>* out, QString* error)
{
    Reader r(body, "events");
    uint32_t count = 0;
    if (r.get(&count)) {
        if (uint64_t(count) * sizeof(Event) != uint64_t(body.size()) - sizeof count) {
            r.fail(QStringLiteral("%1 events do not fill %2 bytes").arg(count).arg(body.size()));
        } else {
            const size_t at = out->size();
            out->resize(at + count);
            std::memcpy(out->data() + at, body.constData() + sizeof count, count * sizeof(Event));
            return true;
        }
    }
    return r.finish(error);
}

bool decodeResult(const QByteArray& body, ResultMsg* out, QString* error)
{
    out->storage = body;
    Reader r(out->storage, "result");
    uint8_t ok = 0;
    if (r.get(&out->taskId) && r.get(&ok) && r.getString(&out->error) && r.get(&out->metaTags)
        && r.get(&out->bytesFetched) && r.get(&out->cpuNs) && r.getBytes(&out->value, &out->storage))
        out->ok = ok != 0;
    return r.finish(error);
}

bool decodeError(const QByteArray& body, QString* message, QString* error)
{
    Reader r(body, "error");
    r.getString(message);
    return r.finish(error);
}

bool sendFrame(int fd, const OutFrame& frame, QString* error)
{
    for (const QByteArray& chunk : frame.chunks) {
        const char* p = chunk.constData();
        size_t left = size_t(chunk.size());
        while (left > 0) {
            const ssize_t n = ::send(fd, p, left, MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                if (error)
                    *error = QStringLiteral("cannot write to the other process: %1")
                                 .arg(QString::fromLocal8Bit(strerror(errno)));
                return false;
            }
            p += n;
            left -= size_t(n);
        }
    }
    return true;
}

} // namespace taskline::wire
