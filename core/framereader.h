#pragma once

#include "workerprotocol.h"

#include <QByteArray>
#include <QString>
#include <cstddef>

namespace taskline::wire {

// Reads frames of the worker protocol from a socket, one at a time and never past the end of the current frame
// (so a frame is complete or still arriving, never mixed with the next one). Works on blocking sockets (the
// worker: readFrom returns when a frame is complete) and non-blocking ones (the app's poll loop: NeedMore when
// the socket ran dry). The header is checked as soon as it is in: another magic or version is an Error with a
// message naming both versions, before any body is read.
// Thread: the one that owns the socket.
class FrameReader
{
public:
    enum class Status
    {
        Frame, // a whole frame arrived: type() and body() until the next readFrom()
        NeedMore, // non-blocking socket: nothing more to read now
        Eof, // the peer closed the socket (partial(): in the middle of a frame)
        Error, // a bad header or a socket error: error() says which
    };

    Status readFrom(int fd);

    MsgType type() const { return m_type; }
    const QByteArray& body() const { return m_body; }
    QByteArray takeBody() { return std::move(m_body); }
    const QString& error() const { return m_error; }
    bool partial() const { return !m_complete && (m_have > 0 || m_headerDone); }
    uint64_t bytesRead() const { return m_total; }

    // Checks a header; returns the body length, or -1 with *error set.
    static int64_t checkHeader(const char* header, MsgType* type, QString* error);

private:
    // One recv(): Frame (meaning: got some bytes), NeedMore, Eof or Error.
    Status recvSome(int fd, char* dst, size_t want, size_t* got);

    char m_header[kHeaderBytes];
    size_t m_have = 0; // header bytes read so far
    bool m_headerDone = false;
    bool m_complete = false; // the frame in m_type/m_body is whole and was handed out
    QByteArray m_body;
    size_t m_bodyLen = 0;
    size_t m_bodyHave = 0;
    MsgType m_type = MsgType::Hello;
    QString m_error;
    uint64_t m_total = 0;
};

} // namespace taskline::wire
