// Process ids across pid namespaces (sources/live/pid_namespaces.h), on real
// namespaces: a child made in a new user and pid namespace is pid 1 there,
// and sctrace's namespace calls it by its ordinary pid. Skipped where the
// kernel refuses new namespaces to this process.
#include "sources/live/pid_namespaces.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "report/strace_format.h"

namespace sctrace {
namespace {

// A process in a pid namespace of its own, blocked until destroyed: `outer`
// is its pid here (it is 1 in its namespace). `inner_report` is what it
// found itself, run in there (see below).
struct NamespacedChild {
    pid_t helper = 0;  // in our namespace: made the new one, waits for `outer`
    pid_t outer = 0;
    int release = -1;  // closing it lets both end
    struct Inner {
        bool proc_is_ours = true;
        pid_t proc_id_of_self = 0;
        pid_t tgid_of_self = 0;
    } inner{};
    bool skipped = false;
    std::string why;

    NamespacedChild() {
        int ids[2], go[2], report[2];
        if (::pipe(ids) != 0 || ::pipe(go) != 0 || ::pipe(report) != 0) {
            skipped = true;
            why = std::strerror(errno);
            return;
        }
        helper = ::fork();
        if (helper == 0) {
            ::close(ids[0]);
            ::close(go[1]);
            ::close(report[0]);
            if (::unshare(CLONE_NEWUSER | CLONE_NEWPID) != 0) {
                const int error = errno;
                [[maybe_unused]] ssize_t n = ::write(ids[1], &error, sizeof error);
                ::_exit(1);
            }
            const pid_t child = ::fork();  // pid 1 of the new namespace
            if (child == 0) {
                // /proc is still the outer namespace's: what does it make of us?
                PidNamespaces pids;
                Inner found;
                found.proc_is_ours = pids.proc_is_ours();
                found.proc_id_of_self = pids.proc_id(::getpid());
                found.tgid_of_self = pids.id_of(::getpid(), PidKind::Tgid);
                [[maybe_unused]] ssize_t n = ::write(report[1], &found, sizeof found);
                char byte;
                while (::read(go[0], &byte, 1) > 0) {
                }
                ::_exit(0);
            }
            const int ok = 0;
            [[maybe_unused]] ssize_t n = ::write(ids[1], &ok, sizeof ok);
            n = ::write(ids[1], &child, sizeof child);
            ::waitpid(child, nullptr, 0);
            ::_exit(0);
        }
        ::close(ids[1]);
        ::close(go[0]);
        ::close(report[1]);
        release = go[1];
        int status = -1;
        if (::read(ids[0], &status, sizeof status) != sizeof status || status != 0) {
            skipped = true;
            why = std::string("unshare(CLONE_NEWUSER|CLONE_NEWPID): ") + std::strerror(status);
        } else if (::read(ids[0], &outer, sizeof outer) != sizeof outer ||
                   ::read(report[0], &inner, sizeof inner) != sizeof inner) {
            skipped = true;
            why = "the child did not report";
        }
        ::close(ids[0]);
        ::close(report[0]);
    }
    ~NamespacedChild() {
        if (release >= 0) ::close(release);
        if (helper > 0) ::waitpid(helper, nullptr, 0);
    }
};

TEST(PidNamespaces, InOurOwnNamespaceNothingIsTranslated) {
    PidNamespaces pids;
    EXPECT_TRUE(pids.proc_is_ours());
    EXPECT_EQ(pids.proc_id(::getpid()), ::getpid());
    // A tracee of our namespace calls processes what we call them, even
    // ones that do not exist.
    EXPECT_EQ(pids.to_ours(::getpid(), 4242, PidKind::Tgid), 4242);
    EXPECT_EQ(pids.id_of(::getpid(), PidKind::Tgid), ::getpid());
    EXPECT_EQ(pids.to_ours(::getpid(), 0, PidKind::Tid), 0);
}

TEST(PidNamespaces, ATraceesOwnIdsAreOursAgain) {
    NamespacedChild child;
    if (child.skipped) GTEST_SKIP() << child.why;
    PidNamespaces pids;
    // It calls itself 1: we call it child.outer.
    EXPECT_EQ(pids.to_ours(child.outer, 1, PidKind::Tid), child.outer);
    EXPECT_EQ(pids.to_ours(child.outer, 1, PidKind::Tgid), child.outer);
    // Its namespace has no process 2.
    EXPECT_EQ(pids.to_ours(child.outer, 2, PidKind::Tgid), 0);
    // Asked again (the answer is kept, and checked), the same.
    EXPECT_EQ(pids.to_ours(child.outer, 1, PidKind::Tid), child.outer);
}

TEST(PidNamespaces, AProcOfAnotherNamespaceIsReadByItsOwnIds) {
    NamespacedChild child;
    if (child.skipped) GTEST_SKIP() << child.why;
    // Inside, sctrace would be pid 1 reading the outer /proc, where it is
    // child.outer: its own /proc entry, and its thread group in its ids.
    EXPECT_FALSE(child.inner.proc_is_ours);
    EXPECT_EQ(child.inner.proc_id_of_self, child.outer);
    EXPECT_EQ(child.inner.tgid_of_self, 1);
}

TEST(PidNamespaces, TheTranslationPrintsAsStracesComment) {
    fmt::memory_buffer out;
    append_strace_pid_translation(out, "4711");
    EXPECT_EQ(fmt::to_string(out), " /* 4711 in strace's PID NS */");
    fmt::memory_buffer none;
    append_strace_pid_translation(none, "");
    EXPECT_EQ(fmt::to_string(none), "");

    ArgTree tree;
    const NodeId owner = tree.add_int(tree.root(), 2);
    tree.mutable_node(owner).pid = true;
    tree.mutable_node(owner).text = "4711";
    const NodeId plain = tree.add_int(tree.root(), 3);
    tree.mutable_node(plain).pid = true;  // the same in both namespaces: nothing more
    fmt::memory_buffer args;
    append_strace_args(args, tree, 0, 2);
    EXPECT_EQ(fmt::to_string(args), "2 /* 4711 in strace's PID NS */, 3");
}

}  // namespace
}  // namespace sctrace
