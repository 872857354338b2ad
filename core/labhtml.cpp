#include "labserver.h"

#include <QList>
#include <algorithm>
#include <string_view>

namespace taskline {

namespace {

// splitmix64: tiny and fast; the page must be reproducible from the seed alone.
struct Rng
{
    uint64_t state;
    uint64_t next()
    {
        uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    int below(int n) { return int(next() % uint64_t(n)); }
};

constexpr std::string_view kVocabulary
    = "the thread lock event loop future task worker queue core page fetch regex scan yield await spawn join pool "
      "socket timer state batch trace latency throughput python interpreter global release acquire wait ready "
      "blocked sleep process payload copy result schedule preempt switch interval kernel memory cache signal and";

constexpr std::string_view kMetaNames[] = {
    "description",
    "keywords",
    "author",
    "viewport",
    "robots",
    "generator",
    "theme-color",
    "referrer",
    "og:title",
    "og:type",
    "twitter:card",
    "application-name",
};

constexpr std::string_view kFooter = "</body></html>\n";

// Sentences and meta contents are drawn once from the vocabulary with a fixed seed; a page then picks whole ones,
// a few random draws per 300 bytes rather than one per word, which makes a 64 MiB page several times faster.
struct Phrases
{
    QList<std::string_view> words;
    QList<QByteArray> sentences; // 4–12 words, ending with ". "
    QList<QByteArray> contents; // 2–9 words, for content="…"

    Phrases()
    {
        for (size_t at = 0; at < kVocabulary.size();) {
            size_t end = kVocabulary.find(' ', at);
            if (end == std::string_view::npos)
                end = kVocabulary.size();
            words.append(kVocabulary.substr(at, end - at));
            at = end + 1;
        }
        Rng rng { 0x5EED };
        const auto phrase = [&](int count) {
            QByteArray out;
            for (int i = 0; i < count; ++i) {
                if (i > 0)
                    out.append(' ');
                const std::string_view w = words[rng.below(int(words.size()))];
                out.append(w.data(), qsizetype(w.size()));
            }
            return out;
        };
        for (int i = 0; i < 128; ++i)
            sentences.append(phrase(4 + rng.below(9)) + ". ");
        for (int i = 0; i < 64; ++i)
            contents.append(phrase(2 + rng.below(8)));
    }
};

const Phrases& phrases()
{
    static const Phrases p; // thread-safe initialisation
    return p;
}

// One <meta name="…" content="…"> of 40–110 bytes.
void appendMeta(QByteArray& out, Rng& rng, const Phrases& ph)
{
    const std::string_view name = kMetaNames[rng.below(int(std::size(kMetaNames)))];
    out.append("<meta name=\"");
    out.append(name.data(), qsizetype(name.size()));
    out.append("\" content=\"");
    out.append(ph.contents[rng.below(int(ph.contents.size()))]);
    out.append("\">");
}

// A paragraph of 100–330 bytes of text, so that meta tags land every 150–400 bytes.
void appendParagraph(QByteArray& out, Rng& rng, const Phrases& ph)
{
    const qsizetype target = out.size() + 100 + rng.below(230);
    out.append("<p>");
    while (out.size() < target)
        out.append(ph.sentences[rng.below(int(ph.sentences.size()))]);
    out.append("</p>\n");
}

} // namespace

QByteArray makeLabHtml(int64_t bytes, uint32_t seed)
{
    if (bytes <= 0)
        return {};
    const Phrases& ph = phrases();
    Rng rng { uint64_t(seed) * 0x2545F4914F6CDD1Dull + 1 };

    QByteArray page;
    page.reserve(qsizetype(bytes));
    page.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Taskline lab page ");
    page.append(QByteArray::number(seed));
    page.append("</title>\n");
    for (int i = 0; i < 4; ++i) {
        appendMeta(page, rng, ph);
        page.append('\n');
    }
    page.append("</head><body>\n<h1>");
    page.append(ph.contents[rng.below(int(ph.contents.size()))]);
    page.append("</h1>\n");

    const qsizetype bodyEnd = qsizetype(bytes) - qsizetype(kFooter.size());
    if (page.size() >= bodyEnd) {
        // Too small for a well-formed page: the head alone, cut to size (still deterministic).
        page.truncate(qsizetype(bytes));
        return page;
    }

    // Whole paragraph + tag chunks while they fit, so that no tag is ever cut in half; then plain words as padding.
    while (true) {
        const qsizetype before = page.size();
        appendParagraph(page, rng, ph);
        appendMeta(page, rng, ph);
        page.append('\n');
        if (page.size() > bodyEnd) {
            page.truncate(before);
            break;
        }
    }
    while (page.size() < bodyEnd) {
        const std::string_view w = ph.words[rng.below(int(ph.words.size()))];
        const qsizetype room = bodyEnd - page.size();
        page.append(w.data(), std::min(qsizetype(w.size()), room));
        if (page.size() < bodyEnd)
            page.append(' ');
    }
    page.append(kFooter.data(), qsizetype(kFooter.size()));
    return page;
}

} // namespace taskline
