#include "engine/ring_files.h"

#include <linux/io_uring.h>

#include <algorithm>

#include "engine/arg_query.h"
#include "model/xlat_tables.h"

namespace sctrace {

std::optional<int> direct_key(int ring_fd, std::uint32_t slot) {
    if (ring_fd < 0 || ring_fd >= kMaxDirectRingFd || slot >= kMaxRingFiles) return std::nullopt;
    const std::int64_t offset = static_cast<std::int64_t>(ring_fd) * kMaxRingFiles + slot;
    return static_cast<int>(static_cast<std::int64_t>(kFirstDirectKey) + offset);
}

int direct_ring_fd(int key) {
    const std::int64_t offset = static_cast<std::int64_t>(key) - kFirstDirectKey;
    return static_cast<int>(offset / kMaxRingFiles);
}

std::uint32_t direct_slot(int key) {
    const std::int64_t offset = static_cast<std::int64_t>(key) - kFirstDirectKey;
    return static_cast<std::uint32_t>(offset % kMaxRingFiles);
}

RingFiles::Slot RingFiles::slot(int ring_fd, std::uint32_t at) const {
    const auto ring = rings_.find(ring_fd);
    if (ring == rings_.end()) return {};
    const Table& table = ring->second;
    if (const auto s = table.slots.find(at); s != table.slots.end()) return s->second;
    Slot s;
    if (at < table.known_below) s.kind = SlotKind::Empty;
    return s;
}

void RingFiles::set_table(int ring_fd, std::uint32_t size, std::uint32_t known_below) {
    drop(ring_fd);
    Table& table = rings_[ring_fd];
    table.known_below = std::min(size, known_below);
}

void RingFiles::set_slot(int ring_fd, std::uint32_t at, Slot value) {
    Table& table = rings_[ring_fd];
    const auto [it, added] = table.slots.try_emplace(at, value);
    if (!added) {
        count(it->second, -1);
        it->second = value;
    }
    count(value, +1);
}

bool RingFiles::forget_slots(int ring_fd, std::uint32_t from, std::uint32_t n) {
    // A few slots are marked one by one; a wide range costs the whole table
    // (updates name a handful of slots, and silence is never wrong).
    constexpr std::uint32_t kMarkedAtMost = 256;
    if (n == 0 || n > kMarkedAtMost) {
        drop(ring_fd);
        return true;
    }
    for (std::uint64_t at = from; at < static_cast<std::uint64_t>(from) + n; ++at) {
        set_slot(ring_fd, static_cast<std::uint32_t>(at), Slot{});
    }
    return false;
}

void RingFiles::drop(int ring_fd) {
    const auto ring = rings_.find(ring_fd);
    if (ring == rings_.end()) return;
    for (const auto& [at, s] : ring->second.slots) count(s, -1);
    rings_.erase(ring);
}

void RingFiles::clear() {
    rings_.clear();
    linked_ = 0;
}

namespace {

// A number the tree spells as a number, or by a name of `table` (a log's
// dialect: "IORING_REGISTER_FILES").
std::optional<std::int64_t> number_or_name(const ArgTree& tree, NodeId id, const XlatTable& table) {
    if (id == kNoNode) return std::nullopt;
    if (const auto v = tree.int_value(id)) return v;
    const std::string_view name = tree.name(id);
    if (const auto v = table.value_of(name.substr(0, name.find_first_of(" |")))) {
        return static_cast<std::int64_t>(*v);
    }
    return std::nullopt;
}

// The fds an array node shows, up to the first that is not a number (an
// unreadable element) or the array's end.
void shown_fds(const ArgTree& tree, NodeId array, std::vector<std::int64_t>& out) {
    if (array == kNoNode || tree.node(array).kind != ArgKind::Array) return;
    for (const NodeId c : tree.children(array)) {
        const auto v = number_or_name(tree, c, xlat::io_uring_files_update_fds);
        if (!v) return;
        out.push_back(*v);
    }
}

std::uint32_t count_of(std::optional<std::int64_t> v) {
    return v && *v > 0 ? static_cast<std::uint32_t>(std::min<std::int64_t>(*v, kMaxRingFiles)) : 0;
}

}  // namespace

std::optional<FilesChange> files_change_of(const SyscallEvent& call) {
    if (!call.decoded || !call.has_result || call.err != 0) return std::nullopt;
    const ArgTree& tree = *call.decoded;
    const auto opcode = number_or_name(tree, arg_node(call, 1), xlat::io_uring_register_opcodes);
    if (!opcode) return std::nullopt;
    // IORING_REGISTER_USE_REGISTERED_RING (1U << 31): the fd is an index into
    // the thread's registered rings.
    constexpr std::int64_t kRegisteredRing = std::int64_t{1} << 31;
    const std::int64_t op = *opcode & (kRegisteredRing - 1);
    FilesChange change;
    const auto ring = arg_fd(call, 0);
    change.ring_fd = ring.value_or(-1);
    const NodeId arg = arg_node(call, 2);
    switch (op) {
        case IORING_REGISTER_FILES:
            change.kind = FilesChange::Kind::Table;
            change.count = count_of(arg_int(call, 3));
            shown_fds(tree, arg, change.fds);
            break;
        case IORING_REGISTER_FILES2: {
            change.kind = FilesChange::Kind::Table;
            const NodeId s =
                arg != kNoNode && tree.node(arg).kind == ArgKind::Struct ? arg : kNoNode;
            change.count = count_of(tree.int_value(tree.member(s, "nr")));
            if (tree.has_flag(tree.member(s, "flags"), "IORING_RSRC_REGISTER_SPARSE")) {
                change.sparse = true;
            } else {
                shown_fds(tree, tree.member(s, "data"), change.fds);
            }
            break;
        }
        case IORING_REGISTER_FILES_UPDATE:
        case IORING_REGISTER_FILES_UPDATE2: {
            change.kind = FilesChange::Kind::Update;
            const NodeId s =
                arg != kNoNode && tree.node(arg).kind == ArgKind::Struct ? arg : kNoNode;
            const auto offset = tree.int_value(tree.member(s, "offset"));
            if (!offset || *offset < 0 || *offset >= kMaxRingFiles) {
                change.kind = FilesChange::Kind::Unknown;  // which slots: not known
                break;
            }
            change.first = static_cast<std::uint32_t>(*offset);
            // The kernel updates the first `ret` of them.
            change.count = count_of(call.ret);
            shown_fds(tree, tree.member(s, op == IORING_REGISTER_FILES_UPDATE ? "fds" : "data"),
                      change.fds);
            if (change.fds.size() > change.count) change.fds.resize(change.count);
            break;
        }
        case IORING_UNREGISTER_FILES:
            change.kind = FilesChange::Kind::Unregister;
            break;
        default:
            return std::nullopt;
    }
    if ((*opcode & kRegisteredRing) || !ring || *ring < 0) {
        change.kind = FilesChange::Kind::Unknown;
        change.ring_fd = -1;
    }
    if (change.fds.size() > change.count) change.fds.resize(change.count);
    return change;
}

}  // namespace sctrace
