#include "framereader.h"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>

namespace taskline::wire {

int64_t FrameReader::checkHeader(const char* header, MsgType* type, QString* error)
{
    uint32_t magic = 0, length = 0;
    uint16_t version = 0, t = 0;
    std::memcpy(&magic, header, 4);
    std::memcpy(&version, header + 4, 2);
    std::memcpy(&t, header + 6, 2);
    std::memcpy(&length, header + 8, 4);
    if (magic != kMagic) {
        *error = QStringLiteral("not a taskline worker frame (magic 0x%1, expected 0x%2)")
                     .arg(magic, 8, 16, QLatin1Char('0'))
                     .arg(kMagic, 8, 16, QLatin1Char('0'));
        return -1;
    }
    if (version != kVersion) {
        *error = QStringLiteral("worker protocol version %1 refused: this taskline speaks version %2 (the app and its "
                                "worker processes are different taskline builds)")
                     .arg(version)
                     .arg(kVersion);
        return -1;
    }
    if (t < uint16_t(MsgType::Hello) || t > uint16_t(MsgType::Error)) {
        *error = QStringLiteral("unknown worker message type %1").arg(t);
        return -1;
    }
    if (length > kMaxFrameBytes) {
        *error = QStringLiteral("a %1 message of %2 bytes is larger than the limit of %3 bytes")
                     .arg(QLatin1String(msgTypeName(MsgType(t))))
                     .arg(length)
                     .arg(kMaxFrameBytes);
        return -1;
    }
    *type = MsgType(t);
    return length;
}

FrameReader::Status FrameReader::recvSome(int fd, char* dst, size_t want, size_t* got)
{
    for (;;) {
        const ssize_t n = ::recv(fd, dst, want, 0);
        if (n > 0) {
            *got = size_t(n);
            m_total += uint64_t(n);
            return Status::Frame; // "some bytes"
        }
        if (n == 0)
            return Status::Eof;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return Status::NeedMore;
        if (errno == ECONNRESET)
            return Status::Eof; // the peer died with data unread
        m_error = QStringLiteral("cannot read from the other process: %1").arg(QString::fromLocal8Bit(strerror(errno)));
        return Status::Error;
    }
}

FrameReader::Status FrameReader::readFrom(int fd)
{
    if (m_complete) {
        // The previous frame was handed out: start the next one.
        m_complete = false;
        m_headerDone = false;
        m_have = 0;
    }
    for (;;) {
        size_t got = 0;
        if (!m_headerDone) {
            const Status s = recvSome(fd, m_header + m_have, kHeaderBytes - m_have, &got);
            if (s != Status::Frame)
                return s;
            m_have += got;
            if (m_have < kHeaderBytes)
                continue;
            const int64_t len = checkHeader(m_header, &m_type, &m_error);
            if (len < 0)
                return Status::Error;
            m_headerDone = true;
            m_bodyLen = size_t(len);
            m_bodyHave = 0;
            m_body = QByteArray(qsizetype(m_bodyLen), Qt::Uninitialized);
        }
        if (m_bodyHave == m_bodyLen) {
            m_complete = true;
            return Status::Frame;
        }
        const Status s = recvSome(fd, m_body.data() + m_bodyHave, m_bodyLen - m_bodyHave, &got);
        if (s != Status::Frame)
            return s;
        m_bodyHave += got;
    }
}

} // namespace taskline::wire
