// What the unit tests of io_uring in the state share: submissions and
// completions on ring fd 9 of process 100, and that process's state fed as
// the rule engine feeds it (strace lines for the syscalls, ring events with
// their twins applied after the completion).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "engine/ring_ops.h"
#include "engine/state.h"
#include "sources/strace/strace_log.h"

namespace sctrace::ring_test {

inline constexpr pid_t kPid = 100;
inline constexpr int kRing = 9;

inline IoUringSqeEvent sqe_of(std::uint8_t opcode, int fd, std::uint64_t user_data) {
    IoUringSqeEvent sqe;
    sqe.ring_fd = kRing;
    sqe.opcode = opcode;
    sqe.fd = fd;
    sqe.user_data = user_data;
    return sqe;
}

inline IoUringCqeEvent cqe_of(std::uint64_t user_data, int res, std::uint32_t flags = 0) {
    IoUringCqeEvent cqe;
    cqe.ring_fd = kRing;
    cqe.user_data = user_data;
    cqe.res = res;
    cqe.flags = flags;
    return cqe;
}

struct RingProcess : EventSink {
    StateTracker state;
    RingTwin twin;
    strace_text::StraceLogConverter converter{*this};
    Nanos now = 0;
    RingProcess() { converter.begin_file("ring.log", 0, 0); }
    void on_event(const Event& e) override { state.apply(e); }
    RingProcess& operator<<(const std::string& line) {
        EXPECT_TRUE(converter.feed(line)) << line;
        return *this;
    }
    void submit(const IoUringSqeEvent& sqe) {
        state.apply(Event{EventKind::IoUringSubmit, ++now, kPid, kPid, sqe});
    }
    // Whether a twin was made of it (and applied).
    bool complete(const IoUringCqeEvent& cqe) {
        const Event event{EventKind::IoUringComplete, ++now, kPid, kPid, cqe};
        const bool made = state.ring_twin(event, twin);
        state.apply(event);
        if (made) state.apply_ring_twin(twin);
        return made;
    }
};

}  // namespace sctrace::ring_test
