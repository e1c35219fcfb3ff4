#include "sources/live/io_uring_tracker.h"

#include <algorithm>
#include <cstring>

namespace sctrace {

namespace {

// Setup flags and mmap offsets newer than the build's <linux/io_uring.h>
// (Debian 12 ships 6.1's); the values are kernel ABI.
constexpr std::uint32_t kSetupSqe128 = 1u << 10;
constexpr std::uint32_t kSetupCqe32 = 1u << 11;
constexpr std::uint32_t kSetupNoSqArray = 1u << 16;  // 6.6: no SQ index array
constexpr std::uint64_t kOffSqRing = 0;
constexpr std::uint64_t kOffCqRing = 0x8000000ull;
constexpr std::uint64_t kOffSqes = 0x10000000ull;
constexpr std::uint64_t kOffMmapMask = 0xf8000000ull;
constexpr std::uint32_t kEnterRegisteredRing = 1u << 4;

bool read_u32(MemoryReader& memory, std::uint64_t addr, std::uint32_t& out) {
    return memory.read(addr, {reinterpret_cast<char*>(&out), sizeof out}) == sizeof out;
}

// A NUL-terminated string into `buf` (page by page, so a string that ends
// just before an unmapped page still reads). Empty when unreadable; cut at
// the buffer's size.
std::string_view read_cstring(MemoryReader& memory, std::uint64_t addr, std::span<char> buf) {
    if (addr == 0) return {};
    std::size_t have = 0;
    while (have < buf.size()) {
        const std::uint64_t at = addr + have;
        const std::size_t in_page = 4096 - static_cast<std::size_t>(at % 4096);
        const std::size_t want = std::min(in_page, buf.size() - have);
        const std::size_t got = memory.read(at, buf.subspan(have, want));
        if (const void* nul = std::memchr(buf.data() + have, '\0', got)) {
            return {buf.data(),
                    static_cast<std::size_t>(static_cast<const char*>(nul) - buf.data())};
        }
        have += got;
        if (got < want) break;
    }
    return {buf.data(), have};
}

}  // namespace

std::uint64_t IoUringRing::sqe_size() const {
    return (setup_flags & kSetupSqe128) ? 128 : 64;
}

std::uint64_t IoUringRing::cqe_size() const {
    return (setup_flags & kSetupCqe32) ? 32 : 16;
}

void IoUringTracker::on_setup(pid_t tid, int fd, const io_uring_params& params) {
    if (fd < 0 || params.sq_entries == 0 || params.cq_entries == 0) return;
    // Ring sizes are powers of two (the masks depend on it); anything else
    // is not a params struct the kernel filled.
    if ((params.sq_entries & (params.sq_entries - 1)) != 0 ||
        (params.cq_entries & (params.cq_entries - 1)) != 0) {
        return;
    }
    on_close(fd);  // a stale entry for a reused fd number
    if (rings_.size() >= kMaxRings) return;
    IoUringRing ring;
    ring.fd = fd;
    ring.creator_tid = tid;
    ring.setup_flags = params.flags;
    ring.features = params.features;
    ring.sq_entries = params.sq_entries;
    ring.cq_entries = params.cq_entries;
    ring.sq_off = params.sq_off;
    ring.cq_off = params.cq_off;
    rings_.push_back(ring);
}

void IoUringTracker::on_mmap(std::uint64_t addr, std::uint64_t len, int fd, std::uint64_t offset) {
    (void)len;
    IoUringRing* ring = find_mut(fd);
    if (!ring || addr == 0) return;
    switch (offset & kOffMmapMask) {
        case kOffSqRing:
            ring->sq_ring = addr;
            if (ring->features & IORING_FEAT_SINGLE_MMAP) ring->cq_ring = addr;
            break;
        case kOffCqRing:
            ring->cq_ring = addr;
            break;
        case kOffSqes:
            ring->sqes = addr;
            break;
        default:
            break;  // provided-buffer rings and the like: not followed
    }
}

void IoUringTracker::on_munmap(std::uint64_t addr, std::uint64_t len) {
    const auto inside = [&](std::uint64_t a) { return a != 0 && a >= addr && a - addr < len; };
    for (IoUringRing& ring : rings_) {
        if (inside(ring.sq_ring)) ring.sq_ring = 0;
        if (inside(ring.cq_ring)) ring.cq_ring = 0;
        if (inside(ring.sqes)) ring.sqes = 0;
    }
}

void IoUringTracker::on_close(int fd) {
    // Another fd for the same ring (a dup) takes over its entry.
    const auto alias = std::find_if(aliases_.begin(), aliases_.end(),
                                    [&](const auto& a) { return a.first == fd; });
    if (alias != aliases_.end()) {
        aliases_.erase(alias);
        return;
    }
    const auto it = std::find_if(rings_.begin(), rings_.end(),
                                 [&](const IoUringRing& r) { return r.fd == fd; });
    if (it == rings_.end()) return;
    const auto heir = std::find_if(aliases_.begin(), aliases_.end(),
                                   [&](const auto& a) { return a.second == fd; });
    if (heir != aliases_.end()) {
        const int new_fd = heir->first;
        aliases_.erase(heir);
        for (auto& a : aliases_) {
            if (a.second == fd) a.second = new_fd;
        }
        it->fd = new_fd;
        return;
    }
    rings_.erase(it);
}

void IoUringTracker::on_dup(int old_fd, int new_fd) {
    if (old_fd == new_fd) return;
    on_close(new_fd);  // dup2 onto a ring fd closes that one first
    const IoUringRing* ring = find(old_fd);
    if (!ring) return;
    aliases_.emplace_back(new_fd, ring->fd);
}

void IoUringTracker::on_register_ring_fd(unsigned index, int fd) {
    on_unregister_ring_fd(index);
    registered_.emplace_back(index, fd);
}

void IoUringTracker::on_unregister_ring_fd(unsigned index) {
    std::erase_if(registered_, [&](const auto& r) { return r.first == index; });
}

void IoUringTracker::clear() {
    rings_.clear();
    read_at_exit_ = false;
    aliases_.clear();
    registered_.clear();
}

const IoUringRing* IoUringTracker::find(int fd) const {
    for (const auto& [alias, target] : aliases_) {
        if (alias == fd) {
            fd = target;
            break;
        }
    }
    for (const IoUringRing& ring : rings_) {
        if (ring.fd == fd) return &ring;
    }
    return nullptr;
}

IoUringRing* IoUringTracker::find_mut(int fd) {
    return const_cast<IoUringRing*>(find(fd));
}

IoUringRing* IoUringTracker::resolve(int fd, std::uint32_t enter_flags) {
    if (enter_flags & kEnterRegisteredRing) {
        for (const auto& [index, ring_fd] : registered_) {
            if (index == static_cast<unsigned>(fd)) return find_mut(ring_fd);
        }
        return nullptr;
    }
    return find_mut(fd);
}

std::size_t IoUringTracker::on_enter(pid_t tid, int fd, std::uint32_t to_submit,
                                     std::uint32_t flags, MemoryReader& memory,
                                     IoUringEventSink& sink) {
    (void)tid;
    IoUringRing* ring = resolve(fd, flags);
    if (!ring || !ring->mapped()) return 0;
    // With SQPOLL the kernel thread submits and to_submit means nothing:
    // what it took since the last look comes before the completions it may
    // already have posted for them.
    if (ring->sqpoll()) return since_seen(*ring, memory, sink);
    // Otherwise this call consumes the SQEs from the head, and every
    // completion already in the queue is of an earlier call's submissions:
    // the program may have taken it from the ring without a syscall (libuv
    // does, woken by the ring's eventfd) and reused its user_data for what
    // it submits now. They come first, or a completion would seem to
    // belong to a submission made after it.
    std::size_t n = completions(*ring, memory, sink);
    return n + submissions_from_head(*ring, to_submit, memory, sink);
}

std::size_t IoUringTracker::on_enter_exit(pid_t tid, int fd, std::uint32_t flags,
                                          MemoryReader& memory, IoUringEventSink& sink) {
    (void)tid;
    IoUringRing* ring = resolve(fd, flags);
    if (!ring || !ring->mapped()) return 0;
    return ring->sqpoll() ? since_seen(*ring, memory, sink) : completions(*ring, memory, sink);
}

std::size_t IoUringTracker::sample(MemoryReader& memory, IoUringEventSink& sink) {
    std::size_t n = 0;
    for (IoUringRing& ring : rings_) {
        if (!ring.mapped()) continue;
        // A ring the program enters gets its submissions read at the
        // enter; its completions may already be there (reaped without a
        // syscall), and the state's operations in flight must not wait
        // for the next enter to learn of them.
        n += ring.sqpoll() ? since_seen(ring, memory, sink) : completions(ring, memory, sink);
    }
    return n;
}

std::size_t IoUringTracker::read_at_exit(MemoryReader& memory, IoUringEventSink& sink) {
    // Whether every completion the kernel posted is now reported: not when
    // a ring cannot be read (unmapped while its fd stays open), when some
    // were overwritten before this look, or when the kernel holds some in
    // its overflow list (the CQ ring was full; they reach the ring only
    // when the program enters it again, which it will not).
    bool all = true;
    std::size_t n = 0;
    for (IoUringRing& ring : rings_) {
        std::uint32_t sq_flags = 0;
        if (!ring.mapped() || !read_u32(memory, ring.sq_ring + ring.sq_off.flags, sq_flags)) {
            all = false;
            continue;
        }
        // Only an SQPOLL ring's kernel thread takes entries past the last
        // io_uring_enter (another ring's are prepared, never submitted):
        // since_seen() reads its submissions with the completions.
        const std::uint64_t lost = ring.lost_completions;
        n += ring.sqpoll() ? since_seen(ring, memory, sink) : completions(ring, memory, sink);
        if (ring.lost_completions != lost || (sq_flags & IORING_SQ_CQ_OVERFLOW)) all = false;
    }
    read_at_exit_ = all;
    return n;
}

std::size_t IoUringTracker::submissions_from_head(IoUringRing& ring, std::uint32_t to_submit,
                                                  MemoryReader& memory, IoUringEventSink& sink) {
    std::uint32_t head = 0;
    std::uint32_t tail = 0;
    if (!read_u32(memory, ring.sq_ring + ring.sq_off.head, head) ||
        !read_u32(memory, ring.sq_ring + ring.sq_off.tail, tail)) {
        return 0;
    }
    // Unsigned differences: the counters wrap at 2^32.
    const std::uint32_t ready = std::min(tail - head, ring.sq_entries);
    const std::uint32_t count = std::min(ready, to_submit);
    std::size_t n = 0;
    for (std::uint32_t i = 0; i < count; ++i) {
        if (report_sqe(ring, head + i, IoUringSeenAt::Enter, memory, sink)) ++n;
    }
    ring.sq_seen = head + count;
    return n;
}

std::size_t IoUringTracker::since_seen(IoUringRing& ring, MemoryReader& memory,
                                       IoUringEventSink& sink) {
    std::uint32_t tail = 0;
    if (!read_u32(memory, ring.sq_ring + ring.sq_off.tail, tail)) {
        return completions(ring, memory, sink);
    }
    std::uint32_t from = ring.sq_seen;
    const std::uint32_t fresh = tail - from;
    if (fresh > 0x80000000u) {  // we are ahead: the ring was reset under us
        from = tail;
    } else if (fresh > ring.sq_entries) {
        // More went by than the ring holds: the oldest slots were reused.
        ring.lost_submissions += fresh - ring.sq_entries;
        from = tail - ring.sq_entries;
    }
    ring.sq_seen = tail;
    // The kernel thread took these in order and may have completed several
    // of them already (a CLOSE, the SOCKET that got its number back, a
    // CONNECT on it): each completion comes right after its own submission,
    // and after every submission made before that one, so that the state
    // sees each number's files in the order they held it. A completion of
    // a submission reported before (an earlier look's) is that one's, even
    // when one of this look's has the same user_data.
    batch_.clear();
    for (std::uint32_t pos = from; pos != tail; ++pos) {
        io_uring_sqe raw;
        if (read_sqe(ring, pos, memory, raw)) {
            batch_.emplace_back(raw.user_data, raw.flags);
        } else {
            batch_.emplace_back(kNoUserData, 0);
        }
    }
    std::size_t n = 0;
    std::uint32_t next = from;  // the next submission to report
    const auto report_to = [&](std::uint32_t end) {
        for (; next != end; ++next) {
            if (report_sqe(ring, next, IoUringSeenAt::Sampled, memory, sink)) ++n;
            const auto [user_data, flags] = batch_[next - from];
            // Success posts nothing: it would wait for a completion forever.
            if (!(flags & IOSQE_CQE_SKIP_SUCCESS) && user_data != kNoUserData &&
                (ring.outstanding.size() < IoUringRing::kMaxOutstanding ||
                 ring.outstanding.contains(user_data))) {
                ++ring.outstanding[user_data];
            }
        }
    };
    const auto retire = [&ring](const IoUringCqeEvent& cqe) {
        const auto it = ring.outstanding.find(cqe.user_data);
        if (it == ring.outstanding.end()) return false;
        if (!(cqe.flags & IORING_CQE_F_MORE) && --it->second == 0) ring.outstanding.erase(it);
        return true;
    };
    n += completions(ring, memory, sink, [&](const IoUringCqeEvent& cqe) {
        if (retire(cqe)) return;
        const std::uint32_t window = std::min<std::uint32_t>(tail - next, kMatchWindow);
        for (std::uint32_t i = 0; i < window; ++i) {
            if (batch_[next - from + i].first == cqe.user_data) {
                report_to(next + i + 1);
                retire(cqe);
                return;
            }
        }
    });
    report_to(tail);
    return n;
}

bool IoUringTracker::read_sqe(const IoUringRing& ring, std::uint32_t position, MemoryReader& memory,
                              io_uring_sqe& raw) {
    const std::uint32_t slot = position & (ring.sq_entries - 1);
    std::uint32_t index = slot;
    if (!(ring.setup_flags & kSetupNoSqArray) && ring.sq_off.array != 0) {
        if (!read_u32(memory, ring.sq_ring + ring.sq_off.array + 4ull * slot, index)) return false;
    }
    if (index >= ring.sq_entries) return false;  // the kernel drops it too (sq "dropped")
    static_assert(sizeof raw == 64);
    return memory.read(ring.sqes + index * ring.sqe_size(),
                       {reinterpret_cast<char*>(&raw), sizeof raw}) == sizeof raw;
}

bool IoUringTracker::report_sqe(const IoUringRing& ring, std::uint32_t position,
                                IoUringSeenAt seen_at, MemoryReader& memory,
                                IoUringEventSink& sink) {
    io_uring_sqe raw;
    if (!read_sqe(ring, position, memory, raw)) return false;
    IoUringSqeEvent e;
    e.ring_fd = ring.fd;
    e.position = position;
    e.seen_at = seen_at;
    e.opcode = raw.opcode;
    e.flags = raw.flags;
    e.ioprio = raw.ioprio;
    e.fd = raw.fd;
    e.off = raw.off;
    e.addr = raw.addr;
    e.len = raw.len;
    e.op_flags = raw.rw_flags;
    e.user_data = raw.user_data;
    e.buf_index = raw.buf_index;
    e.personality = raw.personality;
    e.file_index = raw.file_index;
    e.addr3 = raw.addr3;
    // What the kernel reads from user memory while preparing the request
    // is there now; read it before the process reuses it.
    switch (raw.opcode) {
        case IORING_OP_OPENAT:
        case IORING_OP_OPENAT2:
        case IORING_OP_STATX:
        case IORING_OP_UNLINKAT:
        case IORING_OP_MKDIRAT:
            e.path = read_cstring(memory, raw.addr, path_);
            break;
        case IORING_OP_RENAMEAT:
        case IORING_OP_LINKAT:
        case IORING_OP_SYMLINKAT:
            e.path = read_cstring(memory, raw.addr, path_);
            e.path2 = read_cstring(memory, raw.addr2, path2_);
            break;
        case IORING_OP_CONNECT:
        case 56: {  // IORING_OP_BIND (6.11)
            const std::size_t want = std::min<std::uint64_t>(raw.addr2, sockaddr_.size());
            if (raw.addr != 0 && want > 0 &&
                memory.read(raw.addr, {reinterpret_cast<char*>(sockaddr_.data()), want}) == want) {
                e.sockaddr = {sockaddr_.data(), want};
            }
            break;
        }
        default:
            break;
    }
    sink.on_submit(e);
    return true;
}

std::size_t IoUringTracker::completions(IoUringRing& ring, MemoryReader& memory,
                                        IoUringEventSink& sink) {
    return completions(ring, memory, sink, [](const IoUringCqeEvent&) {});
}

template <typename BeforeEach>
std::size_t IoUringTracker::completions(IoUringRing& ring, MemoryReader& memory,
                                        IoUringEventSink& sink, BeforeEach&& before_each) {
    std::uint32_t head = 0;
    std::uint32_t tail = 0;
    if (!read_u32(memory, ring.cq_ring + ring.cq_off.head, head) ||
        !read_u32(memory, ring.cq_ring + ring.cq_off.tail, tail)) {
        return 0;
    }
    std::uint32_t from = ring.cq_seen;
    if (tail - from > 0x80000000u) from = head;  // we are ahead: the ring was reset under us
    // CQEs the process reaped without a syscall are still in their slots
    // unless the kernel has posted a whole ring's worth since.
    if (tail - from > ring.cq_entries) {
        ring.lost_completions += (tail - from) - ring.cq_entries;
        from = tail - ring.cq_entries;
    }
    std::size_t n = 0;
    for (std::uint32_t pos = from; pos != tail; ++pos) {
        const std::uint64_t at =
            ring.cq_ring + ring.cq_off.cqes +
            static_cast<std::uint64_t>(pos & (ring.cq_entries - 1)) * ring.cqe_size();
        io_uring_cqe raw;
        if (memory.read(at, {reinterpret_cast<char*>(&raw), sizeof raw}) != sizeof raw) break;
        IoUringCqeEvent e;
        e.ring_fd = ring.fd;
        e.position = pos;
        e.user_data = raw.user_data;
        e.res = raw.res;
        e.flags = raw.flags;
        before_each(e);
        sink.on_complete(e);
        ++n;
    }
    ring.cq_seen = tail;
    return n;
}

}  // namespace sctrace
