// The fields the hang rules read from the watchdog's samples
// (engine/rules/fields.cpp): thread.state and friends from a sample event,
// and the process-wide proc.all_threads_in / proc.untimed_waits, which count
// every thread as last seen (the event's own sample for its thread).
#include <gtest/gtest.h>

#include <string>

#include "engine/rules/fields.h"
#include "engine/state.h"

namespace sctrace::rules {
namespace {

constexpr std::int32_t kFutex = 202;
constexpr std::int32_t kNanosleep = 35;
constexpr std::uint64_t kFutexWaitPrivate = 128;  // FUTEX_WAIT | FUTEX_PRIVATE_FLAG
constexpr std::uint64_t kFutexWaitBitset = 9;

Event sample(pid_t pid, pid_t tid, char state, std::int32_t call, std::uint64_t op = 0,
             std::uint64_t timeout = 0) {
    ThreadSampleEvent s;
    s.state = state;
    s.syscall = call;
    s.args = {0x1000u + static_cast<std::uint64_t>(tid), op, 2, timeout, 0, 0};
    std::snprintf(s.comm.data(), s.comm.size(), "t%d", tid);
    return Event{EventKind::ThreadSample, 1, pid, tid, s};
}

struct Process {
    StateTracker state;
    // Applies `e` after reading `id` on it (rules see the state before).
    FieldValue read(const Event& e, FieldId id) {
        EvalContext ctx{e, state};
        FieldValue v = read_field(id, ctx);
        // A string value may point into the context's scratch, which dies
        // here: hand back a view of our own copy.
        text = std::string(v.s);
        v.s = text;
        state.apply(e);
        return v;
    }
    std::string text;
};

TEST(HangFields, AThreadSampleGivesItsStateWchanAndCall) {
    Process p;
    Event e = sample(10, 11, 'D', 61 /* wait4 */);
    std::snprintf(std::get<ThreadSampleEvent>(e.data).wchan.data(), 32, "do_wait");
    EXPECT_EQ(p.read(e, FieldId::ThreadState).s, "D");
    EXPECT_EQ(p.read(e, FieldId::ThreadWchan).s, "do_wait");
    EXPECT_EQ(p.read(e, FieldId::ThreadSyscall).s, "wait4");
    EXPECT_EQ(p.read(e, FieldId::ThreadComm).s, "t11");
}

TEST(HangFields, EveryThreadInAnUntimedFutexWaitIsAllThreadsInFutex) {
    Process p;
    p.read(sample(10, 10, 'S', kFutex, kFutexWaitPrivate), FieldId::ProcAllThreadsIn);
    // The second thread's sample completes the picture.
    const Event last = sample(10, 11, 'S', kFutex, kFutexWaitPrivate);
    Process alone;
    EXPECT_EQ(alone.read(last, FieldId::ProcAllThreadsIn).s, "futex") << "a process of one thread";
    EXPECT_EQ(p.read(last, FieldId::ProcAllThreadsIn).s, "futex");
    EXPECT_TRUE(
        p.read(sample(10, 11, 'S', kFutex, kFutexWaitPrivate), FieldId::ProcUntimedWaits).b);
    EXPECT_EQ(p.read(sample(10, 11, 'S', kFutex, kFutexWaitPrivate), FieldId::ProcThreads).i, 2);
    p.read(sample(10, 11, 'S', kFutex, kFutexWaitPrivate), FieldId::ProcFutexWaits);
    EXPECT_NE(p.text.find("tid 10 waits on futex 0x100a"), std::string::npos) << p.text;
    EXPECT_NE(p.text.find("tid 11 waits on futex 0x100b"), std::string::npos) << p.text;
}

TEST(HangFields, ATimedWaitOrAThreadElsewhereIsNoDeadlock) {
    Process p;
    p.read(sample(10, 10, 'S', kFutex, kFutexWaitPrivate), FieldId::ProcAllThreadsIn);
    // pthread_cond_timedwait: FUTEX_WAIT_BITSET with a timeout.
    EXPECT_FALSE(
        p.read(sample(10, 11, 'S', kFutex, kFutexWaitBitset, 0x7ffd0), FieldId::ProcUntimedWaits)
            .b);
    // A thread in nanosleep: not all in futex.
    EXPECT_EQ(p.read(sample(10, 11, 'S', kNanosleep), FieldId::ProcAllThreadsIn).s, "");
    // A running thread.
    EXPECT_EQ(p.read(sample(10, 11, 'R', -1), FieldId::ProcAllThreadsIn).s, "");
}

TEST(HangFields, AStoppedProcessIsNotBlockedInItsCalls) {
    // ^Z: every thread in T state, sitting in the futex it was in. Someone
    // stopped it; it is not waiting for itself.
    Process p;
    p.read(sample(10, 10, 'T', kFutex, kFutexWaitPrivate), FieldId::ProcAllThreadsIn);
    EXPECT_EQ(p.read(sample(10, 11, 'T', kFutex, kFutexWaitPrivate), FieldId::ProcAllThreadsIn).s,
              "");
    Process traced;  // a ptrace stop ('t') likewise
    traced.read(sample(10, 10, 't', kFutex, kFutexWaitPrivate), FieldId::ProcAllThreadsIn);
    EXPECT_EQ(
        traced.read(sample(10, 11, 'S', kFutex, kFutexWaitPrivate), FieldId::ProcAllThreadsIn).s,
        "");
}

TEST(HangFields, IoUringWorkersAreNotCountedButListed) {
    Process p;
    Event worker = sample(10, 12, 'S', -1);
    std::get<ThreadSampleEvent>(worker.data).io_worker = true;
    std::snprintf(std::get<ThreadSampleEvent>(worker.data).comm.data(), 16, "iou-sqp-10");
    p.read(worker, FieldId::ProcThreads);
    EXPECT_EQ(p.read(sample(10, 10, 'S', kFutex, kFutexWaitPrivate), FieldId::ProcAllThreadsIn).s,
              "futex")
        << "the worker runs io_uring's loop, not the program's";
    p.read(sample(10, 10, 'S', kFutex, kFutexWaitPrivate), FieldId::ProcIoWorkers);
    EXPECT_NE(p.text.find("iou-sqp-10 (tid 12, state S)"), std::string::npos) << p.text;
}

TEST(HangFields, IoUringWorkersAreListedWithTheKernelFunctionTheySleepIn) {
    // A killed ring owner whose SQ thread waits for a FUSE server: where it
    // waits is the finding's evidence, so the list says it.
    Process p;
    Event worker = sample(10, 12, 'D', -1);
    std::get<ThreadSampleEvent>(worker.data).io_worker = true;
    std::snprintf(std::get<ThreadSampleEvent>(worker.data).comm.data(), 16, "iou-sqp-10");
    std::snprintf(std::get<ThreadSampleEvent>(worker.data).wchan.data(), 32, "request_wait_answer");
    p.read(worker, FieldId::ProcThreads);
    p.read(sample(10, 10, 'D', -1), FieldId::ProcIoWorkers);
    EXPECT_NE(p.text.find("iou-sqp-10 (tid 12, state D, in request_wait_answer)"),
              std::string::npos)
        << p.text;
    // Its own sample lists it the same way.
    p.read(worker, FieldId::ProcIoWorkers);
    EXPECT_NE(p.text.find("iou-sqp-10 (tid 12, state D, in request_wait_answer)"),
              std::string::npos)
        << p.text;
}

TEST(HangFields, StateForIsHowLongTheSamplesHaveShownTheSameState) {
    Process p;
    Event first = sample(10, 10, 'D', kNanosleep);
    first.time = 1'000'000'000;
    EXPECT_EQ(p.read(first, FieldId::ThreadStateFor).i, 0);
    Event second = first;
    second.time = 3'500'000'000;
    EXPECT_EQ(p.read(second, FieldId::ThreadStateFor).i, 2'500'000'000);
    Event changed = sample(10, 10, 'S', kNanosleep);
    changed.time = 4'000'000'000;
    EXPECT_EQ(p.read(changed, FieldId::ThreadStateFor).i, 0) << "a new state starts again";
    Event later = changed;
    later.time = 5'000'000'000;
    EXPECT_EQ(p.read(later, FieldId::ThreadStateFor).i, 1'000'000'000);
}

}  // namespace
}  // namespace sctrace::rules
