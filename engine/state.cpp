#include "engine/state.h"

#include <fcntl.h>
#include <linux/io_uring.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>
#include <vector>

#include "engine/arg_query.h"
#include "model/syscall_table.h"

namespace sctrace {

namespace {

// socket(2)'s type in its low bits, its flags above (the kernel's
// SOCK_TYPE_MASK, which no user header defines).
constexpr std::int64_t kSockTypeMask = 0xf;

void copy_name(std::string_view name, char* out, std::size_t size) {
    const std::size_t n = std::min(name.size(), size - 1);
    std::memcpy(out, name.data(), n);
    out[n] = '\0';
}

// glibc reads its NSS configuration from this fixed path.
bool is_nss_config(std::string_view path) {
    return path == "/etc/nsswitch.conf";
}

// An NSS service module: libnss_files.so.2, /lib/.../libnss_compat.so.2.
bool is_nss_module(std::string_view path) {
    const std::string_view file = path.substr(path.rfind('/') + 1);
    return file.starts_with("libnss_") && file.find(".so") != std::string_view::npos;
}

// What the dynamic loader opens: its cache, and shared objects (x.so,
// x.so.6, x.so.1.2.3).
bool is_shared_object(std::string_view path) {
    if (path == "/etc/ld.so.cache") return true;
    const std::string_view file = path.substr(path.rfind('/') + 1);
    const std::size_t so = file.rfind(".so");
    if (so == std::string_view::npos || so == 0) return false;
    const std::string_view rest = file.substr(so + 3);
    return rest.empty() ||
           (rest[0] == '.' && rest.find_first_not_of("0123456789.") == std::string_view::npos);
}

// glibc (2.35 and later) registers every thread with rseq(), passing this
// signature (glibc's RSEQ_SIG on x86). musl and Go do not call rseq.
constexpr std::int64_t kGlibcRseqSignature = 0x53053053;

// The text of an argv array argument after argv[0], joined by spaces;
// nullopt when it is not an array of strings or any part was cut short
// (strace's -s limit, a decoder's): a partial command line would be a
// wrong one.
std::optional<std::string> argv_after_first(const SyscallEvent& call, int index) {
    const NodeId argv = arg_node(call, index);
    if (argv == kNoNode) return std::nullopt;
    const ArgTree& tree = *call.decoded;
    if (tree.node(argv).kind != ArgKind::Array || tree.node(argv).truncated) return std::nullopt;
    std::string text;
    std::size_t i = 0;
    for (const NodeId c : tree.children(argv)) {
        const ArgNode& n = tree.node(c);
        if (n.kind != ArgKind::Str) return std::nullopt;
        if (i++ == 0) continue;  // argv[0]: the caller's word, not the command's
        if (n.truncated) return std::nullopt;
        if (i > 2) text += ' ';
        text += n.text;
    }
    return text;
}

// What a successful fork/clone made: a child of the caller's process, a
// child of the caller's parent (CLONE_PARENT), or a thread; nullopt when
// the flags are not known (clone3 without a decoded struct).
enum class NewTask : std::uint8_t { Child, Sibling, Thread };
std::optional<NewTask> new_task_of(const SyscallEvent& call, const SyscallTraits& traits) {
    constexpr std::uint64_t kCloneParent = 0x00008000, kCloneThread = 0x00010000;
    if (traits.kind != SyscallKind::Clone && traits.kind != SyscallKind::Clone3) {
        return NewTask::Child;  // fork, vfork
    }
    bool parent = false, thread = false, known = false;
    if (call.decoded) {
        // clone's flags are the argument strace names flags=; clone3's a
        // member of its struct. A parsed log keys them; the live decoder
        // writes them as text ("flags=CLONE_VM|...", "{flags=...").
        const ArgTree& tree = *call.decoded;
        for (const NodeId c : tree.children(tree.root())) {
            const ArgNode& n = tree.node(c);
            NodeId f = n.key == "flags" ? c : kNoNode;
            if (f == kNoNode && n.kind == ArgKind::Struct) f = tree.member(c, "flags");
            if (f != kNoNode) {
                parent = tree.has_flag(f, "CLONE_PARENT");
                thread = tree.has_flag(f, "CLONE_THREAD");
                known = true;
                break;
            }
            if (n.kind != ArgKind::Text) continue;
            const std::string_view text = n.text;
            const std::size_t at = text.starts_with("flags=")    ? 6
                                   : text.starts_with("{flags=") ? 7
                                                                 : std::string_view::npos;
            if (at == std::string_view::npos) continue;
            std::string_view names = text.substr(at);
            names = names.substr(0, names.find_first_of(",} "));
            while (!names.empty()) {
                const std::string_view name = names.substr(0, names.find('|'));
                parent = parent || name == "CLONE_PARENT";
                thread = thread || name == "CLONE_THREAD";
                names.remove_prefix(std::min(names.size(), name.size() + 1));
            }
            known = true;
            break;
        }
    } else if (traits.kind == SyscallKind::Clone) {
        parent = call.args[0] & kCloneParent;
        thread = call.args[0] & kCloneThread;
        known = true;
    }
    if (!known) return std::nullopt;
    return thread ? NewTask::Thread : parent ? NewTask::Sibling : NewTask::Child;
}

// socket()'s type without its flags (SOCK_DGRAM ...), 0 when not known.
std::uint8_t sock_type_of(const SyscallEvent& call) {
    constexpr std::pair<std::string_view, int> kTypes[] = {
        {"SOCK_STREAM", SOCK_STREAM},
        {"SOCK_DGRAM", SOCK_DGRAM},
        {"SOCK_RAW", SOCK_RAW},
        {"SOCK_SEQPACKET", SOCK_SEQPACKET},
    };
    for (const auto& [name, type] : kTypes) {
        if (arg_has_flag(call, 1, name)) return static_cast<std::uint8_t>(type);
    }
    if (call.decoded && !arg_name(call, 1).empty()) return 0;  // a type named otherwise
    const auto type = arg_int(call, 1);
    return type ? static_cast<std::uint8_t>(*type & kSockTypeMask) : 0;
}

// socket()'s protocol argument, -1 when not known.
int protocol_of(const SyscallEvent& call) {
    constexpr std::pair<std::string_view, int> kProtocols[] = {
        {"IPPROTO_IP", 0},        {"IPPROTO_ICMP", 1},    {"IPPROTO_TCP", 6},
        {"IPPROTO_UDP", 17},      {"IPPROTO_ICMPV6", 58}, {"IPPROTO_SCTP", 132},
        {"IPPROTO_UDPLITE", 136}, {"IPPROTO_RAW", 255},   {"IPPROTO_MPTCP", 262},
    };
    const std::string_view name = arg_name(call, 2);
    if (!name.empty()) {
        for (const auto& [known, number] : kProtocols) {
            if (name == known) return number;
        }
        // A name of another family's protocols, or a number as text.
        const auto v = ArgTree::text_int(name);
        return v ? static_cast<int>(*v) : -1;
    }
    const auto v = arg_int(call, 2);
    return v ? static_cast<int>(*v) : -1;
}

bool is_wildcard_ip(std::string_view ip) {
    return ip == "0.0.0.0" || ip == "::";
}

void set_end(InetEnd& end, const InetEndpoint& from) {
    end.ip = std::string(from.ip);
    end.port = from.port;
}

}  // namespace

std::string_view fd_kind_name(FdKind kind) {
    switch (kind) {
        case FdKind::Unknown:
            return "unknown";
        case FdKind::File:
            return "file";
        case FdKind::Socket:
            return "socket";
        case FdKind::Pipe:
            return "pipe";
        case FdKind::EventFd:
            return "eventfd";
        case FdKind::Epoll:
            return "epoll";
        case FdKind::IoUring:
            return "io_uring";
        case FdKind::Other:
            return "other";
    }
    return "unknown";
}

std::string_view socket_state_name(SocketState state) {
    switch (state) {
        case SocketState::None:
            return "none";
        case SocketState::Connecting:
            return "connecting";
        case SocketState::Connected:
            return "connected";
        case SocketState::Failed:
            return "failed";
        case SocketState::Listening:
            return "listening";
        case SocketState::Accepted:
            return "accepted";
    }
    return "none";
}

std::string_view family_name(Family family) {
    switch (family) {
        case Family::Unknown:
            return "unknown";
        case Family::Inet:
            return "AF_INET";
        case Family::Inet6:
            return "AF_INET6";
        case Family::Unix:
            return "AF_UNIX";
        case Family::Netlink:
            return "AF_NETLINK";
        case Family::Other:
            return "other";
    }
    return "unknown";
}

Family family_from_name(std::string_view name) {
    if (name == "AF_INET" || name == "PF_INET") return Family::Inet;
    if (name == "AF_INET6" || name == "PF_INET6") return Family::Inet6;
    if (name == "AF_UNIX" || name == "AF_LOCAL" || name == "PF_UNIX" || name == "PF_LOCAL") {
        return Family::Unix;
    }
    if (name == "AF_NETLINK" || name == "PF_NETLINK") return Family::Netlink;
    return name.empty() ? Family::Unknown : Family::Other;
}

std::span<const std::string_view> state_syscalls() {
    static const std::vector<std::string_view> names = syscalls_with(kTraitTracked);
    return names;
}

bool is_futex_sample(std::int32_t x86_64_nr) {
    const SyscallInfo* info = syscall_info(Arch::X86_64, x86_64_nr);
    return info && info->traits.kind == SyscallKind::Futex;
}

void FdState::remember(const Event& event, const SyscallEvent& call, bool untraced) {
    std::size_t at;
    if (history_size_ == kHistory) {
        at = history_start_;  // the oldest makes room
        history_start_ = static_cast<std::uint8_t>((history_start_ + 1) % kHistory);
    } else {
        at = (history_start_ + history_size_++) % kHistory;
    }
    FdEventRecord& r = history_[at];
    r.time = event.time;
    r.tid = event.tid;
    r.err = call.err;
    r.ret = call.ret;
    r.has_result = call.has_result;
    r.injected = call.injected;
    r.untraced = untraced;
    r.ring_fd = call.via_ring ? call.via_ring->ring_fd : -1;
    r.ring_user_data = call.via_ring ? call.via_ring->user_data : 0;
    r.ring_fixed_file = call.via_ring ? call.via_ring->fixed_file : -1;
    r.ring_direct = call.via_ring ? call.via_ring->direct : -1;
    r.name_size = static_cast<std::uint8_t>(std::min(call.name.size(), r.name.size()));
    std::memcpy(r.name.data(), call.name.data(), r.name_size);
}

std::string FdEventRecord::text() const {
    // Formatted only when a finding shows it, so remembering costs no text.
    // "connect = -1 EINPROGRESS", as strace spells it; the number when
    // glibc has no name for it.
    char err_text[24] = "";
    if (err) {
        const char* name = strerrorname_np(err);
        if (name) {
            std::snprintf(err_text, sizeof err_text, " %s", name);
        } else {
            std::snprintf(err_text, sizeof err_text, " (errno %d)", err);
        }
    }
    char ring[128] = "";
    if (ring_fd >= 0) {
        char table[48] = "";
        if (ring_fixed_file >= 0) {
            std::snprintf(table, sizeof table, ", fixed file %d", ring_fixed_file);
        } else if (ring_direct >= 0) {
            std::snprintf(table, sizeof table, ", direct descriptor %d", ring_direct);
        }
        std::snprintf(ring, sizeof ring, " through io_uring (ring fd %d, user_data %#llx%s)",
                      ring_fd, static_cast<unsigned long long>(ring_user_data), table);
    }
    char line[192];
    if (untraced) {
        std::snprintf(line, sizeof line, "%.*s = (not traced)", static_cast<int>(name_size),
                      name.data());
    } else if (!has_result) {
        std::snprintf(line, sizeof line, "%.*s = ?", static_cast<int>(name_size), name.data());
    } else {
        std::snprintf(line, sizeof line, "%.*s = %lld%s%s%s", static_cast<int>(name_size),
                      name.data(), static_cast<long long>(ret), err_text,
                      injected ? " (INJECTED)" : "", ring);
    }
    return line;
}

std::uint32_t FdTable::slot_of(int fd) const {
    if (fd >= 0 && fd < kDirect) {
        const auto n = static_cast<std::size_t>(fd);
        return n < direct_.size() ? direct_[n] : kNoSlot;
    }
    const auto it = overflow_.find(fd);
    return it == overflow_.end() ? kNoSlot : it->second;
}

std::uint32_t FdTable::slot_for(int fd) {
    std::uint32_t* at = nullptr;
    if (fd >= 0 && fd < kDirect) {
        const auto n = static_cast<std::size_t>(fd);
        if (n >= direct_.size()) direct_.resize(n + 1, kNoSlot);
        at = &direct_[n];
    } else {
        at = &overflow_.try_emplace(fd, kNoSlot).first->second;
    }
    if (*at == kNoSlot) {
        *at = static_cast<std::uint32_t>(slots_.size());
        if (slots_.empty()) slots_.reserve(8);  // stdin, stdout, stderr and a few more
        slots_.emplace_back();
        status_.push_back(Status::Free);
    }
    return *at;
}

const FdState* FdTable::find(int fd) const {
    const std::uint32_t at = slot_of(fd);
    return at != kNoSlot && status_[at] == Status::Open ? &slots_[at].last : nullptr;
}

FdState* FdTable::find(int fd) {
    return const_cast<FdState*>(std::as_const(*this).find(fd));
}

const ClosedFd* FdTable::find_closed(int fd) const {
    const std::uint32_t at = slot_of(fd);
    return at != kNoSlot && status_[at] == Status::Closed ? &slots_[at] : nullptr;
}

FdState& FdTable::open(int fd, FdState&& state) {
    const std::uint32_t at = slot_for(fd);
    status_[at] = Status::Open;
    slots_[at].last = std::move(state);
    return slots_[at].last;
}

ClosedFd& FdTable::close(int fd, bool* was_open) {
    const std::uint32_t at = slot_for(fd);
    ClosedFd& slot = slots_[at];
    *was_open = status_[at] == Status::Open;
    if (!*was_open) {
        slot.last = FdState{};
        slot.last.fd = fd;
    }
    status_[at] = Status::Closed;
    return slot;
}

void FdTable::forget(int fd) {
    const std::uint32_t at = slot_of(fd);
    if (at != kNoSlot) status_[at] = Status::Free;
}

void FdTable::forget_range(int first, int last) {
    for (auto it = overflow_.lower_bound(first); it != overflow_.end() && it->first <= last; ++it) {
        status_[it->second] = Status::Free;
    }
    for (int fd = std::max(first, 0); fd <= last && fd < static_cast<int>(direct_.size()); ++fd) {
        if (direct_[static_cast<std::size_t>(fd)] != kNoSlot) {
            status_[direct_[static_cast<std::size_t>(fd)]] = Status::Free;
        }
    }
}

void FdTable::inherit_open(const FdTable& parent) {
    drop_open_if([](const FdState&) { return true; });
    parent.for_each_open([this](int fd, const FdState& state) {
        const std::uint32_t at = slot_for(fd);
        status_[at] = Status::Open;
        slots_[at].last = state;
    });
}

ProcessState& StateTracker::process_of(pid_t pid) {
    const auto [it, created] = processes_.try_emplace(pid);
    ProcessState& p = it->second;
    if (created) {
        p.pid = pid;
        p.instance = ++instances_;
    }
    return p;
}

const ProcessState* StateTracker::process(pid_t pid) const {
    const auto it = processes_.find(pid);
    return it == processes_.end() ? nullptr : &it->second;
}

const ThreadState* StateTracker::thread(pid_t tid) const {
    const auto t = thread_to_process_.find(tid);
    if (t == thread_to_process_.end()) return nullptr;
    const ProcessState* p = process(t->second);
    if (!p) return nullptr;
    const auto it = p->threads.find(tid);
    return it == p->threads.end() ? nullptr : &it->second;
}

const FdState* StateTracker::fd(pid_t pid, int fd) const {
    const ProcessState* p = process(pid);
    return p ? p->fds.find(fd) : nullptr;
}

const ClosedFd* StateTracker::closed_fd(pid_t pid, int fd) const {
    const ProcessState* p = process(pid);
    return p ? p->fds.find_closed(fd) : nullptr;
}

ThreadState& StateTracker::thread_of(pid_t pid, pid_t tid, ProcessState** process) {
    CachedThread& c = thread_cache_[static_cast<std::size_t>(tid) % kThreadCache];
    if (!c.thread || c.pid != pid || c.tid != tid) {
        ProcessState& p = process_of(pid);
        ThreadState& t = p.threads[tid];
        thread_to_process_[tid] = pid;
        t.tid = tid;
        t.pid = pid;
        c = {pid, tid, &p, &t};
    }
    *process = c.process;
    return *c.thread;
}

void StateTracker::open_fd(ProcessState& p, int fd, FdState state, const Event& event) {
    if (fd < 0 && !is_direct_key(fd)) return;
    // Another file takes the number (dup2's target, a missed close).
    if (p.fds.find(fd)) release_fd(p, fd);
    const SyscallEvent* call = event.syscall();
    state.fd = fd;
    state.generation = ++generations_;
    state.created_by = event.tid;
    state.created_at = event.time;
    if (call) {
        copy_name(call->name, state.created_with.data(), state.created_with.size());
        state.remember(event, *call);
    }
    // The number is reused: a closed descriptor of it is history.
    p.fds.open(fd, std::move(state));
}

void StateTracker::close_fd(ProcessState& p, int fd, const Event& event) {
    release_fd(p, fd);
    bool was_tracked = false;
    ClosedFd& closed = p.fds.close(fd, &was_tracked);
    // Without its fd nothing can reap the ring's completions.
    if (was_tracked && closed.last.kind == FdKind::IoUring) p.ring_ops.forget_ring(fd);
    closed.closed_at = event.time;
    closed.closed_by = event.tid;
    // A tracked fd already has this close in its history (on_exit_of_call).
    if (const SyscallEvent* call = event.syscall(); call && !was_tracked) {
        closed.last.remember(event, *call);
    }
}

void StateTracker::forget_fd(ProcessState& p, int fd) {
    // Slots registered from it hold their file whatever became of the fd.
    release_fd(p, fd);
    const FdState* state = p.fds.find(fd);
    if (state && state->kind == FdKind::IoUring) p.ring_ops.forget_ring(fd);
    p.fds.forget(fd);
}

void StateTracker::release_fd(ProcessState& p, int fd) {
    const FdState* s = p.fds.find(fd);
    const bool ring = p.ring_files.has_ring(fd) || (s && s->kind == FdKind::IoUring);
    if (s && p.ring_files.any_linked()) {
        // Only with registered files, and only the few slots of this file.
        std::vector<std::pair<int, std::uint32_t>> linked;
        p.ring_files.for_each_linked(fd, s->generation, [&linked](int ring_fd, std::uint32_t at) {
            linked.emplace_back(ring_fd, at);
        });
        for (const auto& [ring_fd, at] : linked) keep_linked_slot(p, ring_fd, at);
    }
    // The ring's table goes with the ring: its direct descriptors close.
    if (ring) forget_ring_files(p, fd);
}

void StateTracker::keep_linked_slot(ProcessState& p, int ring_fd, std::uint32_t slot) {
    const RingFiles::Slot s = p.ring_files.slot(ring_fd, slot);
    const std::optional<int> key = direct_key(ring_fd, slot);
    const FdState* from = s.kind == RingFiles::SlotKind::Linked ? p.fds.find(s.fd) : nullptr;
    if (!key || !from || from->generation != s.generation) {
        // The link broke unseen: which file the slot holds is not known.
        p.ring_files.set_slot(ring_fd, slot, {});
        return;
    }
    // The same open file (its generation), now held by the ring alone.
    FdState copy = *from;
    copy.fd = *key;
    p.fds.open(*key, std::move(copy));
    p.ring_files.set_slot(ring_fd, slot, {RingFiles::SlotKind::Direct});
}

void StateTracker::forget_ring_files(ProcessState& p, int ring_fd) {
    p.ring_files.drop(ring_fd);
    const auto first = direct_key(ring_fd, 0);
    if (first) p.fds.forget_range(*first, *first + static_cast<int>(kMaxRingFiles) - 1);
}

void StateTracker::on_files_registered(ProcessState& p, const Event& event,
                                       const SyscallEvent& call) {
    const std::optional<FilesChange> change = files_change_of(call);
    if (!change) return;
    const int ring = change->ring_fd;
    // Slot `at` now holds the file process fd `fd` names, or nothing (-1).
    const auto put = [&](std::uint32_t at, std::int64_t fd) {
        if (const auto key = direct_key(ring, at)) p.fds.forget_range(*key, *key);
        RingFiles::Slot slot{RingFiles::SlotKind::Empty};
        if (fd >= 0) {
            FdState* f = p.fds.find(static_cast<int>(fd));
            // A file the trace never saw opened: which one is not known.
            slot = f ? RingFiles::Slot{RingFiles::SlotKind::Linked, static_cast<int>(fd),
                                       f->generation}
                     : RingFiles::Slot{};
            // Its history says it went into the ring's table: what a slot
            // does with it later is read against that.
            if (f) f->remember(event, call);
        }
        p.ring_files.set_slot(ring, at, slot);
    };
    switch (change->kind) {
        case FilesChange::Kind::Unknown:
            // Some ring's table changed, which one is not known: none is
            // followed any more.
            p.ring_files.clear();
            p.fds.forget_range(kFirstDirectKey, kLastDirectKey);
            return;
        case FilesChange::Kind::Unregister:
            forget_ring_files(p, ring);
            return;
        case FilesChange::Kind::Table: {
            forget_ring_files(p, ring);
            const auto shown = static_cast<std::uint32_t>(change->fds.size());
            p.ring_files.set_table(ring, change->count, change->sparse ? change->count : shown);
            for (std::uint32_t at = 0; at < shown; ++at) {
                if (change->fds[at] >= 0) put(at, change->fds[at]);
            }
            return;
        }
        case FilesChange::Kind::Update: {
            const std::uint64_t end = std::min<std::uint64_t>(
                static_cast<std::uint64_t>(change->first) + change->count, kMaxRingFiles);
            for (std::uint64_t at = change->first; at < end; ++at) {
                const std::size_t i = at - change->first;
                const auto slot = static_cast<std::uint32_t>(at);
                if (i >= change->fds.size()) {
                    // Updated with a value the trace did not show.
                    if (const auto key = direct_key(ring, slot)) p.fds.forget_range(*key, *key);
                    p.ring_files.set_slot(ring, slot, {});
                } else if (change->fds[i] != IORING_REGISTER_FILES_SKIP) {
                    put(slot, change->fds[i]);
                }
            }
            return;
        }
    }
}

std::optional<RingTarget> StateTracker::ring_target(const ProcessState& p,
                                                    const IoUringSqeEvent& sqe,
                                                    const IoUringTwin& twin) const {
    RingTarget target;
    target.fd = sqe.fd;
    // An operation that names its slot by file_index (a direct CLOSE) takes
    // no fixed file: the kernel fails it whatever the slot holds, and that
    // failure says nothing of the slot.
    if (sqe.fixed_file() && twin.direct == IoUringDirect::Fd) return std::nullopt;
    if (sqe.fixed_file()) {
        // sqe.fd is a slot, when the twin's `fd` field is its descriptor (an
        // operation whose `fd` is something else, SOCKET's domain or
        // OPENAT's directory, the kernel fails or ignores it with the flag).
        const auto fd_field =
            std::find(twin.args.begin(), twin.args.begin() + twin.arg_count, IoUringTwinArg::Fd);
        if (fd_field != twin.args.begin() + twin.arg_count) {
            const SyscallInfo* info = io_uring_twin_row(twin);
            if (!info || info->traits.fd_arg != fd_field - twin.args.begin()) return std::nullopt;
            if (sqe.fd < 0) return std::nullopt;
            const auto slot = static_cast<std::uint32_t>(sqe.fd);
            target.fixed_file = sqe.fd;
            const RingFiles::Slot s = p.ring_files.slot(sqe.ring_fd, slot);
            switch (s.kind) {
                case RingFiles::SlotKind::Unknown:
                    return std::nullopt;
                case RingFiles::SlotKind::Linked: {
                    // Judged as its twin on the process fd, while that fd is
                    // the file the slot was registered from.
                    const FdState* f = p.fds.find(s.fd);
                    if (!f || f->generation != s.generation) return std::nullopt;
                    target.fd = s.fd;
                    break;
                }
                case RingFiles::SlotKind::Empty:
                case RingFiles::SlotKind::Direct: {
                    const auto key = direct_key(sqe.ring_fd, slot);
                    if (!key) return std::nullopt;
                    target.fd = *key;
                    break;
                }
            }
        }
    }
    if (twin.direct != IoUringDirect::None && sqe.file_index != 0) {
        const bool alloc = sqe.file_index == IORING_FILE_INDEX_ALLOC;
        const std::uint32_t slot = sqe.file_index - 1;
        // Out of the bounds a key has: not followed.
        if (!direct_key(sqe.ring_fd, alloc ? 0 : slot)) return std::nullopt;
        if (twin.direct == IoUringDirect::Fd) {
            if (alloc) return std::nullopt;  // the kernel refuses it
            target.fd = *direct_key(sqe.ring_fd, slot);
            target.direct = static_cast<std::int32_t>(slot);
        } else {
            target.direct = alloc ? kDirectAlloc : static_cast<std::int32_t>(slot);
        }
    }
    const FdState* f = p.fds.find(target.fd);
    target.fd_generation = f ? f->generation : 0;
    return target;
}

void StateTracker::note_open(ProcessState& p, std::string_view path, bool ok) {
    ProgramFacts& program = p.program;
    const bool nss = is_nss_config(path) || is_nss_module(path);
    // The first telling open after an exec decides, attempts included (a
    // container without nsswitch.conf still shows glibc looking for it).
    if (program.inferring && (nss || is_shared_object(path))) {
        program.inferring = false;
        program.is_static = nss ? 1 : 0;
    }
    if (!ok) return;
    // Only glibc has NSS modules, and a dynamic program on it loads libc.so.6.
    if (program.glibc < 0 &&
        (is_nss_module(path) || path.substr(path.rfind('/') + 1) == "libc.so.6")) {
        program.glibc = 1;
    }
    if (nss) ++program.nss_opens;
    if (is_nss_module(path)) ++program.nss_modules;
}

void StateTracker::note_rseq(ProcessState& p, const SyscallEvent& call) {
    ProgramFacts& program = p.program;
    const auto signature = arg_int(call, 3);
    if (!signature || (*signature & 0xffffffff) != kGlibcRseqSignature) return;
    // Attempts count: a kernel without rseq fails the call, and it still
    // shows who made it.
    if (program.glibc < 0) program.glibc = 1;
    // glibc's start-up registered its main thread with no loader open
    // before: nothing loaded a libc.so.6 for it.
    if (program.inferring) {
        program.inferring = false;
        program.is_static = 1;
    }
}

std::optional<int> new_fd_of(const SyscallEvent& call) {
    if (!call.has_result || call.err != 0 || call.ret < 0) return std::nullopt;
    if (const IoUringOrigin* ring = call.via_ring; ring && ring->direct >= 0) {
        if (!syscall_traits(call).has(kTraitCreatesFd)) return static_cast<int>(call.ret);
        return direct_key(ring->ring_fd, static_cast<std::uint32_t>(ring->direct));
    }
    return static_cast<int>(call.ret);
}

std::string direct_descriptor_name(int key) {
    char name[64];
    std::snprintf(name, sizeof name, "direct descriptor %u of ring fd %d", direct_slot(key),
                  direct_ring_fd(key));
    return name;
}

std::string call_peer_name(const SyscallEvent& call) {
    // The address a call sends to, not bind's own or accept's filled in.
    const SyscallTraits& traits = syscall_traits(call);
    if (traits.kind != SyscallKind::Connect && traits.kind != SyscallKind::Sendto) return {};
    const auto address = arg_sockaddr(call, traits.addr_arg);
    return address ? socket_address_name(*address) : std::string();
}

const SignalAction& ProcessState::signal_action(int signo) const {
    static const SignalAction kUnknown{};
    return signals ? signals->action(signo) : kUnknown;
}

void StateTracker::withdraw_refused(ProcessState& p, ThreadState& t, const SyscallEvent& call) {
    auto& entering = t.entering_submissions;
    // io_uring_enter returns how many submissions it consumed, from the
    // head of the queue, in the order they were read; on an error, none.
    // A thread that never returned from it (has_result false) is left as
    // it is: the kernel consumes them before it waits.
    if (syscall_traits(call).kind == SyscallKind::IoUringEnter && call.has_result) {
        const std::size_t taken =
            call.err == 0 && call.ret > 0 ? static_cast<std::size_t>(call.ret) : 0;
        for (std::size_t i = entering.size(); i > taken; --i) {
            p.ring_ops.withdraw(entering[i - 1].first, entering[i - 1].second);
        }
    }
    entering.clear();
}

void StateTracker::on_signal_call(ProcessState& p, const SyscallEvent& call) {
    if (is_sigaction_call(call)) {
        if (!p.signals) p.signals = std::make_shared<SignalDispositions>();
        p.signals->on_sigaction_call(call);
    } else if (is_sighand_sharing_clone(call) && p.signals) {
        process_of(static_cast<pid_t>(call.ret)).signals = p.signals;
    }
}

void StateTracker::on_signal_delivery(ProcessState& p, const Event& event) {
    const SignalEvent& sig = *event.signal();
    const Verdict verdict = p.signal_verdict(sig);
    // A handled one too: a fault in a thread that blocks it (a crash in
    // its own handler) is forced to kill, and the death then names it.
    if (verdict != Verdict::Ignored)
        p.killing_delivery = KillingDelivery{sig, event.tid, event.time};
    if (p.signals) p.signals->on_delivery(sig);
}

void StateTracker::adopt_early_thread(pid_t pid, pid_t tid) {
    const auto found = processes_.find(tid);
    if (found == processes_.end()) return;
    ProcessState* early = &found->second;  // stays valid when process_of() rehashes
    if (!early->exe.empty() || early->threads.size() != 1 || !early->threads.contains(tid)) return;
    ProcessState& p = process_of(pid);
    ThreadState& t = p.threads[tid];
    t = early->threads.begin()->second;
    t.pid = pid;
    // What it opened before is in its process's one table.
    early->fds.for_each_open([&p](int fd, FdState& state) {
        if (!p.fds.find(fd)) {
            FdState copy = state;
            p.fds.open(fd, std::move(copy));
        }
    });
    processes_.erase(tid);
    thread_to_process_[tid] = pid;
}

void StateTracker::apply(const Event& event) {
    switch (event.kind) {
        case EventKind::SyscallEntry: {
            const SyscallEvent& call = *event.syscall();
            ProcessState* p = nullptr;
            ThreadState& t = thread_of(event.pid, event.tid, &p);
            t.in_call = true;
            t.exit_untraced = false;
            t.call_nr = call.arch == Arch::X86_64 ? call.nr : -1;
            copy_name(call.name, t.call.data(), t.call.size());
            t.call_since = call.entry_time;
            // A parsed strace line has no registers: its tree has the value.
            // Argument 0 is read once when it is also the fd (read, write...).
            // Argument 0 is parsed only where it is read: the fd of read,
            // write ..., or the word a futex wait sits on (named when a log
            // ends in a deadlock).
            const SyscallTraits& traits = syscall_traits(call);
            t.call_traits = traits.bits;
            const int fd_arg = traits.fd_arg;
            const bool futex = traits.kind == SyscallKind::Futex;
            const std::optional<std::int64_t> arg0 =
                fd_arg == 0 || futex ? arg_int(call, 0) : std::nullopt;
            if (fd_arg == 0) {
                t.call_fd = arg0 ? std::optional<int>(static_cast<int>(*arg0)) : std::nullopt;
            } else {
                t.call_fd = fd_arg > 0 ? arg_fd(call, fd_arg) : std::nullopt;
            }
            t.call_fd = fd_of_call(call, t.call_fd);
            const FdState* target = t.call_fd ? p->fds.find(*t.call_fd) : nullptr;
            t.call_fd_generation = target ? target->generation : 0;
            t.call_arg0 =
                static_cast<std::uint64_t>(arg0.value_or(static_cast<std::int64_t>(call.args[0])));
            t.call_untimed_wait = futex && is_untimed_futex_wait(call);
            // Read now: a successful exec replaces the memory argv was in.
            if (traits.has(kTraitExecs)) t.exec_args = argv_after_first(call, traits.path_arg + 1);
            // Submissions read at an io_uring_enter come just before its
            // entry; any other call's entry finds none of them still open.
            if (traits.kind != SyscallKind::IoUringEnter) t.entering_submissions.clear();
            break;
        }
        case EventKind::ThreadSample: {
            const ThreadSampleEvent& sample = *event.thread_sample();
            ProcessState* p = nullptr;
            ThreadState& t = thread_of(event.pid, event.tid, &p);
            if (t.sampled_state != sample.state || t.sampled_syscall != sample.syscall ||
                t.wchan != sample.wchan) {
                t.sampled_since = event.time;
            }
            t.sampled_state = sample.state;
            t.sampled_syscall = sample.syscall;
            t.sampled_arg0 = sample.args[0];
            t.sampled_untimed_wait = is_futex_sample(sample.syscall) &&
                                     is_untimed_futex_wait(sample.args[1], sample.args[3]);
            t.io_worker = sample.io_worker;
            // Only a process that owns an io_uring has its kernel threads
            // (iou-sqp-*, iou-wrk-*): known so even when its io_uring_setup
            // went unseen (attached later, or a source without results).
            if (sample.io_worker && p) p->has_io_uring = true;
            t.wchan = sample.wchan;
            t.comm = sample.comm;
            break;
        }
        case EventKind::SyscallExit: {
            const SyscallEvent& call = *event.syscall();
            ProcessState* p = nullptr;
            ThreadState& t = thread_of(event.pid, event.tid, &p);
            if (call.injected) ++p->injected_results;
            // The entry of this very call was seen (not a trace that starts
            // inside it): what its fd named then is known.
            const std::optional<std::uint64_t> entry_generation =
                t.in_call && t.call_fd && call.name == std::string_view(t.call.data())
                    ? std::optional<std::uint64_t>(t.call_fd_generation)
                    : std::nullopt;
            const bool entry_seen = t.in_call && call.name == std::string_view(t.call.data());
            // A log's one line for the call: its argv is in it (the exec
            // event follows the line).
            if (!entry_seen && syscall_traits(call).has(kTraitExecs)) {
                t.exec_args = argv_after_first(call, syscall_traits(call).path_arg + 1);
            }
            leave_call(t);
            if (!t.entering_submissions.empty()) withdraw_refused(*p, t, call);
            on_exit_of_call(*p, event, call, entry_generation);
            on_signal_call(*p, call);
            break;
        }
        case EventKind::IoUringSubmit: {
            const IoUringSqeEvent& sqe = *event.io_uring_submit();
            const IoUringTwin* twin = RingOps::twin_of(sqe);
            ProcessState* p = nullptr;
            if (!twin) {
                if (io_uring_updates_slots(sqe.opcode)) {
                    thread_of(event.pid, event.tid, &p);
                    forget_updated_slots(*p, sqe);
                }
                break;
            }
            thread_of(event.pid, event.tid, &p);
            const IoUringTwin* followed = RingOps::followed(sqe);
            if (!followed) {
                p->ring_ops.skip_success();
                // Closed, or not: the state must not go on holding a file
                // there (a leak at exit) nor a closed record (a double close).
                if (const int fd = RingOps::unknown_fd(sqe); fd >= 0) forget_fd(*p, fd);
                // A direct descriptor made or closed out of sight: its slot
                // is not known after.
                forget_direct_slot(*p, sqe, *twin);
                break;
            }
            const std::optional<RingTarget> target = ring_target(*p, sqe, *twin);
            if (!target) {
                forget_direct_slot(*p, sqe, *twin);
                break;
            }
            // A linked slot closed through the ring: the file it held goes
            // on in the process fd; the slot's own reference is what closes.
            if (twin->direct == IoUringDirect::Fd && target->direct >= 0 &&
                p->ring_files.slot(sqe.ring_fd, static_cast<std::uint32_t>(target->direct)).kind ==
                    RingFiles::SlotKind::Linked) {
                keep_linked_slot(*p, sqe.ring_fd, static_cast<std::uint32_t>(target->direct));
            }
            if (!p->ring_ops.submit(sqe, *twin, event.time, *target, event.tid)) {
                forget_direct_slot(*p, sqe, *twin);
            } else if (sqe.seen_at == IoUringSeenAt::Enter) {
                thread_of(event.pid, event.tid, &p)
                    .entering_submissions.emplace_back(sqe.ring_fd, sqe.user_data);
            }
            break;
        }
        case EventKind::IoUringComplete: {
            const auto it = processes_.find(event.pid);
            if (it != processes_.end()) it->second.ring_ops.complete(*event.io_uring_complete());
            break;
        }
        case EventKind::Signal: {
            ProcessState* p = nullptr;
            thread_of(event.pid, event.tid, &p);
            on_signal_delivery(*p, event);
            break;
        }
        case EventKind::Spawn: {
            thread_cache_ = {};
            const SpawnEvent& spawn = *event.spawn();
            if (spawn.kind == SpawnKind::Thread && spawn.child_tid != spawn.child_pid) {
                adopt_early_thread(spawn.child_pid, spawn.child_tid);
            }
            thread_to_process_[spawn.child_tid] = spawn.child_pid;
            ProcessState& child = process_of(spawn.child_pid);
            ThreadState& t = child.threads[spawn.child_tid];
            t.tid = spawn.child_tid;
            t.pid = spawn.child_pid;
            if (spawn.kind != SpawnKind::Thread && spawn.child_pid != event.pid) {
                // A new process starts with a copy of its parent's table.
                const ProcessState* parent = process(event.pid);
                if (parent) {
                    ProcessState& c = processes_[spawn.child_pid];
                    c.fds.inherit_open(parent->fds);
                    // The child's ring fds are the same rings: a copy of
                    // their tables (the kernel shares them; a program that
                    // changes one from both processes is not followed).
                    c.ring_files = parent->ring_files;
                    c.exe = parent->exe;
                    c.args = parent->args;
                    c.uid = parent->uid;
                    c.program = parent->program;
                    // Fork copies the dispositions (a CLONE_SIGHAND child
                    // shares them: on_signal_call, at the clone's return,
                    // which a log shows before this event).
                    if (parent->signals && c.signals != parent->signals) {
                        c.signals = std::make_shared<SignalDispositions>(*parent->signals);
                    }
                }
            }
            break;
        }
        case EventKind::Exec: {
            thread_cache_ = {};
            ProcessState& p = process_of(event.pid);
            const ExecEvent& exec = *event.exec();
            // A program that re-executes itself through /proc/self/exe (a
            // browser's zygote) runs the same file again; a log shows only
            // the link's name, which a live run has already resolved.
            if (exec.path != "/proc/self/exe" || p.exe.empty()) p.exe = std::string(exec.path);
            // The argv its exec'ing thread was seen passing, if it was.
            const auto execer = p.threads.find(exec.former_tid ? exec.former_tid : event.tid);
            if (execer != p.threads.end() && execer->second.exec_args) {
                p.args = std::move(execer->second.exec_args);
                execer->second.exec_args.reset();
            } else {
                p.args.reset();
            }
            p.program = ProgramFacts{};
            p.program.is_static = exec.is_static;
            p.program.glibc = exec.glibc;
            p.program.inferring = exec.is_static < 0;
            // Close-on-exec descriptors are gone in the new program.
            p.fds.drop_open_if([](const FdState& f) { return f.cloexec; });
            p.has_io_uring = false;
            p.ring_ops.clear();
            // The rings are not followed past an exec: their tables neither.
            p.ring_files.clear();
            p.fds.forget_range(kFirstDirectKey, kLastDirectKey);
            // An exec unshares dispositions shared through CLONE_SIGHAND.
            if (!p.signals) {
                p.signals = std::make_shared<SignalDispositions>();
            } else if (p.signals.use_count() > 1) {
                p.signals = std::make_shared<SignalDispositions>(*p.signals);
            }
            p.signals->on_exec(exec.signals_known, exec.ignored_signals);
            // A fork the trace saw names the parent already; the first
            // process it follows has only the exec's word for it.
            if (exec.uid >= 0) p.uid = exec.uid;
            if (p.ppid == 0 && exec.ppid > 0) p.ppid = exec.ppid;
            p.killing_delivery.reset();
            // Only the exec'ing thread survives.
            for (auto it = p.threads.begin(); it != p.threads.end();) {
                it = it->first == event.tid ? std::next(it) : p.threads.erase(it);
            }
            break;
        }
        case EventKind::Exit: {
            thread_cache_ = {};
            const ExitEvent& exit = *event.exit();
            if (exit.whole_process) {
                if (const auto gone = processes_.find(event.pid); gone != processes_.end()) {
                    // Read as it exited, its rings showed every completion
                    // posted: what is still in flight never had one.
                    rings_gone_ += exit.rings_read ? gone->second.ring_ops.coverage_at_read_exit()
                                                   : gone->second.ring_ops.coverage();
                    processes_.erase(gone);
                }
                // Its children go to a reaper the trace does not name.
                for (auto& [pid, child] : processes_) {
                    if (child.ppid == event.pid) child.ppid = 0;
                }
            } else if (auto it = processes_.find(event.pid); it != processes_.end()) {
                it->second.threads.erase(event.tid);
            }
            thread_to_process_.erase(event.tid);
            break;
        }
        default:
            break;
    }
}

bool StateTracker::ring_twin(const Event& complete, RingTwin& out) const {
    const IoUringCqeEvent* cqe = complete.io_uring_complete();
    // A zero-copy send posts its result (flagged IORING_CQE_F_MORE), then a
    // notification that its buffer is free again: the second is no call's
    // result, and would read as a second send.
    if (cqe && (cqe->flags & IORING_CQE_F_NOTIF)) return false;
    const ProcessState* p = cqe ? process(complete.pid) : nullptr;
    const RingOp* op = p ? p->ring_ops.find(*cqe) : nullptr;
    return op && make_ring_twin(*op, *cqe, complete.pid, complete.tid, complete.time, out);
}

RingCoverage StateTracker::ring_coverage() const {
    RingCoverage c = rings_gone_;
    for (const auto& [pid, p] : processes_) c += p.ring_ops.coverage();
    return c;
}

std::vector<RingOpInFlight> StateTracker::awaited_ring_ops(pid_t pid) const {
    std::vector<RingOpInFlight> out;
    const ProcessState* p = process(pid);
    if (!p) return out;
    // The ring's open file, shared with a process that inherited it across
    // fork (FdState::generation is copied, not renewed, by a fork).
    const auto held_elsewhere = [&](int ring_fd) {
        const FdState* ring = p->fds.find(ring_fd);
        if (!ring || ring->generation == 0) return false;
        return std::any_of(processes_.begin(), processes_.end(), [&](const auto& other) {
            if (other.first == pid) return false;
            const FdState* same = other.second.fds.find(ring_fd);
            return same && same->generation == ring->generation;
        });
    };
    p->ring_ops.for_each_in_flight([&](int ring_fd, std::uint64_t user_data, const RingOp& op) {
        if (op.twin->awaited && !op.result_posted) out.push_back({ring_fd, user_data, &op});
    });
    std::erase_if(out, [&](const RingOpInFlight& o) { return held_elsewhere(o.ring_fd); });
    std::stable_sort(out.begin(), out.end(), [](const RingOpInFlight& a, const RingOpInFlight& b) {
        return a.op->submitted_at < b.op->submitted_at;
    });
    return out;
}

bool StateTracker::ring_entry(const Event& submit, RingTwin& out) const {
    const IoUringSqeEvent* sqe = submit.io_uring_submit();
    if (!sqe || sqe->seen_at != IoUringSeenAt::Enter) return false;
    // Its start is known even when its result will not be (no completion
    // on success).
    const IoUringTwin* twin = RingOps::twin_of(*sqe);
    if (!twin || !twin->shown_to_rules) return false;
    const ProcessState* p = process(submit.pid);
    if (!p) return false;
    const std::optional<RingTarget> target = ring_target(*p, *sqe, *twin);
    return target &&
           make_ring_entry(*sqe, *twin, submit.pid, submit.tid, submit.time, *target, out);
}

void StateTracker::apply_ring_twin(const RingTwin& twin) {
    const Event& event = twin.event;
    ProcessState* p = nullptr;
    thread_of(event.pid, event.tid, &p);
    // The generation at submission: a number reused since then names
    // another file than the one the operation worked on. A number not open
    // at submission, as far as the state knew, is taken to name the file
    // open now: an SQPOLL ring's submissions are sampled, so one may be
    // seen before the completion that gave the program its fd (an OPENAT's
    // fd closed by the next submission). Wrong only when the number was
    // reused in between, and then it closes a file that is open: the rules
    // miss a later EBADF rather than invent one.
    const std::optional<std::uint64_t> generation =
        twin.fd_generation ? std::optional<std::uint64_t>(twin.fd_generation) : std::nullopt;
    const SyscallEvent& call = *event.syscall();
    on_exit_of_call(*p, event, call, generation);
    // What the ring's table holds now: the direct descriptor made, or the
    // slot emptied (EBADF: it was, whatever the state thought).
    const IoUringOrigin& origin = twin.origin;
    const std::optional<int> key =
        origin.direct >= 0 ? direct_key(origin.ring_fd, static_cast<std::uint32_t>(origin.direct))
                           : std::nullopt;
    if (!key) return;
    const SyscallTraits& traits = syscall_traits(call);
    const bool ok = call.has_result && call.err == 0;
    const auto slot = static_cast<std::uint32_t>(origin.direct);
    if (traits.has(kTraitCreatesFd) && ok) {
        p->ring_files.set_slot(origin.ring_fd, slot, {RingFiles::SlotKind::Direct});
    } else if (traits.kind == SyscallKind::Close && (ok || call.err == EBADF)) {
        if (!ok && p->fds.find(*key)) p->fds.forget_range(*key, *key);
        p->ring_files.set_slot(origin.ring_fd, slot, {RingFiles::SlotKind::Empty});
    }
}

void StateTracker::forget_direct_slot(ProcessState& p, const IoUringSqeEvent& sqe,
                                      const IoUringTwin& twin) {
    if (twin.direct == IoUringDirect::None || sqe.file_index == 0) return;
    if (sqe.file_index == IORING_FILE_INDEX_ALLOC) {
        forget_ring_files(p, sqe.ring_fd);  // any slot
        return;
    }
    const std::uint32_t slot = sqe.file_index - 1;
    if (const auto key = direct_key(sqe.ring_fd, slot)) p.fds.forget_range(*key, *key);
    p.ring_files.set_slot(sqe.ring_fd, slot, {});
}

void StateTracker::forget_updated_slots(ProcessState& p, const IoUringSqeEvent& sqe) {
    // IORING_OP_FILES_UPDATE: `len` fds from slot `off`, or wherever the
    // kernel finds room (IORING_FILE_INDEX_ALLOC).
    if (sqe.off == IORING_FILE_INDEX_ALLOC || sqe.off >= kMaxRingFiles) {
        forget_ring_files(p, sqe.ring_fd);
        return;
    }
    const auto first = static_cast<std::uint32_t>(sqe.off);
    const std::uint32_t n = std::min<std::uint32_t>(sqe.len, kMaxRingFiles - first);
    if (p.ring_files.forget_slots(sqe.ring_fd, first, n)) {
        forget_ring_files(p, sqe.ring_fd);
        return;
    }
    const auto lo = direct_key(sqe.ring_fd, first), hi = direct_key(sqe.ring_fd, first + n - 1);
    if (lo && hi) p.fds.forget_range(*lo, *hi);
}

bool is_untimed_futex_wait(std::uint64_t op, std::uint64_t timeout) {
    // FUTEX_WAIT, FUTEX_LOCK_PI, FUTEX_WAIT_BITSET, FUTEX_WAIT_REQUEUE_PI,
    // FUTEX_LOCK_PI2 (linux/futex.h), with the private/clock bits masked off.
    const std::uint64_t cmd = op & 127;
    const bool wait = cmd == 0 || cmd == 6 || cmd == 9 || cmd == 11 || cmd == 13;
    return wait && timeout == 0;
}

bool is_untimed_futex_wait(const SyscallEvent& call) {
    // A parsed strace line has no registers: read strace's spelling.
    if (call.decoded) {
        const std::string_view op = arg_name(call, 1);
        if (!op.empty()) {
            const bool wait = op.find("FUTEX_WAIT") != std::string_view::npos ||
                              op.find("FUTEX_LOCK_PI") != std::string_view::npos;
            if (!wait) return false;
            if (arg_node(call, 3) == kNoNode) return true;
            const std::optional<std::int64_t> value = arg_int(call, 3);
            return value && *value == 0;
        }
    }
    return is_untimed_futex_wait(call.args[1], call.args[3]);
}

std::vector<Event> StateTracker::end_of_trace_samples(Nanos time) const {
    std::vector<Event> samples;
    for (const auto& [pid, p] : processes_) {
        for (const auto& [tid, t] : p.threads) {
            ThreadSampleEvent sample;
            sample.end_of_trace = true;
            sample.io_worker = t.io_worker;
            if (t.in_call) {
                const std::optional<int> nr =
                    syscall_number(Arch::X86_64, std::string_view(t.call.data()));
                sample.syscall = nr ? *nr : -2;
                sample.args[0] = t.call_arg0;
                // A futex wait with no timeout, in the raw form a live
                // sample has (op FUTEX_WAIT, timeout NULL).
                sample.args[1] = t.call_untimed_wait ? 0 : 1;
            }
            samples.push_back(Event{EventKind::ThreadSample, time, pid, tid, sample});
        }
    }
    return samples;
}

void StateTracker::leave_call(ThreadState& t) {
    t.in_call = false;
    t.exit_untraced = false;
    t.call[0] = '\0';
    t.call_nr = -1;
    t.call_traits = 0;
    t.call_fd.reset();
    t.call_fd_generation = 0;
}

namespace {

// The descriptor a call of the x86_64 ABI works on, from its registers.
std::optional<int> raw_fd_of(const SyscallEvent& call, const SyscallTraits& traits) {
    if (traits.fd_arg < 0) return std::nullopt;
    return fd_of_call(call, static_cast<int>(call.args[static_cast<std::size_t>(traits.fd_arg)]));
}

}  // namespace

bool StateTracker::exit_can_be_untraced(const Event& entry) const {
    const SyscallEvent* call = entry.syscall();
    if (!call || entry.kind != EventKind::SyscallEntry || call->arch != Arch::X86_64) return false;
    const ProcessState* p = process(entry.pid);
    if (!p) return false;
    const SyscallTraits& traits = syscall_traits(*call);
    const std::optional<int> fd_number = raw_fd_of(*call, traits);
    const FdState* fd = fd_number ? p->fds.find(*fd_number) : nullptr;
    if (traits.kind == SyscallKind::Close) return fd != nullptr;
    // Stopped at only so that the live io_uring tracker follows rings; what
    // their results say of a ring reaches the state as ring events.
    if (traits.kind == SyscallKind::Mmap || traits.kind == SyscallKind::Munmap) return true;
    if (traits.kind == SyscallKind::IoUringEnter) {
        // Its result says which of the submissions just read the kernel took.
        const auto t = p->threads.find(entry.tid);
        return t == p->threads.end() || t->second.entering_submissions.empty();
    }
    if (traits.has(kTraitPolls)) {
        // A wait counts as checking on every connecting socket
        // (on_exit_of_call): with none, its exit changes nothing.
        if (traits.kind != SyscallKind::Other) return false;
        bool connecting = false;
        p->fds.for_each_open([&](int, const FdState& f) {
            connecting = connecting || f.socket_state == SocketState::Connecting;
        });
        return !connecting;
    }
    if (!(traits.bits & (kTraitReads | kTraitWrites | kTraitReadsAt | kTraitWritesAt)))
        return false;
    // On a descriptor it does not know open (one inherited, one closed) the
    // exit teaches the state nothing; whether a rule wants its EBADF is the
    // rules' question (fd.closed).
    if (fd && fd->socket_state == SocketState::Connecting) return false;
    switch (traits.kind) {
        case SyscallKind::Other:
            return true;
        case SyscallKind::Sendto:
        case SyscallKind::Sendmsg: {
            // Fast Open makes the call a connect; a sendto's address names
            // the peer the state may not know yet.
            const std::size_t flags_arg = traits.kind == SyscallKind::Sendto ? 3 : 2;
            if (!fd) return !(call->args[flags_arg] & MSG_FASTOPEN);
            if ((call->args[flags_arg] & MSG_FASTOPEN) || fd->fastopen) return false;
            return traits.kind == SyscallKind::Sendmsg || call->args[4] == 0 || !fd->path.empty();
        }
        default:
            return false;
    }
}

void StateTracker::apply_exit_untraced(const Event& entry) {
    const SyscallEvent& call = *entry.syscall();
    ProcessState* p = nullptr;
    ThreadState& t = thread_of(entry.pid, entry.tid, &p);
    t.exit_untraced = true;
    const SyscallTraits& traits = syscall_traits(call);
    const std::optional<int> fd_number = raw_fd_of(call, traits);
    if (!fd_number) return;
    if (FdState* fd = p->fds.find(*fd_number)) fd->remember(entry, call, /*untraced=*/true);
    // The number is free from the moment close() starts.
    if (traits.kind == SyscallKind::Close) close_fd(*p, *fd_number, entry);
}

void StateTracker::on_exit_of_call(ProcessState& p, const Event& event, const SyscallEvent& call,
                                   std::optional<std::uint64_t> entry_generation) {
    const SyscallTraits& traits = syscall_traits(call);
    const bool ok = call.has_result && call.err == 0;
    const int ret_fd = new_fd_of(call).value_or(static_cast<int>(call.ret));

    // History of the fd this call worked on (before any change below).
    const std::optional<int> target_arg =
        fd_of_call(call, traits.fd_arg >= 0 ? arg_fd(call, traits.fd_arg) : std::nullopt);
    const bool has_target = target_arg.has_value();
    const int target = target_arg.value_or(-1);
    FdState* fd = has_target ? p.fds.find(target) : nullptr;
    // Another thread reused the number while this call ran (a close frees
    // it at once): the call was on the earlier file, not on this one.
    const bool number_reused = entry_generation && *entry_generation != (fd ? fd->generation : 0);
    if (number_reused) fd = nullptr;
    if (fd) fd->remember(event, call);
    if (fd && fd->kind == FdKind::Socket) {
        // strace -yy names both ends on the fd: 3<TCP:[local->peer]>.
        const std::string_view decoration = arg_decoration(call, traits.fd_arg);
        const std::string_view peer = decoration_peer(decoration);
        if (fd->path.empty() && !peer.empty()) fd->path = std::string(peer);
        if (const auto end = split_inet_endpoint(peer)) set_end(fd->remote, *end);
        if (const auto end = split_inet_endpoint(decoration_local(decoration))) {
            set_end(fd->local, *end);
        }
    }

    if (ok && call.ret > 0 && traits.has(kTraitSpawns)) {
        // The child's parent: the caller's process, or with CLONE_PARENT
        // the caller's own parent.
        const auto made = new_task_of(call, traits);
        if (made && *made != NewTask::Thread) {
            const pid_t ppid = *made == NewTask::Child ? p.pid : p.ppid;
            process_of(static_cast<pid_t>(call.ret)).ppid = ppid;
        }
    }

    switch (traits.kind) {
        default:
            if (traits.has(kTraitPolls)) {
                // Any wait counts as checking on every connecting socket of
                // the process: which fds were in the set is the poll
                // decoder's business, and a coarse answer errs on the side
                // of silence.
                p.fds.for_each_open([](int, FdState& f) {
                    if (f.socket_state == SocketState::Connecting) f.connect_waited = true;
                });
            } else if (traits.bits & (kTraitReads | kTraitWrites)) {
                // Data moved: the connection the program waited for is made.
                if (ok && fd && fd->socket_state == SocketState::Connecting) {
                    fd->socket_state = SocketState::Connected;
                }
            }
            return;
        case SyscallKind::Socket: {
            if (!ok) return;
            FdState s;
            s.kind = FdKind::Socket;
            s.family = family_from_name(arg_name(call, 0));
            if (s.family == Family::Unknown) {
                // No tree (live without decoding): the raw domain number.
                const auto domain = arg_int(call, 0);
                if (domain == AF_INET) s.family = Family::Inet;
                if (domain == AF_INET6) s.family = Family::Inet6;
                if (domain == AF_UNIX) s.family = Family::Unix;
                if (domain == AF_NETLINK) s.family = Family::Netlink;
            }
            const auto type = arg_int(call, 1);
            s.stream = arg_has_flag(call, 1, "SOCK_STREAM") ||
                       (type && (*type & kSockTypeMask) == SOCK_STREAM);
            s.sock_type = sock_type_of(call);
            s.protocol = protocol_of(call);
            s.nonblocking =
                arg_has_flag(call, 1, "SOCK_NONBLOCK") || (type && (*type & SOCK_NONBLOCK));
            s.cloexec = arg_has_flag(call, 1, "SOCK_CLOEXEC") || (type && (*type & SOCK_CLOEXEC));
            open_fd(p, ret_fd, std::move(s), event);
            return;
        }
        case SyscallKind::Accept:
        case SyscallKind::Accept4: {
            if (!ok) return;
            FdState s;
            s.kind = FdKind::Socket;
            s.role = SocketRole::Server;
            if (fd) {
                s.family = fd->family;
                s.stream = fd->stream;
                s.sock_type = fd->sock_type;
                s.protocol = fd->protocol;
                // The connection arrived at the listener's port; at its
                // address only when the listener was bound to one.
                s.local.port = fd->local.port;
                if (!is_wildcard_ip(fd->local.ip)) s.local.ip = fd->local.ip;
            }
            s.socket_state = SocketState::Accepted;
            // accept's address argument is the peer (NULL when the program
            // did not ask; then an -yy decoration may tell later).
            if (const auto peer = arg_sockaddr(call, 1)) {
                s.path = socket_address_name(*peer);
                if (s.family == Family::Unknown) s.family = family_from_name(peer->family);
                if (const auto end = inet_endpoint(*peer)) set_end(s.remote, *end);
            }
            if (traits.kind == SyscallKind::Accept4) {
                s.nonblocking = arg_has_flag(call, 3, "SOCK_NONBLOCK") ||
                                (!call.decoded && (call.args[3] & SOCK_NONBLOCK));
                s.cloexec = arg_has_flag(call, 3, "SOCK_CLOEXEC") ||
                            (!call.decoded && (call.args[3] & SOCK_CLOEXEC));
            }
            open_fd(p, ret_fd, std::move(s), event);
            return;
        }
        case SyscallKind::Connect: {
            if (!fd) return;
            ++fd->connect_calls;
            fd->connected_by = event.pid;
            if (ok) {
                fd->socket_state = SocketState::Connected;
            } else if (call.err == 115 /* EINPROGRESS */) {
                fd->socket_state = SocketState::Connecting;
                fd->connect_returned_einprogress = true;
                fd->connect_waited = false;
            } else if (call.err == 106 /* EISCONN */) {
                fd->socket_state = SocketState::Connected;
            } else if (call.err != 114 /* EALREADY */ && call.err != 4 /* EINTR */) {
                fd->socket_state = SocketState::Failed;
            }
            if (const auto peer = arg_sockaddr(call, 1)) {
                std::string name = socket_address_name(*peer);
                if (!name.empty()) fd->path = std::move(name);  // not AF_UNSPEC's nothing
                if (peer->family == "AF_UNSPEC") {
                    // A datagram socket's connect(AF_UNSPEC) dissolves the
                    // association.
                    if (ok) {
                        fd->remote = {};
                        fd->role = SocketRole::Unknown;
                    }
                } else if (const auto end = inet_endpoint(*peer)) {
                    set_end(fd->remote, *end);
                    fd->role = SocketRole::Client;
                }
            }
            return;
        }
        case SyscallKind::Listen:
            if (ok && fd) {
                fd->socket_state = SocketState::Listening;
                fd->role = SocketRole::Server;
            }
            return;
        case SyscallKind::Bind:
        case SyscallKind::Getsockname:
        case SyscallKind::Getpeername: {
            if (!ok || !fd) return;
            const auto address = arg_sockaddr(call, traits.addr_arg);
            const auto end = address ? inet_endpoint(*address) : std::nullopt;
            if (!end) return;
            InetEnd& into = traits.kind == SyscallKind::Getpeername ? fd->remote : fd->local;
            set_end(into, *end);
            // bind's port 0 asks the kernel to choose: not the port it chose.
            if (traits.kind == SyscallKind::Bind && end->port == 0) into.port = -1;
            return;
        }
        // i386's getuid and getresuid are the 16-bit ones: a large id comes
        // back as the overflow id, not as itself.
        case SyscallKind::Getuid:
            if (ok && call.arch != Arch::I386) p.uid = call.ret;
            return;
        case SyscallKind::Getresuid:
            if (ok && call.arch != Arch::I386) {
                if (const auto uid = arg_array_int(call, 0, 0)) p.uid = *uid;
            }
            return;
        case SyscallKind::Setuid:
        case SyscallKind::Setreuid:
        case SyscallKind::Setresuid: {
            if (!ok) return;
            // i386's are the 16-bit ones, whose -1 is 0xffff: not followed.
            const auto to = call.arch == Arch::I386 ? std::nullopt : arg_int(call, 0);
            // setuid(x) sets the real id only when privileged: it stays
            // known only when it already was x.
            if (traits.kind == SyscallKind::Setuid) {
                if (!to || *to != p.uid) p.uid = -1;
                return;
            }
            // The others name the real id first, -1 leaving it alone.
            if (!to) {
                p.uid = -1;
            } else if ((*to & 0xffffffff) != 0xffffffff) {
                p.uid = *to & 0xffffffff;
            }
            return;
        }
        case SyscallKind::Getsockopt: {
            if (!fd || arg_name(call, 2) != "SO_ERROR") return;
            const bool waited = fd->connect_waited;
            fd->connect_waited = true;
            if (!ok || fd->socket_state != SocketState::Connecting) return;
            // [0], or the pending error: [ECONNREFUSED] (strace's and the
            // live decoder's spelling) or its number.
            if (arg_array_length(call, 3).value_or(0) == 0) return;
            const auto error = arg_array_int(call, 3, 0);
            if (error && *error == 0) {
                // 0 before any wait only says "no error yet": the
                // handshake may still be under way.
                if (waited) fd->socket_state = SocketState::Connected;
            } else {
                fd->socket_state = SocketState::Failed;
                fd->connected_by = event.pid;
            }
            return;
        }
        case SyscallKind::Ioctl: {
            // ioctl(fd, FIONBIO, [1]): O_NONBLOCK without fcntl (nginx,
            // Java's sockets). The request is the only one the filter
            // stops for unless a rule names ioctl.
            if (!ok || !fd) return;
            const auto request = arg_int(call, 1);
            if (arg_name(call, 1) != "FIONBIO" && !(request && *request == FIONBIO)) return;
            if (const auto on = arg_array_int(call, 2, 0)) fd->nonblocking = *on != 0;
            return;
        }
        case SyscallKind::Setsockopt: {
            if (!ok || !fd || arg_name(call, 2) != "TCP_FASTOPEN_CONNECT") return;
            if (const auto on = arg_array_int(call, 3, 0)) {
                fd->fastopen = *on != 0;
            }
            return;
        }
        case SyscallKind::Sendto:
        case SyscallKind::Sendmsg: {
            if (!fd) return;
            const int flags_arg = traits.kind == SyscallKind::Sendto ? 3 : 2;
            if (arg_has_flag(call, flags_arg, "MSG_FASTOPEN")) {
                // The call is the connect: the SYN leaves carrying its data.
                fd->fastopen = true;
                ++fd->connect_calls;
                fd->connected_by = event.pid;
                if (call.err == 115 /* EINPROGRESS */) {
                    fd->socket_state = SocketState::Connecting;
                    fd->connect_returned_einprogress = true;
                    fd->connect_waited = false;
                }
                if (traits.kind == SyscallKind::Sendto && fd->path.empty()) {
                    if (const auto peer = arg_sockaddr(call, 4)) {
                        fd->path = socket_address_name(*peer);
                    }
                }
            }
            if (ok && (fd->socket_state == SocketState::Connecting ||
                       (fd->fastopen && fd->socket_state == SocketState::None))) {
                fd->socket_state = SocketState::Connected;
            }
            return;
        }
        case SyscallKind::Rseq:
            if (call.has_result) note_rseq(p, call);
            return;
        case SyscallKind::Close:
            if (ok && has_target && !number_reused) close_fd(p, target, event);
            return;
        case SyscallKind::Dup:
        case SyscallKind::Dup3: {
            if (!ok || !has_target) return;
            FdState copy;
            if (fd) copy = *fd;
            copy.cloexec = traits.kind == SyscallKind::Dup3 && arg_has_flag(call, 2, "O_CLOEXEC");
            copy.clear_history();
            open_fd(p, ret_fd, std::move(copy), event);
            return;
        }
        case SyscallKind::Fcntl: {
            if (!ok || !fd) return;
            const std::string_view cmd = arg_name(call, 1);
            const auto raw_cmd = arg_int(call, 1);
            if (cmd == "F_SETFL" || (cmd.empty() && raw_cmd == F_SETFL)) {
                fd->nonblocking = arg_has_flag(call, 2, "O_NONBLOCK") ||
                                  (!call.decoded && (call.args[2] & O_NONBLOCK));
            } else if (cmd == "F_SETFD" || (cmd.empty() && raw_cmd == F_SETFD)) {
                fd->cloexec = arg_has_flag(call, 2, "FD_CLOEXEC") ||
                              (!call.decoded && (call.args[2] & FD_CLOEXEC));
            } else if (cmd == "F_DUPFD" || cmd == "F_DUPFD_CLOEXEC" || raw_cmd == F_DUPFD ||
                       raw_cmd == F_DUPFD_CLOEXEC) {
                FdState copy = *fd;
                copy.cloexec = cmd == "F_DUPFD_CLOEXEC" || raw_cmd == 1030;
                copy.clear_history();
                open_fd(p, ret_fd, std::move(copy), event);
            }
            return;
        }
        case SyscallKind::Open:
        case SyscallKind::Openat:
        case SyscallKind::Creat: {
            const std::optional<std::string_view> path = arg_string(call, traits.path_arg);
            if (traits.kind != SyscallKind::Creat && call.has_result && path) {
                note_open(p, *path, ok);
            }
            if (!ok) return;
            FdState s;
            s.kind = FdKind::File;
            if (path) s.path = std::string(*path);
            const int flags_arg = traits.path_arg + 1;  // the flags follow the path
            s.nonblocking = arg_has_flag(call, flags_arg, "O_NONBLOCK");
            s.cloexec = arg_has_flag(call, flags_arg, "O_CLOEXEC");
            open_fd(p, ret_fd, std::move(s), event);
            return;
        }
        case SyscallKind::Pipe:
        case SyscallKind::Socketpair: {
            if (!ok) return;
            const bool pair = traits.kind == SyscallKind::Socketpair;
            for (int i = 0; i < 2; ++i) {
                const auto n = arg_array_int(call, pair ? 3 : 0, i);
                if (!n) continue;
                FdState s;
                s.kind = pair ? FdKind::Socket : FdKind::Pipe;
                if (pair) {
                    s.family = family_from_name(arg_name(call, 0));
                    s.stream = arg_has_flag(call, 1, "SOCK_STREAM");
                    s.socket_state = SocketState::Connected;
                }
                open_fd(p, static_cast<int>(*n), std::move(s), event);
            }
            return;
        }
        case SyscallKind::IoUringRegister:
            if (ok) on_files_registered(p, event, call);
            return;
        case SyscallKind::Eventfd:
        case SyscallKind::EpollCreate:
        case SyscallKind::IoUringSetup: {
            if (!ok) return;
            // A new ring: nothing of an earlier one on the number is its.
            if (traits.kind == SyscallKind::IoUringSetup) forget_ring_files(p, ret_fd);
            FdState s;
            s.kind = traits.kind == SyscallKind::Eventfd       ? FdKind::EventFd
                     : traits.kind == SyscallKind::EpollCreate ? FdKind::Epoll
                                                               : FdKind::IoUring;
            if (traits.kind == SyscallKind::IoUringSetup) p.has_io_uring = true;
            open_fd(p, ret_fd, std::move(s), event);
            return;
        }
    }
}

}  // namespace sctrace
