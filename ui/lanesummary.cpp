#include "lanesummary.h"

namespace taskline {

int LaneSummary::levelFor(double maxItemNs)
{
    int level = -1;
    while (level + 1 < kLevels && double(levelWidth(level + 1)) <= maxItemNs)
        ++level;
    return level;
}

void LaneSummary::close(Open& open, std::vector<Item>& out)
{
    if (!open.active)
        return;
    Item item = open.item;
    item.key = open.best;
    if (open.members > 1)
        item.ref = -1;
    out.push_back(item);
    open.active = false;
    open.members = 0;
    for (uint32_t keys = open.touched; keys; keys &= keys - 1)
        open.keyNs[size_t(__builtin_ctz(keys))] = 0;
    open.touched = 0;
}

void LaneSummary::add(int64_t startNs, int64_t endNs, int ref, int task, int key, int mark)
{
    const int64_t duration = endNs - startNs;
    for (int level = 0; level < kLevels; ++level) {
        Open& open = m_open[size_t(level)];
        std::vector<Item>& out = m_levels[size_t(level)];
        const int64_t width = levelWidth(level);
        // Merge while the item stays within the level's width and the gap before the span is small; a gap of a
        // quarter item would paint as activity where there was none.
        const bool merge = open.active && duration < width && endNs - open.item.startNs <= width
            && startNs - open.item.endNs <= width / 4;
        if (!merge) {
            close(open, out);
            if (duration >= width) {
                out.push_back({ startNs, endNs, ref, task, uint8_t(key), uint8_t(mark) });
                continue;
            }
            open.active = true;
            open.item = { startNs, endNs, ref, task, uint8_t(key), uint8_t(mark) };
            open.best = uint8_t(key);
        } else {
            open.item.endNs = endNs;
            if (open.item.task != task)
                open.item.task = -1;
            if (mark)
                open.item.mark = uint8_t(mark);
        }
        ++open.members;
        open.keyNs[size_t(key)] += duration > 0 ? duration : 1;
        open.touched |= 1u << key;
        if (open.keyNs[size_t(key)] > open.keyNs[open.best])
            open.best = uint8_t(key);
    }
}

bool LaneSummary::pending(int level, Item* out) const
{
    const Open& open = m_open[size_t(level)];
    if (!open.active)
        return false;
    *out = open.item;
    out->key = open.best;
    if (open.members > 1)
        out->ref = -1;
    return true;
}

} // namespace taskline
