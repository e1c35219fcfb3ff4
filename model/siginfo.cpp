#include "model/siginfo.h"

#include "model/names.h"
#include "model/xlat_tables.h"

namespace sctrace {

SignalEvent signal_event_of(const siginfo_t& si) {
    SignalEvent sig;
    sig.signo = si.si_signo;
    sig.code = si.si_code;
    sig.errno_value = si.si_errno;
    if (si.si_code <= 0) {  // sent by a process: kill, tgkill, sigqueue, timers
        if (si.si_code == SI_SIGIO) {
            sig.band = si.si_band;
            sig.fd = si.si_fd;
        } else {
            // For SI_TIMER these words are si_timerid and si_overrun.
            sig.sender_pid = si.si_pid;
            sig.sender_uid = si.si_uid;
            sig.value = reinterpret_cast<std::uintptr_t>(si.si_value.sival_ptr);
        }
        return sig;
    }
    switch (si.si_signo) {
        case SIGCHLD:
            sig.sender_pid = si.si_pid;
            sig.sender_uid = si.si_uid;
            sig.status = si.si_status;
            sig.utime = si.si_utime;
            sig.stime = si.si_stime;
            break;
        case SIGSEGV:
        case SIGBUS:
        case SIGILL:
        case SIGFPE:
        case SIGTRAP:
            sig.addr = reinterpret_cast<std::uintptr_t>(si.si_addr);
            break;
        case SIGIO:
            sig.band = si.si_band;
            sig.fd = si.si_fd;
            break;
        default:
            // What printsiginfo shows for any other signal raised by the
            // kernel: a sender and a value when there are any.
            sig.sender_pid = si.si_pid;
            sig.sender_uid = si.si_uid;
            sig.value = reinterpret_cast<std::uintptr_t>(si.si_value.sival_ptr);
            break;
    }
    return sig;
}

NodeId add_signal(ArgTree& tree, NodeId parent, int signo, std::string_view key) {
    // Sign-extended, so that an unnamed negative number prints as such.
    return tree.add_enum(parent, static_cast<std::uint64_t>(static_cast<std::int64_t>(signo)),
                         xlat::sig_names, key);
}

namespace {

void add_source(ArgTree& tree, NodeId s, const SignalEvent& si) {
    tree.add_int(s, si.sender_pid, "si_pid");
    tree.add_uint(s, si.sender_uid, "si_uid");
}

void add_value(ArgTree& tree, NodeId s, const SignalEvent& si) {
    tree.add_int(s, static_cast<std::int32_t>(si.value), "si_int");
    tree.add_ptr(s, si.value, "si_ptr");
}

}  // namespace

NodeId add_siginfo(ArgTree& tree, NodeId parent, const SignalEvent& si, std::string_view key) {
    const NodeId s = tree.add_struct(parent, key);
    if (s == kNoNode || si.signo == 0) return s;
    add_signal(tree, s, si.signo, "si_signo");
    if (const std::string_view code = si_code_name(si.signo, si.code); !code.empty()) {
        // The name (static storage) over strace's printxval number, for -X.
        tree.add_hex(tree.add_text(s, code, "si_code"), static_cast<std::uint32_t>(si.code));
    } else {
        tree.add_int(s, si.code, "si_code");
    }
    if (si.errno_value != 0) {
        if (const std::string_view name = errno_name(si.errno_value); !name.empty()) {
            tree.add_text(s, name, "si_errno");  // static storage
        } else {
            tree.add_int(s, si.errno_value, "si_errno");
        }
    }
    if (si.code <= 0) {  // sent by a process
        switch (si.code) {
            case SI_USER:
            case SI_TKILL:
                add_source(tree, s, si);
                break;
            case SI_TIMER:
                tree.add_hex(s, static_cast<std::uint32_t>(si.sender_pid), "si_timerid");
                tree.add_int(s, static_cast<int>(si.sender_uid), "si_overrun");
                add_value(tree, s, si);
                break;
            case SI_SIGIO:
                tree.add_int(s, si.band, "si_band");
                tree.add_int(s, si.fd, "si_fd");
                break;
            default:
                add_source(tree, s, si);
                if (si.value != 0) add_value(tree, s, si);
                break;
        }
        return s;
    }
    switch (si.signo) {
        case SIGCHLD:
            add_source(tree, s, si);
            if (si.code == CLD_EXITED) {
                tree.add_int(s, si.status, "si_status");
            } else {
                add_signal(tree, s, si.status, "si_status");
            }
            tree.add_int(s, si.utime, "si_utime");
            tree.add_int(s, si.stime, "si_stime");
            break;
        case SIGILL:
        case SIGFPE:
        case SIGBUS:
        case SIGSEGV:
        case SIGTRAP:
            tree.add_ptr(s, si.addr, "si_addr");
            break;
        case SIGIO:
            if (si.code == POLL_IN || si.code == POLL_OUT || si.code == POLL_MSG) {
                tree.add_int(s, si.band, "si_band");
                tree.add_int(s, si.fd, "si_fd");
            }
            break;
        default:
            if (si.sender_pid != 0 || si.sender_uid != 0) add_source(tree, s, si);
            if (si.value != 0) add_value(tree, s, si);
            break;
    }
    return s;
}

}  // namespace sctrace
