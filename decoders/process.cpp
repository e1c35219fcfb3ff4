// Decoders of the process family: clone, clone3, fork, vfork, execve,
// execveat, exit, exit_group, wait4, waitid. See decoders/decoder.h.
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "decoders/decoder.h"
#include "decoders/shapes.h"
#include "model/names.h"
#include "model/siginfo.h"
#include "model/xlat_tables.h"

namespace sctrace {

namespace {

using shapes::add_xflags;
using shapes::add_xval;

constexpr std::uint64_t kCsignal = 0xff;
constexpr std::uint64_t kPidfd = 0x00001000;
constexpr std::uint64_t kSettls = 0x00080000;
constexpr std::uint64_t kParentSettid = 0x00100000;
constexpr std::uint64_t kChildCleartid = 0x00200000;
constexpr std::uint64_t kChildSettid = 0x01000000;

// A fixed buffer to compose one argument's text in, for the shapes the tree
// cannot express yet: clone's "name=value" arguments and clone3's
// "{...} => {...}" (see the report's proposed formatter change).
class Text {
public:
    // A format and its arguments; text alone goes through put(const char*),
    // never as a format.
    template <typename Arg, typename... Args>
    void put(const char* fmt, Arg arg, Args... args) {
        if (n_ >= sizeof buf_ - 1) return;
        const int w = std::snprintf(buf_ + n_, sizeof buf_ - n_, fmt, arg, args...);
        if (w > 0) n_ = std::min(sizeof buf_ - 1, n_ + static_cast<std::size_t>(w));
    }
    void put(const char* text) { put("%s", text); }
    void put(std::string_view s) { put("%.*s", static_cast<int>(s.size()), s.data()); }
    void ptr(std::uint64_t v) {
        if (v == 0) {
            put("NULL");
        } else {
            put("%#" PRIx64, v);
        }
    }
    void hex(std::uint64_t v) {
        if (v == 0) {
            put("0");
        } else {
            put("%#" PRIx64, v);
        }
    }
    void signal(int signo) {
        const std::string_view name = signal_name(signo);
        if (name.empty()) {
            put("%d", signo);
        } else {
            put(name);
        }
    }
    // Flags as the writer prints them; `unknown` when no bit is named.
    void flags(std::uint64_t value, const XlatTable& table, std::string_view unknown) {
        bool first = true;
        std::uint64_t left = value;
        for (const XlatEntry& e : table.entries) {
            if (e.value == 0 || (left & e.value) != e.value) continue;
            if (!first) put("|");
            put(e.name);
            left &= ~e.value;
            first = false;
        }
        if (first && value != 0) {
            put("%#" PRIx64 " /* ", value);
            put(unknown);
            put(" */");
        } else if (left != 0) {
            put("|%#" PRIx64, left);
        } else if (first) {
            put("0");
        }
    }
    std::string_view view() const { return {buf_, n_}; }
    NodeId add_to(ArgTree& tree, NodeId parent) const { return tree.add_text_copy(parent, view()); }

private:
    char buf_[512];
    std::size_t n_ = 0;
};

// ---------------------------------------------------------------------------
// clone, clone3, fork, vfork

// x86_64's clone(flags, stack, parent_tid, child_tid, tls); i386 swaps the
// last two.
int clone_tls_arg(const DecodeContext& ctx) {
    return ctx.arch() == Arch::I386 ? 3 : 4;
}
int clone_ctid_arg(const DecodeContext& ctx) {
    return ctx.arch() == Arch::I386 ? 4 : 3;
}

void clone_entry(DecodeContext& ctx) {
    const std::uint64_t flags = ctx.arg(0) & ~kCsignal;
    const int sig = static_cast<int>(ctx.arg(0) & kCsignal);
    Text stack;
    stack.put("child_stack=");
    stack.ptr(ctx.arg(1));
    stack.add_to(ctx.tree(), ctx.root());
    Text f;
    f.put("flags=");
    if (flags != 0) {
        f.flags(flags, xlat::clone_flags, "CLONE_???");
        if (sig != 0) {
            f.put("|");
            f.signal(sig);
        }
    } else {
        f.signal(sig);
    }
    f.add_to(ctx.tree(), ctx.root());
    // The tids and tls follow at exit; strace's "<unfinished ...>" line
    // ends at the flags, and its resumed line starts with ", ".
    ctx.tree().entry_complete = true;
}

void clone_exit(DecodeContext& ctx) {
    const std::uint64_t flags = ctx.arg(0) & ~kCsignal;
    ArgTree& tree = ctx.tree();
    if (flags & (kParentSettid | kPidfd)) {
        Text t;
        t.put("parent_tid=");
        std::int32_t value = 0;
        if (!ctx.failed() && ctx.read_struct(ctx.arg(2), value)) {
            t.put("[%d]", value);
        } else {
            t.ptr(ctx.arg(2));
        }
        t.add_to(tree, ctx.root());
    }
    if (flags & kSettls) {
        Text t;
        t.put("tls=");
        t.ptr(ctx.arg(clone_tls_arg(ctx)));
        t.add_to(tree, ctx.root());
    }
    if (flags & (kChildSettid | kChildCleartid)) {
        Text t;
        t.put("child_tidptr=");
        t.ptr(ctx.arg(clone_ctid_arg(ctx)));
        t.add_to(tree, ctx.root());
    }
}

// struct clone_args (linux/sched.h), as far as CLONE_ARGS_SIZE_VER2.
struct CloneArgs {
    std::uint64_t flags;
    std::uint64_t pidfd;
    std::uint64_t child_tid;
    std::uint64_t parent_tid;
    std::uint64_t exit_signal;
    std::uint64_t stack;
    std::uint64_t stack_size;
    std::uint64_t tls;
    std::uint64_t set_tid;
    std::uint64_t set_tid_size;
    std::uint64_t cgroup;
};
constexpr std::uint64_t kCloneArgsMin = 64;  // up to and including tls

void put_clone_args(Text& t, const CloneArgs& a, std::uint64_t fetched) {
    t.put("{flags=");
    t.flags(a.flags, xlat::clone3_flags, "CLONE_???");
    if (a.flags & kPidfd) {
        t.put(", pidfd=");
        t.ptr(a.pidfd);
    }
    if (a.flags & (kChildSettid | kChildCleartid)) {
        t.put(", child_tid=");
        t.ptr(a.child_tid);
    }
    if (a.flags & kParentSettid) {
        t.put(", parent_tid=");
        t.ptr(a.parent_tid);
    }
    t.put(", exit_signal=");
    if (a.exit_signal < 0x7fffffff) {
        t.signal(static_cast<int>(a.exit_signal));
    } else {
        t.put("%" PRIu64, a.exit_signal);
    }
    t.put(", stack=");
    t.ptr(a.stack);
    t.put(", stack_size=");
    t.hex(a.stack_size);
    if (a.flags & kSettls) {
        t.put(", tls=");
        t.ptr(a.tls);
    }
    if (a.set_tid || a.set_tid_size) {
        t.put(", set_tid=");
        t.ptr(a.set_tid);
        t.put(", set_tid_size=%" PRIu64, a.set_tid_size);
    }
    if (fetched > offsetof(CloneArgs, cgroup) && (a.cgroup || (a.flags & 0x200000000ull))) {
        t.put(", cgroup=%" PRIu64, a.cgroup);
    }
    t.put("}");
}

// What the kernel writes back (pidfd, parent_tid) makes strace print the
// struct again after " => ": the whole argument is then composed at exit,
// when both halves are known.
bool clone3_writes_back(DecodeContext& ctx, CloneArgs& a, std::uint64_t& fetched) {
    const std::uint64_t size = ctx.arg(1);
    fetched = std::min<std::uint64_t>(size, sizeof a);
    a = CloneArgs{};
    if (fetched < kCloneArgsMin) return false;
    if (ctx.read(ctx.arg(0), {reinterpret_cast<char*>(&a), fetched}) != fetched) {
        fetched = 0;
        return false;
    }
    return (a.flags & (kPidfd | kParentSettid)) != 0;
}

void clone3_entry(DecodeContext& ctx) {
    CloneArgs a;
    std::uint64_t fetched = 0;
    if (clone3_writes_back(ctx, a, fetched)) return;  // all of it at exit
    if (fetched < kCloneArgsMin) {
        ctx.tree().add_ptr(ctx.root(), ctx.arg(0));
    } else {
        Text t;
        put_clone_args(t, a, fetched);
        t.add_to(ctx.tree(), ctx.root());
    }
    ctx.tree().add_uint(ctx.root(), ctx.arg(1));
}

void clone3_exit(DecodeContext& ctx) {
    CloneArgs a;
    std::uint64_t fetched = 0;
    if (ctx.tree().entry_arg_count != 0) return;  // decoded at entry
    // Read at exit: the struct is the caller's and unchanged but for what
    // the kernel wrote back, which is what " => {...}" shows.
    if (!clone3_writes_back(ctx, a, fetched)) {
        // Unreadable now; fall back to the address.
        ctx.tree().add_ptr(ctx.root(), ctx.arg(0));
        ctx.tree().add_uint(ctx.root(), ctx.arg(1));
        return;
    }
    Text t;
    put_clone_args(t, a, fetched);
    if (!ctx.failed()) {
        const char* sep = " => {";
        if (a.flags & kPidfd) {
            std::int32_t fd = 0;
            t.put(sep);
            sep = ", ";
            if (ctx.read_struct(a.pidfd, fd)) {
                t.put("pidfd=[%d]", fd);
            } else {
                t.put("pidfd=");
                t.ptr(a.pidfd);
            }
        }
        if (a.flags & kParentSettid) {
            std::int32_t tid = 0;
            t.put(sep);
            if (ctx.read_struct(a.parent_tid, tid)) {
                t.put("parent_tid=[%d]", tid);
            } else {
                t.put("parent_tid=");
                t.ptr(a.parent_tid);
            }
        }
        t.put("}");
    }
    t.add_to(ctx.tree(), ctx.root());
    ctx.tree().add_uint(ctx.root(), ctx.arg(1));
}

// ---------------------------------------------------------------------------
// execve, execveat

std::size_t pointer_size(const DecodeContext& ctx) {
    return ctx.arch() == Arch::X86_64 ? 8 : 4;
}

bool read_pointer(DecodeContext& ctx, std::uint64_t addr, std::uint64_t& out) {
    out = 0;
    const std::size_t size = pointer_size(ctx);
    return ctx.read(addr, {reinterpret_cast<char*>(&out), size}) == size;
}

// argv: ["a", "b"], at most -s of them then "...", as strace's printargv.
void add_argv(DecodeContext& ctx, std::uint64_t addr) {
    ArgTree& tree = ctx.tree();
    std::uint64_t word = 0;
    if (addr == 0 || !read_pointer(ctx, addr, word)) {
        tree.add_ptr(ctx.root(), addr);
        return;
    }
    const NodeId list = tree.add_array(ctx.root());
    const std::size_t step = pointer_size(ctx);
    for (std::size_t n = 0;; ++n, addr += step) {
        if (!read_pointer(ctx, addr, word)) {
            // The array runs into unreadable memory: ", ...0x... ]" in
            // strace; shown as the truncation mark.
            tree.mark_truncated(list);
            return;
        }
        if (word == 0) return;
        if (n >= ctx.array_limit()) {
            tree.mark_truncated(list);
            return;
        }
        shapes::add_cstring(ctx, list, word);
        if (tree.overflowed()) return;
    }
}

// envp: only the address and a count, "0x7ffd... /* 3 vars */".
void add_envp(DecodeContext& ctx, std::uint64_t addr) {
    ArgTree& tree = ctx.tree();
    std::uint64_t word = 0;
    if (addr == 0 || !read_pointer(ctx, addr, word)) {
        tree.add_ptr(ctx.root(), addr);
        return;
    }
    unsigned count = 0;
    const std::size_t step = pointer_size(ctx);
    for (std::uint64_t at = addr; read_pointer(ctx, at, word) && word != 0; at += step) ++count;
    char text[64];
    const int n = std::snprintf(text, sizeof text, "%#" PRIx64 " /* %u var%s */", addr, count,
                                count == 1 ? "" : "s");
    tree.add_text_copy(ctx.root(), std::string_view(text, static_cast<std::size_t>(n)));
}

void execve_entry(DecodeContext& ctx) {
    shapes::add_path(ctx, ctx.root(), ctx.arg(0));
    add_argv(ctx, ctx.arg(1));
    add_envp(ctx, ctx.arg(2));
}

void execveat_entry(DecodeContext& ctx) {
    ArgTree& tree = ctx.tree();
    const int dirfd = ctx.iarg(0);
    if (dirfd == -100) {
        tree.add_text(ctx.root(), "AT_FDCWD");
    } else {
        shapes::add_fd(ctx, ctx.root(), ctx.arg(0));
    }
    shapes::add_path(ctx, ctx.root(), ctx.arg(1));
    add_argv(ctx, ctx.arg(2));
    add_envp(ctx, ctx.arg(3));
    add_xflags(tree, ctx.root(), static_cast<std::uint32_t>(ctx.arg(4)), xlat::exec_at_flags,
               "AT_???");
}

// ---------------------------------------------------------------------------
// exit, exit_group

void exit_entry(DecodeContext& ctx) {
    ctx.tree().add_int(ctx.root(), ctx.iarg(0));
    // Never returns: "= ?" even if a writer asks for the result.
    ctx.tree().ret_format = RetFormat::None;
}

// ---------------------------------------------------------------------------
// wait4, waitid

// A wait status as strace's printstatus: [{WIFEXITED(s) && WEXITSTATUS(s) == 0}].
void add_status(ArgTree& tree, NodeId parent, int status) {
    Text t;
    t.put("{");
    unsigned rest = static_cast<unsigned>(status);
    if (WIFSTOPPED(status)) {
        const int sig = WSTOPSIG(status);
        t.put("WIFSTOPPED(s) && WSTOPSIG(s) == ");
        t.signal(sig & 0x7f);
        if (sig & 0x80) t.put(" | 0x80");
        rest &= ~(static_cast<unsigned>(sig) << 8 | 0x7f);
    } else if (WIFSIGNALED(status)) {
        t.put("WIFSIGNALED(s) && WTERMSIG(s) == ");
        t.signal(WTERMSIG(status));
        if (WCOREDUMP(status)) t.put(" && WCOREDUMP(s)");
        rest &= ~0xffu;
    } else if (WIFEXITED(status)) {
        t.put("WIFEXITED(s) && WEXITSTATUS(s) == %d", WEXITSTATUS(status));
        rest &= ~0xff00u;
    } else if (WIFCONTINUED(status)) {
        t.put("WIFCONTINUED(s)");
        rest &= ~0xffffu;
    } else {
        const NodeId list = tree.add_array(parent);
        tree.add_hex(list, static_cast<unsigned>(status));
        return;
    }
    t.put("}");
    if (rest != 0) {
        if (const unsigned event = rest >> 16; event != 0) {
            t.put(" | ");
            if (const auto name = xlat::wait_ptrace_events.name_of(event)) {
                t.put(*name);
            } else {
                t.put("%#x /* PTRACE_EVENT_??? */", event);
            }
            t.put(" << 16");
            rest &= 0xffff;
        }
        if (rest != 0) t.put(" | %#x", rest);
    }
    const NodeId list = tree.add_array(parent);
    t.add_to(tree, list);
}

// struct rusage, abbreviated as strace does: the two times, then "...".
void add_rusage(DecodeContext& ctx, std::uint64_t addr) {
    ArgTree& tree = ctx.tree();
    struct {
        std::int64_t utime_sec, utime_usec, stime_sec, stime_usec;
    } times{};
    if (addr == 0 || ctx.failed() || ctx.arch() != Arch::X86_64 || !ctx.read_struct(addr, times)) {
        tree.add_ptr(ctx.root(), addr);
        return;
    }
    const NodeId s = tree.add_struct(ctx.root());
    const NodeId u = tree.add_struct(s, "ru_utime");
    tree.add_int(u, times.utime_sec, "tv_sec");
    tree.add_uint(u, static_cast<std::uint64_t>(times.utime_usec), "tv_usec");
    const NodeId st = tree.add_struct(s, "ru_stime");
    tree.add_int(st, times.stime_sec, "tv_sec");
    tree.add_uint(st, static_cast<std::uint64_t>(times.stime_usec), "tv_usec");
    tree.mark_truncated(s);
}

void wait4_entry(DecodeContext& ctx) {
    ctx.tree().add_int(ctx.root(), ctx.iarg(0));
}

void wait4_exit(DecodeContext& ctx) {
    ArgTree& tree = ctx.tree();
    const std::uint64_t status_addr = ctx.arg(1);
    std::int32_t status = 0;
    // No child reported (WNOHANG: 0) or an error: the pointer only.
    if (ctx.failed() || ctx.ret() == 0 || !ctx.read_struct(status_addr, status)) {
        tree.add_ptr(ctx.root(), status_addr);
    } else {
        add_status(tree, ctx.root(), status);
    }
    add_xflags(tree, ctx.root(), static_cast<std::uint32_t>(ctx.arg(2)), xlat::wait_options,
               "W???");
    if (ctx.ret() > 0) {
        add_rusage(ctx, ctx.arg(3));
    } else {
        tree.add_ptr(ctx.root(), ctx.arg(3));
    }
}

void waitid_entry(DecodeContext& ctx) {
    ArgTree& tree = ctx.tree();
    add_xval(tree, ctx.root(), static_cast<std::uint32_t>(ctx.arg(0)), xlat::wait_idtypes, "P_???");
    tree.add_int(ctx.root(), ctx.iarg(1));
}

void waitid_exit(DecodeContext& ctx) {
    shapes::add_siginfo_at(ctx, ctx.root(), ctx.arg(2));
    add_xflags(ctx.tree(), ctx.root(), static_cast<std::uint32_t>(ctx.arg(3)), xlat::wait_options,
               "W???");
    add_rusage(ctx, ctx.arg(4));
}

// Process groups and sessions: pids as ints.
void pid_entry(DecodeContext& ctx) {
    ctx.tree().add_int(ctx.root(), static_cast<int>(ctx.arg(0)));
}

void setpgid_entry(DecodeContext& ctx) {
    pid_entry(ctx);
    ctx.tree().add_int(ctx.root(), static_cast<int>(ctx.arg(1)));
}

constexpr SyscallDecoder kDecoders[] = {
    {"getpgid", pid_entry, nullptr},       {"getsid", pid_entry, nullptr},
    {"setpgid", setpgid_entry, nullptr},   {"clone", clone_entry, clone_exit},
    {"clone3", clone3_entry, clone3_exit}, {"fork", nullptr, nullptr},
    {"vfork", nullptr, nullptr},           {"execve", execve_entry, nullptr},
    {"execveat", execveat_entry, nullptr}, {"exit", exit_entry, nullptr},
    {"exit_group", exit_entry, nullptr},   {"wait4", wait4_entry, wait4_exit},
    {"waitid", waitid_entry, waitid_exit},
};

}  // namespace

std::span<const SyscallDecoder> process_decoders() {
    return kDecoders;
}

}  // namespace sctrace
