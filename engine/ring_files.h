// An io_uring's own descriptor table, as the state follows it: the files
// registered with io_uring_register (IORING_REGISTER_FILES ...) and the
// direct descriptors operations install into it (a nonzero file_index).
// A submission with IOSQE_FIXED_FILE names a slot of this table, not a
// process fd (docs/decoders.md, "Fixed files and direct descriptors").
//
// A slot refers to a file, not a number: registering fd 4 gives the slot its
// own reference to the file fd 4 named then, and the process may close fd 4
// and go on using the slot. So a slot is either
//   - linked to the process fd it was registered from, while that fd still
//     names the same open file (FdState::generation): an operation on the
//     slot is judged as its twin on that fd;
//   - a direct descriptor: the file lives in the ring alone (installed by a
//     direct SOCKET/ACCEPT/OPENAT, or registered from a fd the process has
//     closed since). Its FdState is kept in the process's FdTable under a
//     key no process fd can have (direct_key), so the fd rules judge it as
//     they judge a process fd;
//   - empty (registered as -1, sparse, or closed), or
//   - unknown (a registration the trace did not see whole, an update it
//     cannot read): an operation on it is not followed at all, so the rules
//     stay silent rather than guess.
#pragma once

#include <climits>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "model/event.h"

namespace sctrace {

// The kernel's bound on a ring's table (IORING_MAX_FIXED_FILES).
inline constexpr std::uint32_t kMaxRingFiles = 1u << 20;
// Direct descriptors are keyed for rings whose fd is below this: the key
// packs the ring fd and the slot into the negative ints below -2^30, far
// from -1 and AT_FDCWD (-100). A ring on a higher fd has its direct
// descriptors not followed.
inline constexpr int kMaxDirectRingFd = 1 << 10;
// The lowest and highest key a direct descriptor can have.
inline constexpr int kFirstDirectKey = INT_MIN;
inline constexpr int kLastDirectKey =
    INT_MIN + kMaxDirectRingFd * static_cast<int>(kMaxRingFiles) - 1;

// The key of slot `slot` of the ring on `ring_fd`; nullopt outside the bounds.
std::optional<int> direct_key(int ring_fd, std::uint32_t slot);
inline bool is_direct_key(int key) {
    return key >= kFirstDirectKey && key <= kLastDirectKey;
}
// What a key names (is_direct_key(key) must hold).
int direct_ring_fd(int key);
std::uint32_t direct_slot(int key);

// One process's rings' tables, by ring fd.
class RingFiles {
public:
    enum class SlotKind : std::uint8_t { Unknown, Empty, Linked, Direct };
    struct Slot {
        SlotKind kind = SlotKind::Unknown;
        int fd = -1;                   // Linked: the process fd it was registered from
        std::uint64_t generation = 0;  // Linked: the open file that fd named then
    };

    Slot slot(int ring_fd, std::uint32_t slot) const;

    // A new table of `size` empty slots (IORING_REGISTER_FILES, FILES2),
    // replacing any; slots from `known_below` on are unknown (the
    // registration's array was shown only that far).
    void set_table(int ring_fd, std::uint32_t size, std::uint32_t known_below);
    void set_slot(int ring_fd, std::uint32_t slot, Slot value);
    // The `count` slots from `from` on are unknown from now on. True when
    // that took the whole table (count 0, or too many to mark one by one):
    // the caller then lets go of every direct descriptor of the ring.
    bool forget_slots(int ring_fd, std::uint32_t from, std::uint32_t count);
    // The ring has no table (IORING_UNREGISTER_FILES), or is gone.
    void drop(int ring_fd);
    void clear();
    bool has_ring(int ring_fd) const { return rings_.contains(ring_fd); }

    // Whether some slot is linked to a process fd (so that a close of one
    // must ask which).
    bool any_linked() const { return linked_ > 0; }
    // Calls f(ring_fd, slot) for each slot linked to `fd` with `generation`.
    template <typename F>
    void for_each_linked(int fd, std::uint64_t generation, F&& f) const {
        if (linked_ == 0) return;
        for (const auto& [ring_fd, table] : rings_) {
            for (const auto& [at, s] : table.slots) {
                if (s.kind == SlotKind::Linked && s.fd == fd && s.generation == generation) {
                    f(ring_fd, at);
                }
            }
        }
    }

private:
    struct Table {
        // Slots below this without an entry are empty; the others unknown.
        std::uint32_t known_below = 0;
        std::map<std::uint32_t, Slot> slots;  // the slots not described by known_below
    };
    void count(const Slot& s, int delta) {
        if (s.kind == SlotKind::Linked) linked_ += delta;
    }
    std::map<int, Table> rings_;
    std::int64_t linked_ = 0;
};

// What a successful io_uring_register call did to its ring's table, read
// from its decoded arguments (live, or parsed back from sctrace's JSONL
// log: the same tree, in strace's notation).
struct FilesChange {
    enum class Kind : std::uint8_t {
        Table,       // IORING_REGISTER_FILES, FILES2: a new table of `count` slots
        Update,      // IORING_REGISTER_FILES_UPDATE(2): `count` slots from `first`
        Unregister,  // IORING_UNREGISTER_FILES: no table
        Unknown,     // the ring is named by a registered index, not its fd: which
                     // table changed is not known
    };
    Kind kind = Kind::Unknown;
    int ring_fd = -1;
    std::uint32_t first = 0;
    std::uint32_t count = 0;
    // Table: every slot empty (IORING_RSRC_REGISTER_SPARSE); `fds` is empty.
    bool sparse = false;
    // The values shown, from `first` on: an fd, -1 for an empty slot,
    // IORING_REGISTER_FILES_SKIP (-2) for one left alone. Fewer than
    // `count` when the array was cut short (strace's -s): the rest are not
    // known.
    std::vector<std::int64_t> fds;
};
// nullopt: the call does nothing to a table of registered files (another
// opcode, or it failed).
std::optional<FilesChange> files_change_of(const SyscallEvent& call);

}  // namespace sctrace
