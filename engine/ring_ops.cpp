#include "engine/ring_ops.h"

#include <arpa/inet.h>
#include <linux/io_uring.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstring>
#include <string_view>

#include "engine/ring_files.h"
#include "model/syscall_table.h"
#include "model/xlat_tables.h"

namespace sctrace {

namespace {

// The socket address bytes a CONNECT named, as the members strace prints
// and engine/arg_query.h's arg_sockaddr reads back (sa_family, the port,
// inet_addr("...") / inet_pton(...) / sun_path). Other families keep only
// their family.
void add_sockaddr(ArgTree& tree, std::string_view bytes) {
    const NodeId s = tree.add_struct(tree.root());
    if (s == kNoNode) return;
    sa_family_t family = 0;
    if (bytes.size() < sizeof family) return;
    std::memcpy(&family, bytes.data(), sizeof family);
    tree.add_enum(s, family, xlat::sock_family, "sa_family");
    const auto port_at = [&bytes]() {
        return (static_cast<unsigned char>(bytes[2]) << 8) | static_cast<unsigned char>(bytes[3]);
    };
    char ip[INET6_ADDRSTRLEN] = "";
    if (family == AF_INET && bytes.size() >= 8) {
        tree.add_int(s, port_at(), "sin_port");
        inet_ntop(AF_INET, bytes.data() + 4, ip, sizeof ip);
        tree.add_text_copy(s, std::string("inet_addr(\"") + ip + "\")", "sin_addr");
    } else if (family == AF_INET6 && bytes.size() >= 24) {
        tree.add_int(s, port_at(), "sin6_port");
        inet_ntop(AF_INET6, bytes.data() + 8, ip, sizeof ip);
        // strace's spelling, a member without a key.
        tree.add_text_copy(s, std::string("inet_pton(AF_INET6, \"") + ip + "\", &sin6_addr)");
    } else if (family == AF_UNIX && bytes.size() > 2) {
        std::string_view path = bytes.substr(2);
        std::string abstract;
        if (path[0] == '\0') {
            // An abstract name: '@' and the rest, as arg_sockaddr's callers expect.
            abstract = "@" + std::string(path.substr(1));
            path = abstract;
        } else {
            path = path.substr(0, path.find('\0'));
        }
        tree.add_str(s, {path.data(), path.size()}, false, "sun_path");
    }
}

std::uint64_t field(const RingOp& op, IoUringTwinArg arg) {
    switch (arg) {
        case IoUringTwinArg::Zero:
        case IoUringTwinArg::Null:
            return 0;
        case IoUringTwinArg::Fd:
            return static_cast<std::uint64_t>(static_cast<std::int64_t>(op.fd));
        case IoUringTwinArg::Off:
            return op.off;
        case IoUringTwinArg::Addr:
        case IoUringTwinArg::Path:
        case IoUringTwinArg::Sockaddr:
            return op.addr;
        case IoUringTwinArg::Len:
            return op.len;
        case IoUringTwinArg::OpFlags:
            return op.op_flags;
    }
    return 0;
}

}  // namespace

const IoUringTwin* RingOps::twin_of(const IoUringSqeEvent& sqe) {
    return io_uring_twin(sqe.opcode);
}

const IoUringTwin* RingOps::followed(const IoUringSqeEvent& sqe) {
    // Success posts no completion: nothing would ever match it, and the
    // failure's alone would say only half of what happened.
    if (sqe.flags & IOSQE_CQE_SKIP_SUCCESS) return nullptr;
    return twin_of(sqe);
}

int RingOps::unknown_fd(const IoUringSqeEvent& sqe) {
    if (!(sqe.flags & IOSQE_CQE_SKIP_SUCCESS)) return -1;
    const IoUringTwin* twin = twin_of(sqe);
    if (!twin) return -1;
    // The ring's own numbering names no process fd: the state forgets the
    // slot instead (StateTracker::forget_direct_slot).
    if (sqe.fixed_file() || (twin->direct != IoUringDirect::None && sqe.file_index != 0)) {
        return -1;
    }
    const SyscallInfo* info = io_uring_twin_row(*twin);
    return info && info->traits.has(kTraitClosesFd) ? sqe.fd : -1;
}

RingOp ring_op_of(const IoUringSqeEvent& sqe, const IoUringTwin& twin, Nanos time,
                  const RingTarget& target, pid_t tid) {
    RingOp op;
    op.twin = &twin;
    op.opcode = sqe.opcode;
    op.submitted_at = time;
    op.submitted_by = tid;
    op.fd = target.fd;
    op.off = sqe.off;
    op.addr = sqe.addr;
    op.len = sqe.len;
    op.op_flags = sqe.op_flags;
    op.path.assign(sqe.path);
    op.sockaddr.assign(reinterpret_cast<const char*>(sqe.sockaddr.data()), sqe.sockaddr.size());
    op.fixed_file = target.fixed_file;
    op.direct = target.direct;
    op.fd_generation = target.fd_generation;
    return op;
}

bool RingOps::submit(const IoUringSqeEvent& sqe, const IoUringTwin& twin, Nanos time,
                     const RingTarget& target, pid_t tid) {
    Ring& ring = rings_[sqe.ring_fd];
    if (ring.count >= kMaxInFlightPerRing) {
        ++coverage_.not_followed;
        return false;
    }
    ring.by_user_data[sqe.user_data].push_back(ring_op_of(sqe, twin, time, target, tid));
    ++ring.count;
    return true;
}

const RingOp* RingOps::find(const IoUringCqeEvent& cqe) const {
    const auto ring = rings_.find(cqe.ring_fd);
    if (ring == rings_.end()) return nullptr;
    const auto ops = ring->second.by_user_data.find(cqe.user_data);
    if (ops == ring->second.by_user_data.end() || ops->second.empty()) return nullptr;
    const std::vector<RingOp>& same = ops->second;
    // Several in flight under one user_data: only when they are the same
    // operation on the same file does it not matter which one this is.
    for (const RingOp& other : same) {
        if (other.opcode != same.front().opcode || other.fd != same.front().fd ||
            other.fd_generation != same.front().fd_generation ||
            other.direct != same.front().direct) {
            return nullptr;
        }
    }
    return &same.front();
}

void RingOps::complete(const IoUringCqeEvent& cqe) {
    const auto ring = rings_.find(cqe.ring_fd);
    if (ring == rings_.end()) return;
    auto& by_user_data = ring->second.by_user_data;
    const auto ops = by_user_data.find(cqe.user_data);
    if (ops == by_user_data.end()) return;
    if (cqe.flags & IORING_CQE_F_MORE) {
        // Multishot, or a zero-copy send's result before its notification:
        // the submission goes on.
        for (RingOp& op : ops->second) op.result_posted = true;
        return;
    }
    if (find(cqe)) {
        ops->second.erase(ops->second.begin());
        --ring->second.count;
    } else {
        coverage_.ambiguous += ops->second.size();
        ring->second.count -= ops->second.size();
        ops->second.clear();
    }
    if (ops->second.empty()) by_user_data.erase(ops);
}

void RingOps::withdraw(int ring_fd, std::uint64_t user_data) {
    const auto ring = rings_.find(ring_fd);
    if (ring == rings_.end()) return;
    auto& by_user_data = ring->second.by_user_data;
    const auto ops = by_user_data.find(user_data);
    if (ops == by_user_data.end() || ops->second.empty()) return;
    ops->second.pop_back();
    --ring->second.count;
    if (ops->second.empty()) by_user_data.erase(ops);
}

void RingOps::forget_ring(int ring_fd) {
    const auto ring = rings_.find(ring_fd);
    if (ring == rings_.end()) return;
    coverage_.unseen += ring->second.count;
    rings_.erase(ring);
}

void RingOps::clear() {
    coverage_.unseen += in_flight();
    rings_.clear();
}

RingCoverage RingOps::coverage() const {
    RingCoverage c = coverage_;
    c.unseen += in_flight();
    return c;
}

std::size_t RingOps::in_flight() const {
    std::size_t n = 0;
    for (const auto& [fd, ring] : rings_) n += ring.count;
    return n;
}

namespace {

// `op` as its twin's call into `out`: the entry when `cqe` is null, else
// the exit with the completion's res.
bool fill_twin(const RingOp& op, std::int32_t ring_fd, std::uint64_t user_data,
               const IoUringCqeEvent* cqe, pid_t pid, pid_t tid, Nanos time, RingTwin& out) {
    const IoUringTwin& twin = *op.twin;
    const SyscallInfo* info = io_uring_twin_row(twin);
    if (!info) return false;
    out.origin = IoUringOrigin{ring_fd, user_data, op.opcode};
    out.origin.fixed_file = op.fixed_file;
    // The slot IORING_FILE_INDEX_ALLOC picked is the completion's res.
    out.origin.direct = op.direct != kDirectAlloc ? op.direct
                        : cqe && cqe->res >= 0    ? cqe->res
                                                  : -1;
    out.shown_to_rules = twin.shown_to_rules;
    out.fd_generation = op.fd_generation;
    out.tree.clear();
    SyscallEvent call;
    call.arch = Arch::X86_64;
    call.nr = syscall_number_of(Arch::X86_64, *info);
    call.name = info->name;
    call.entry_time = op.submitted_at;
    for (std::size_t i = 0; i < twin.arg_count; ++i) {
        const IoUringTwinArg arg = twin.args[i];
        const std::uint64_t raw = field(op, arg);
        call.args[i] = raw;
        ArgTree& tree = out.tree;
        if (arg == IoUringTwinArg::Path) {
            tree.add_str(tree.root(), {op.path.data(), op.path.size()}, false);
        } else if (arg == IoUringTwinArg::Sockaddr) {
            add_sockaddr(tree, op.sockaddr);
        } else if (twin.tables[i]) {
            tree.add_flags(tree.root(), raw, *twin.tables[i]);
        } else if (arg == IoUringTwinArg::Addr || arg == IoUringTwinArg::Null) {
            tree.add_ptr(tree.root(), raw);
        } else if (info && info->traits.fd_arg == static_cast<int>(i) && is_direct_key(op.fd)) {
            // No process fd: named so, over the key the state keeps it by.
            char name[48];
            std::snprintf(name, sizeof name, "direct descriptor %u", direct_slot(op.fd));
            const NodeId id = tree.add_text_copy(tree.root(), name);
            if (id != kNoNode) tree.add_int(id, op.fd);
        } else if (info && info->traits.fd_arg == static_cast<int>(i)) {
            // The call's descriptor (sqe.fd is socket()'s domain too).
            const NodeId id = tree.add_int(tree.root(), static_cast<std::int64_t>(raw));
            if (id != kNoNode) tree.mutable_node(id).fd = true;
        } else {
            tree.add_int(tree.root(), static_cast<std::int64_t>(raw));
        }
    }
    if (cqe) {
        call.has_result = true;
        if (cqe->res < 0) {
            call.ret = -1;
            call.err = -cqe->res;
        } else {
            call.ret = cqe->res;
        }
    }
    call.decoded = &out.tree;
    call.via_ring = &out.origin;
    out.event = Event{cqe ? EventKind::SyscallExit : EventKind::SyscallEntry, time, pid, tid, call};
    return true;
}

}  // namespace

bool make_ring_twin(const RingOp& op, const IoUringCqeEvent& cqe, pid_t pid, pid_t tid, Nanos time,
                    RingTwin& out) {
    return fill_twin(op, cqe.ring_fd, cqe.user_data, &cqe, pid, tid, time, out);
}

bool make_ring_entry(const IoUringSqeEvent& sqe, const IoUringTwin& twin, pid_t pid, pid_t tid,
                     Nanos time, const RingTarget& target, RingTwin& out) {
    const RingOp op = ring_op_of(sqe, twin, time, target, tid);
    return fill_twin(op, sqe.ring_fd, sqe.user_data, nullptr, pid, tid, time, out);
}

}  // namespace sctrace
