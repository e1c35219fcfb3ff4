// The io_uring instances of one traced process, and what goes through them.
//
// strace shows io_uring_setup/enter/register, never the work: a process can
// open, stat, connect and read through a ring with no other syscall at all.
// This tracker knows where each ring lives in the tracee (io_uring_setup's
// params give the offsets, the three mmaps give the addresses) and reads
// the submission queue entries (SQEs) and completion queue entries (CQEs)
// out of the tracee's memory:
//
//   - at io_uring_enter entry: the SQEs this call submits, exactly (the
//     kernel consumes them from the SQ head, at most to_submit of them);
//   - at io_uring_enter entry and exit: the CQEs posted since the last look;
//   - from sample(), at any time the process is stopped or not: what an
//     SQPOLL ring's kernel thread picked up without any syscall;
//   - from read_at_exit(), when the process is about to end by itself: the
//     last of both, while its memory is still there.
//
// The tracker only reads through MemoryReader, so tests build a fake ring in
// a FakeMemory and run it with no tracee. It allocates only on the rare calls
// (setup, mmap) and for an SQPOLL ring's submissions in flight; reading a
// ring that the program enters does not.
//
// One tracker per process (thread group): fds and mappings are per process.
// A fork copies it (the child inherits both); an exec clears it.
#pragma once

#include <linux/io_uring.h>
#include <sys/types.h>

#include <array>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "decoders/decoder.h"
#include "model/io_uring_sqe.h"

namespace sctrace {

// Receives what the tracker reads. The events' views are valid during the call.
class IoUringEventSink {
public:
    virtual ~IoUringEventSink() = default;
    virtual void on_submit(const IoUringSqeEvent& sqe) = 0;
    virtual void on_complete(const IoUringCqeEvent& cqe) = 0;
};

// Where one ring is, from the setup params and the mmaps.
struct IoUringRing {
    int fd = -1;
    pid_t creator_tid = 0;
    std::uint32_t setup_flags = 0;  // IORING_SETUP_*
    std::uint32_t features = 0;     // IORING_FEAT_*
    std::uint32_t sq_entries = 0;
    std::uint32_t cq_entries = 0;
    io_sqring_offsets sq_off{};
    io_cqring_offsets cq_off{};
    // Tracee addresses of the mappings, 0 until mapped.
    std::uint64_t sq_ring = 0;
    std::uint64_t cq_ring = 0;  // == sq_ring with IORING_FEAT_SINGLE_MMAP
    std::uint64_t sqes = 0;
    // Positions up to which submissions and completions were reported.
    std::uint32_t sq_seen = 0;
    std::uint32_t cq_seen = 0;
    // Entries that went by unseen: overwritten before anyone looked (a
    // sampled SQPOLL ring, or completions reaped without a syscall and
    // then reused). Rules can say "n submissions not shown".
    std::uint64_t lost_submissions = 0;
    std::uint64_t lost_completions = 0;
    // SQPOLL rings: how many submissions reported under each user_data
    // have not completed yet, so that a look gives a completion to one of
    // these before one of its own (IoUringTracker::since_seen). Bounded by
    // kMaxOutstanding user_data values; past that a submission is not
    // remembered, and its completion may be placed before it is reported.
    std::unordered_map<std::uint64_t, std::uint32_t> outstanding;
    static constexpr std::size_t kMaxOutstanding = 4096;

    bool sqpoll() const { return (setup_flags & IORING_SETUP_SQPOLL) != 0; }
    bool mapped() const { return sq_ring != 0 && cq_ring != 0 && sqes != 0; }
    std::uint64_t sqe_size() const;
    std::uint64_t cqe_size() const;
};

class IoUringTracker {
public:
    // Rings the tracker follows at most per process; more are ignored (a
    // process with thousands of rings is not one to read them all anyway).
    static constexpr std::size_t kMaxRings = 256;

    // io_uring_setup returned `fd`; `params` is the struct as the kernel
    // filled it (read at syscall exit).
    void on_setup(pid_t tid, int fd, const io_uring_params& params);
    // A successful mmap of `fd` at `offset` (IORING_OFF_SQ_RING, _CQ_RING,
    // _SQES) mapped to `addr`. Calls for other fds are ignored, so the
    // caller can pass every fd-backed mmap.
    void on_mmap(std::uint64_t addr, std::uint64_t len, int fd, std::uint64_t offset);
    // A successful munmap: ring addresses inside it are forgotten.
    void on_munmap(std::uint64_t addr, std::uint64_t len);
    // close(fd) succeeded: that ring is gone (its mappings may outlive the
    // fd, but without the fd nothing can enter it; SQPOLL rings keep
    // running until unmapped, which is rare and not followed).
    void on_close(int fd);
    // dup2/dup3/fcntl(F_DUPFD) of a ring fd.
    void on_dup(int old_fd, int new_fd);
    // IORING_REGISTER_RING_FDS registered `fd` at `index`: io_uring_enter
    // with IORING_ENTER_REGISTERED_RING then passes the index, not the fd.
    void on_register_ring_fd(unsigned index, int fd);
    void on_unregister_ring_fd(unsigned index);
    // execve: every fd and mapping is gone.
    void clear();

    // io_uring_enter(fd, to_submit, ..., flags) entry: reports completions
    // not yet seen, then the SQEs the call submits (SQPOLL: the SQEs the
    // kernel thread took, then completions). Returns how many events.
    std::size_t on_enter(pid_t tid, int fd, std::uint32_t to_submit, std::uint32_t flags,
                         MemoryReader& memory, IoUringEventSink& sink);
    // io_uring_enter exit: the completions it waited for (and, for SQPOLL,
    // submissions the kernel thread took meanwhile).
    std::size_t on_enter_exit(pid_t tid, int fd, std::uint32_t flags, MemoryReader& memory,
                              IoUringEventSink& sink);
    // Every mapped ring: new completions, and an SQPOLL ring's new
    // submissions (by position since the last look; best effort, since
    // slots the kernel already consumed can be reused by the process before
    // we look). Safe to call whether the process is stopped or running.
    std::size_t sample(MemoryReader& memory, IoUringEventSink& sink);
    // The process is about to end by itself (exit_group, or its last
    // thread's exit): every ring's completions not yet reported, the ones
    // the program never reaped included (an SQPOLL ring's submissions
    // first). When the process is gone so is its memory, and the kernel
    // cancels what is still in flight as it tears the rings down: after
    // this, an operation with no completion never had one.
    std::size_t read_at_exit(MemoryReader& memory, IoUringEventSink& sink);
    // read_at_exit() ran and saw every completion posted: the process's
    // end can say its rings were read.
    bool read_at_exit_done() const { return read_at_exit_; }

    bool has_rings() const { return !rings_.empty(); }
    bool has_sqpoll() const {
        for (const IoUringRing& r : rings_) {
            if (r.sqpoll() && r.mapped()) return true;
        }
        return false;
    }
    const IoUringRing* find(int fd) const;
    std::span<const IoUringRing> rings() const { return rings_; }

private:
    IoUringRing* find_mut(int fd);
    IoUringRing* resolve(int fd, std::uint32_t enter_flags);
    std::size_t submissions_from_head(IoUringRing& ring, std::uint32_t to_submit,
                                      MemoryReader& memory, IoUringEventSink& sink);
    // What an SQPOLL ring's kernel thread took and posted since the last
    // look, submissions and completions interleaved.
    std::size_t since_seen(IoUringRing& ring, MemoryReader& memory, IoUringEventSink& sink);
    static bool read_sqe(const IoUringRing& ring, std::uint32_t position, MemoryReader& memory,
                         io_uring_sqe& raw);
    bool report_sqe(const IoUringRing& ring, std::uint32_t position, IoUringSeenAt seen_at,
                    MemoryReader& memory, IoUringEventSink& sink);
    std::size_t completions(IoUringRing& ring, MemoryReader& memory, IoUringEventSink& sink);
    // The same, calling before_each(cqe) before reporting each.
    template <typename BeforeEach>
    std::size_t completions(IoUringRing& ring, MemoryReader& memory, IoUringEventSink& sink,
                            BeforeEach&& before_each);

    std::vector<IoUringRing> rings_;
    bool read_at_exit_ = false;
    std::vector<std::pair<int, int>> aliases_;          // dup'ed fd -> the ring's fd
    std::vector<std::pair<unsigned, int>> registered_;  // ring fd table: index -> fd
    // since_seen(): the user_data and IOSQE_* flags of each submission of
    // the look, by position (kNoUserData: unreadable); kept to reuse its
    // memory.
    std::vector<std::pair<std::uint64_t, std::uint8_t>> batch_;
    // How far past the next unreported submission since_seen() looks for a
    // completion's own: a completion of a submission further on is reported
    // before it, and then matches nothing (a look rarely holds this many
    // submissions with no completion between them).
    static constexpr std::uint32_t kMatchWindow = 256;
    static constexpr std::uint64_t kNoUserData = ~0ull;
    // Scratch for the views an event carries (paths, socket addresses).
    std::array<char, 4096> path_{};
    std::array<char, 4096> path2_{};
    std::array<unsigned char, 128> sockaddr_{};
};

}  // namespace sctrace
