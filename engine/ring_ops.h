// io_uring operations as the state and the rules see them: a submission
// waits in its process's RingOps until its completion arrives, matched by
// (ring, user_data); the completed operation then becomes its syscall twin
// (model/io_uring_twins.h), a SyscallExit whose result is the completion's
// res, marked with the ring it went through (SyscallEvent::via_ring). The
// state takes it as it takes the twin's own exit, and the rules judge it as
// one when the table says they may (docs/decoders.md, "Rules see through
// io_uring").
//
// The ring's own numbering (IOSQE_FIXED_FILE, direct descriptors) is read
// through the ring's table (engine/ring_files.h): the StateTracker resolves
// a submission's slot to the process fd it is linked to or to the direct
// descriptor's key before it gets here (RingTarget).
//
// A submission with IOSQE_CQE_SKIP_SUCCESS posts no completion when it
// succeeds, so its result is never known: it is judged as its twin's entry,
// and one that may close a descriptor leaves that number unknown to the
// state (unknown_fd).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/arg_tree.h"
#include "model/event.h"
#include "model/io_uring_twins.h"

namespace sctrace {

// A direct=new operation's slot when the kernel picks it
// (IORING_FILE_INDEX_ALLOC): the completion's res says which.
inline constexpr std::int32_t kDirectAlloc = -2;

// Where a submission's descriptors are, once its ring's table was read.
struct RingTarget {
    // The twin's `fd` argument: sqe.fd, or what its slot resolves to (a
    // process fd, or a direct descriptor's key: engine/ring_files.h).
    std::int32_t fd = -1;
    std::int32_t fixed_file = -1;  // IOSQE_FIXED_FILE: the slot sqe.fd named
    // The direct descriptor (io_uring_twins.in's direct=): the slot a
    // direct=fd operation works on, or the one a direct=new operation
    // installs into (kDirectAlloc: the completion's res); -1 none.
    std::int32_t direct = -1;
    // The open file `fd` named at submission (FdState::generation; 0 when
    // not open as far as the trace knows): by the completion the number
    // may name another file, and the operation was on this one.
    std::uint64_t fd_generation = 0;
};

// One submission waiting for its completion, with what its twin needs
// (the tracker's views are gone by the time the completion comes).
struct RingOp {
    const IoUringTwin* twin = nullptr;
    std::uint8_t opcode = 0;
    Nanos submitted_at = 0;
    pid_t submitted_by = 0;  // the thread whose io_uring_enter (or sample) it was
    std::int32_t fd = -1;
    std::uint64_t off = 0;
    std::uint64_t addr = 0;
    std::uint32_t len = 0;
    std::uint32_t op_flags = 0;
    std::string path;
    std::string sockaddr;          // the address bytes
    std::int32_t fixed_file = -1;  // RingTarget's
    std::int32_t direct = -1;
    std::uint64_t fd_generation = 0;
    // A completion said more follow (IORING_CQE_F_MORE): the operation's
    // result is posted, only its last word is still to come (a zero-copy
    // send's notification that its buffer is free).
    bool result_posted = false;
};

// A ring operation made its twin's call: its exit when it completed, its
// entry when it was submitted. The event and what it points into; reused
// from one to the next.
struct RingTwin {
    Event event;
    ArgTree tree;
    IoUringOrigin origin;
    bool shown_to_rules = true;
    std::uint64_t fd_generation = 0;
};

// What the rules could not follow of a trace's ring operations: said at the
// end of a run (docs/decoders.md), so that their silence about rings is
// read for what it is.
struct RingCoverage {
    // Submissions whose completion the trace never saw: the process ended,
    // exec'd or closed the ring first, or (live) reaped the completion
    // without a syscall and did not enter the ring again.
    std::uint64_t unseen = 0;
    // Submissions not kept: kMaxInFlightPerRing were in flight on the ring.
    std::uint64_t not_followed = 0;
    // Submissions retired by a completion that could have been any of
    // several different ones in flight under its user_data.
    std::uint64_t ambiguous = 0;
    // Submissions with IOSQE_CQE_SKIP_SUCCESS: a success posts nothing.
    std::uint64_t skip_success = 0;

    bool empty() const {
        return unseen == 0 && not_followed == 0 && ambiguous == 0 && skip_success == 0;
    }
    RingCoverage& operator+=(const RingCoverage& o) {
        unseen += o.unseen;
        not_followed += o.not_followed;
        ambiguous += o.ambiguous;
        skip_success += o.skip_success;
        return *this;
    }
};

// Whether `op` works on the open file `file` (FdState::generation) that
// the process now has at `fd`: the number it named at submission, on the
// same file (a number reused since names another).
inline bool ring_op_on_file(const RingOp& op, int fd, std::uint64_t file) {
    return op.fd == fd && op.fd_generation != 0 && op.fd_generation == file;
}

// The submission `sqe` as one RingOp, waiting for its completion.
// `tid`: the thread that submitted it.
RingOp ring_op_of(const IoUringSqeEvent& sqe, const IoUringTwin& twin, Nanos time,
                  const RingTarget& target, pid_t tid = 0);

// One process's operations in flight, per ring.
class RingOps {
public:
    // Operations in flight per ring at most. The kernel lets a ring have
    // more (CQ entries up to 2^20 with IORING_SETUP_CQSIZE), but a program
    // rarely keeps this many submitted at once; past the bound a new
    // submission is not remembered (counted in dropped()), its completion
    // then matches nothing and the state learns nothing from it, which
    // leaves the rules silent rather than wrong.
    static constexpr std::size_t kMaxInFlightPerRing = 4096;

    // The twin of `sqe` when it is an opcode with one: what its submission
    // is judged as. Its descriptors are the ring table's question
    // (StateTracker, engine/ring_files.h).
    static const IoUringTwin* twin_of(const IoUringSqeEvent& sqe);
    // Whether the state follows `sqe` to its completion: twin_of(), with a
    // completion to come whatever the result.
    static const IoUringTwin* followed(const IoUringSqeEvent& sqe);
    // The descriptor `sqe` may close with no completion to say so
    // (IOSQE_CQE_SKIP_SUCCESS on a twin that closes one): from its
    // submission on, what that number holds is unknown. -1 for any other.
    static int unknown_fd(const IoUringSqeEvent& sqe);
    // A submission asked for no completion when it succeeds: counted, not
    // kept (its completion, if it fails, then matches nothing).
    void skip_success() { ++coverage_.skip_success; }

    // False when the submission is not kept (kMaxInFlightPerRing).
    bool submit(const IoUringSqeEvent& sqe, const IoUringTwin& twin, Nanos time,
                const RingTarget& target, pid_t tid = 0);
    // The submission `cqe` completes; null when none matches, or when
    // several with its user_data are in flight and they differ (the
    // kernel completes them in any order: which one this is cannot be
    // told).
    const RingOp* find(const IoUringCqeEvent& cqe) const;
    // The completion arrived: its submission is done, unless the kernel
    // said more completions follow (IORING_CQE_F_MORE: multishot accept,
    // recv). An ambiguous one retires every submission it could be.
    void complete(const IoUringCqeEvent& cqe);
    // The kernel did not take the submission: the io_uring_enter that was
    // to submit it failed, or took fewer than it was given (io_uring_enter
    // returns how many it consumed). The latest one kept under `user_data`
    // on `ring_fd` is dropped, as if never submitted.
    void withdraw(int ring_fd, std::uint64_t user_data);
    // The ring's fd was closed: what was in flight on it is not followed.
    void forget_ring(int ring_fd);
    // The process exec'd: every ring is gone.
    void clear();

    std::uint64_t dropped() const { return coverage_.not_followed; }
    std::size_t in_flight() const;
    // What was not followed so far, the operations still in flight counted
    // as unseen (they are, until their completion comes).
    RingCoverage coverage() const;
    // The same at the end of a process whose rings were read as it exited
    // (ExitEvent::rings_read): what is still in flight never completed,
    // which the trace saw, so it is no gap in what the rules judged.
    const RingCoverage& coverage_at_read_exit() const { return coverage_; }

    // Calls f(int ring_fd, std::uint64_t user_data, const RingOp&) for
    // every operation in flight, by ring and user_data.
    template <typename F>
    void for_each_in_flight(F&& f) const {
        for (const auto& [ring_fd, ring] : rings_) {
            for (const auto& [user_data, ops] : ring.by_user_data) {
                for (const RingOp& op : ops) f(ring_fd, user_data, op);
            }
        }
    }

private:
    struct Ring {
        std::map<std::uint64_t, std::vector<RingOp>> by_user_data;
        std::size_t count = 0;
    };
    std::map<int, Ring> rings_;
    RingCoverage coverage_;  // unseen: only those of rings forgotten
};

// Fills `out` with `op`'s twin completed by `cqe` (an IoUringComplete
// event of `pid`/`tid` at `time`): the twin's exit, its decoded arguments
// and its origin. False when the twin is not a call of the x86_64 table.
bool make_ring_twin(const RingOp& op, const IoUringCqeEvent& cqe, pid_t pid, pid_t tid, Nanos time,
                    RingTwin& out);

// Fills `out` with the submission `sqe` as its twin's entry (an
// IoUringSubmit event of `pid`/`tid` at `time`): the kernel starts the
// operation inside the io_uring_enter that submits it, so a close
// submitted while another thread is blocked on the file is a close while
// it is blocked.
// False when the twin is not a call of the x86_64 table.
bool make_ring_entry(const IoUringSqeEvent& sqe, const IoUringTwin& twin, pid_t pid, pid_t tid,
                     Nanos time, const RingTarget& target, RingTwin& out);

}  // namespace sctrace
