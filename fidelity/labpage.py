"""The lab server's HTML pages, byte for byte (a port of makeLabHtml in core/labhtml.cpp).

Compute steps in the reference runner work on the same data as Taskline's: a page of B bytes holding
<meta ...> tags every 150-400 bytes, reproducible from a seed. test_fidelity checks the port against
the lab server's own answer to GET /delay?bytes=B (seed 0).
"""

_MASK = (1 << 64) - 1

_VOCABULARY = (
    "the thread lock event loop future task worker queue core page fetch regex scan yield await spawn join pool "
    "socket timer state batch trace latency throughput python interpreter global release acquire wait ready "
    "blocked sleep process payload copy result schedule preempt switch interval kernel memory cache signal and"
)

_META_NAMES = (
    b"description", b"keywords", b"author", b"viewport", b"robots", b"generator", b"theme-color",
    b"referrer", b"og:title", b"og:type", b"twitter:card", b"application-name",
)

_FOOTER = b"</body></html>\n"


class _Rng:
    """splitmix64, as in labhtml.cpp."""

    __slots__ = ("state",)

    def __init__(self, state):
        self.state = state & _MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & _MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n


class _Phrases:
    def __init__(self):
        self.words = [w.encode() for w in _VOCABULARY.split(" ")]
        rng = _Rng(0x5EED)

        def phrase(count):
            return b" ".join(self.words[rng.below(len(self.words))] for _ in range(count))

        self.sentences = [phrase(4 + rng.below(9)) + b". " for _ in range(128)]
        self.contents = [phrase(2 + rng.below(8)) for _ in range(64)]


_phrases = None


def _get_phrases():
    global _phrases
    if _phrases is None:
        _phrases = _Phrases()
    return _phrases


def _append_meta(out, rng, ph):
    name = _META_NAMES[rng.below(len(_META_NAMES))]
    out += b'<meta name="' + name + b'" content="' + ph.contents[rng.below(len(ph.contents))] + b'">'


def _append_paragraph(out, rng, ph):
    target = len(out) + 100 + rng.below(230)
    out += b"<p>"
    while len(out) < target:
        out += ph.sentences[rng.below(len(ph.sentences))]
    out += b"</p>\n"


def make_lab_html(size, seed=0):
    """`size` bytes of HTML with <meta> tags, the same bytes as the lab server's page for (size, seed)."""
    if size <= 0:
        return b""
    ph = _get_phrases()
    rng = _Rng((seed & 0xFFFFFFFF) * 0x2545F4914F6CDD1D + 1)
    page = bytearray(b'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Taskline lab page ')
    page += str(seed & 0xFFFFFFFF).encode() + b"</title>\n"
    for _ in range(4):
        _append_meta(page, rng, ph)
        page += b"\n"
    page += b"</head><body>\n<h1>" + ph.contents[rng.below(len(ph.contents))] + b"</h1>\n"

    body_end = size - len(_FOOTER)
    if len(page) >= body_end:
        return bytes(page[:size])
    # Whole paragraph + tag chunks while they fit, then plain words as padding.
    while True:
        before = len(page)
        _append_paragraph(page, rng, ph)
        _append_meta(page, rng, ph)
        page += b"\n"
        if len(page) > body_end:
            del page[before:]
            break
    while len(page) < body_end:
        w = ph.words[rng.below(len(ph.words))]
        page += w[: body_end - len(page)]
        if len(page) < body_end:
            page += b" "
    page += _FOOTER
    return bytes(page)
