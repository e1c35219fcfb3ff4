// The bounded per-key memory of the time constructs (watch, sequence,
// absence, count): a hash table from a rule's `by:` values to what the rule
// remembers for them, capped so a trace with millions of keys (one per fd,
// per thread) cannot grow it without end. When full, the oldest entry (by
// creation) is dropped and counted.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/rules/fields.h"
#include "engine/rules/rule_set.h"

namespace sctrace::rules {

// The values of a rule's `by:` fields for one event. Text values are hashed
// (64-bit FNV-1a), so the key never owns or allocates; two different texts
// that collide would share a key, which at 64 bits we accept.
struct Key {
    std::array<std::int64_t, kMaxKeyFields> v{};
    bool operator==(const Key&) const = default;
};

struct KeyHash {
    std::size_t operator()(const Key& k) const {
        std::uint64_t h = 0x9e3779b97f4a7c15ull;
        for (const std::int64_t x : k.v) {
            h ^= static_cast<std::uint64_t>(x);
            h *= 0xff51afd7ed558ccdull;
            h ^= h >> 33;
        }
        return static_cast<std::size_t>(h);
    }
};

// Reads the key of `by` for the event in `ctx`; false when one of the fields
// does not apply to the event (the rule then ignores the event).
bool read_key(const std::vector<FieldId>& by, EvalContext& ctx, Key& out);

// Keys each rule remembers at most.
inline constexpr std::size_t kMaxKeysPerRule = 4096;

template <typename T>
class KeyedTable {
public:
    struct Slot {
        T value{};
        pid_t pid = 0;  // the process it belongs to: forgotten when it exits
        std::uint64_t seq = 0;
    };

    explicit KeyedTable(std::size_t capacity = kMaxKeysPerRule) : capacity_(capacity) {}

    bool empty() const { return map_.empty(); }
    std::size_t size() const { return map_.size(); }
    // Entries dropped because the table was full.
    std::size_t evicted() const { return evicted_; }

    Slot* find(const Key& key) {
        const auto it = map_.find(key);
        return it == map_.end() ? nullptr : &it->second;
    }

    // The entry for `key`, created (value-initialised) when absent; second is
    // true when it was created.
    std::pair<Slot*, bool> insert(const Key& key, pid_t pid) {
        if (Slot* s = find(key)) return {s, false};
        if (map_.size() >= capacity_) evict_oldest();
        Slot& slot = map_[key];
        slot.pid = pid;
        slot.seq = ++seq_;
        order_.emplace_back(key, slot.seq);
        // Entries erased normally leave stale order items; rebuild the order
        // now and then so it stays proportional to the table.
        if (order_.size() > 2 * map_.size() + 64) rebuild_order();
        return {&slot, true};
    }

    void erase(const Key& key) { map_.erase(key); }

    // Calls f(key, slot) for each entry; erases those for which it returns true.
    template <typename F>
    void erase_if(F f) {
        for (auto it = map_.begin(); it != map_.end();) {
            it = f(it->first, it->second) ? map_.erase(it) : std::next(it);
        }
    }

private:
    void evict_oldest() {
        while (!order_.empty()) {
            const auto [key, seq] = order_.front();
            order_.pop_front();
            const auto it = map_.find(key);
            if (it != map_.end() && it->second.seq == seq) {
                map_.erase(it);
                ++evicted_;
                return;
            }
        }
    }

    void rebuild_order() {
        std::vector<std::pair<std::uint64_t, Key>> live;
        live.reserve(map_.size());
        for (const auto& [key, slot] : map_) live.emplace_back(slot.seq, key);
        std::sort(live.begin(), live.end(),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
        order_.clear();
        for (const auto& [seq, key] : live) order_.emplace_back(key, seq);
    }

    std::size_t capacity_;
    std::unordered_map<Key, Slot, KeyHash> map_;
    std::deque<std::pair<Key, std::uint64_t>> order_;  // creation order, oldest first
    std::uint64_t seq_ = 0;
    std::size_t evicted_ = 0;
};

}  // namespace sctrace::rules
