#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace taskline {

// One lane's level-of-detail summary, Perfetto's mipmaps: at level L the lane's spans are merged into items at most
// levelWidth(L) long, each carrying the colour key that takes most of its time. Painting zoomed out reads the level
// whose items are at most a few pixels wide, so a frame costs O(pixels) per lane instead of O(spans).
// Built incrementally from closed spans in start order (a lane's spans do not overlap); spans still open stay out
// until they close, and the painter draws them from the store.
// Thread: the owner's (the renderer's).
class LaneSummary
{
public:
    static constexpr int kLevels = 9;
    static constexpr int64_t kLevel0Ns = 64'000; // 64 µs, ×4 per level: 256 µs, 1 ms, … 4.2 s
    static constexpr int kKeys = 24; // colour keys (see timelinerenderer_p.h)

    struct Item
    {
        int64_t startNs;
        int64_t endNs;
        int32_t ref; // the span's index when the item is one span (then drawn like the span when wide), else -1
        int32_t task; // the task of every span in the item, or -1 when they belong to several
        uint8_t key; // colour key of the state that takes most of the item's time
        uint8_t mark; // 0, or the colour key of a task end (done/failed) inside the item
    };

    static int64_t levelWidth(int level) { return kLevel0Ns << (2 * level); }
    // The coarsest level whose items are at most maxItemNs long, or -1 when even level 0 is too coarse (then the
    // painter draws the spans themselves).
    static int levelFor(double maxItemNs);

    // A closed span; spans come in start order.
    void add(int64_t startNs, int64_t endNs, int ref, int task, int key, int mark);
    // Items of `level`, sorted by start, not overlapping; the item still being merged is pending().
    const std::vector<Item>& items(int level) const { return m_levels[std::size_t(level)]; }
    // The item still collecting spans at `level`, if any (false when none).
    bool pending(int level, Item* out) const;

    std::size_t consumed = 0; // how far the lane's source list has been read (by the owner)

private:
    struct Open
    {
        bool active = false;
        Item item {};
        int members = 0;
        uint8_t best = 0; // the key with the most time so far
        uint32_t touched = 0; // keys with time, to clear only those
        std::array<int64_t, kKeys> keyNs {};
    };
    static void close(Open& open, std::vector<Item>& out);

    std::array<std::vector<Item>, kLevels> m_levels;
    std::array<Open, kLevels> m_open;
};

} // namespace taskline
