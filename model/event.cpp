#include "model/event.h"

namespace sctrace {

std::string_view event_kind_name(EventKind kind) {
    switch (kind) {
        case EventKind::SyscallEntry:
            return "syscall_entry";
        case EventKind::SyscallExit:
            return "syscall_exit";
        case EventKind::Signal:
            return "signal";
        case EventKind::Spawn:
            return "spawn";
        case EventKind::Exec:
            return "exec";
        case EventKind::Exit:
            return "exit";
        case EventKind::Stop:
            return "stop";
        case EventKind::Attach:
            return "attach";
        case EventKind::IoUringSubmit:
            return "io_uring_submit";
        case EventKind::IoUringComplete:
            return "io_uring_complete";
        case EventKind::ThreadSample:
            return "thread_sample";
    }
    return "unknown";
}

std::string_view arch_name(Arch arch) {
    switch (arch) {
        case Arch::X86_64:
            return "x86_64";
        case Arch::I386:
            return "i386";
        case Arch::X32:
            return "x32";
        case Arch::Unknown:
            return "unknown";
    }
    return "unknown";
}

}  // namespace sctrace
