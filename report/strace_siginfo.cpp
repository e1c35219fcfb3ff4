// siginfo in strace's notation. The si_code names depend on the signal.
#include <signal.h>

#include <iterator>

#include "report/event_writer.h"
#include "report/strace_format.h"

namespace sctrace {

namespace {

const char* generic_code_name(int code) {
    switch (code) {
        case SI_USER:
            return "SI_USER";
        case SI_KERNEL:
            return "SI_KERNEL";
        case SI_QUEUE:
            return "SI_QUEUE";
        case SI_TIMER:
            return "SI_TIMER";
        case SI_MESGQ:
            return "SI_MESGQ";
        case SI_ASYNCIO:
            return "SI_ASYNCIO";
        case SI_SIGIO:
            return "SI_SIGIO";
        case SI_TKILL:
            return "SI_TKILL";
        default:
            return nullptr;
    }
}

const char* specific_code_name(int signo, int code) {
    switch (signo) {
        case SIGCHLD: {
            static const char* const kNames[] = {nullptr,        "CLD_EXITED",  "CLD_KILLED",
                                                 "CLD_DUMPED",   "CLD_TRAPPED", "CLD_STOPPED",
                                                 "CLD_CONTINUED"};
            return code >= 1 && code <= 6 ? kNames[code] : nullptr;
        }
        case SIGSEGV: {
            static const char* const kNames[] = {nullptr,        "SEGV_MAPERR",  "SEGV_ACCERR",
                                                 "SEGV_BNDERR",  "SEGV_PKUERR",  "SEGV_ACCADI",
                                                 "SEGV_ADIDERR", "SEGV_ADIPERR", "SEGV_MTEAERR",
                                                 "SEGV_MTESERR", "SEGV_CPERR"};
            return code >= 1 && code <= 10 ? kNames[code] : nullptr;
        }
        case SIGBUS: {
            static const char* const kNames[] = {nullptr,      "BUS_ADRALN",    "BUS_ADRERR",
                                                 "BUS_OBJERR", "BUS_MCEERR_AR", "BUS_MCEERR_AO"};
            return code >= 1 && code <= 5 ? kNames[code] : nullptr;
        }
        case SIGILL: {
            static const char* const kNames[] = {
                nullptr,      "ILL_ILLOPC", "ILL_ILLOPN", "ILL_ILLADR", "ILL_ILLTRP",
                "ILL_PRVOPC", "ILL_PRVREG", "ILL_COPROC", "ILL_BADSTK", "ILL_BADIADDR"};
            return code >= 1 && code <= 9 ? kNames[code] : nullptr;
        }
        case SIGFPE: {
            static const char* const kNames[] = {nullptr,      "FPE_INTDIV", "FPE_INTOVF",
                                                 "FPE_FLTDIV", "FPE_FLTOVF", "FPE_FLTUND",
                                                 "FPE_FLTRES", "FPE_FLTINV", "FPE_FLTSUB"};
            return code >= 1 && code <= 8 ? kNames[code] : nullptr;
        }
        case SIGTRAP: {
            static const char* const kNames[] = {nullptr,       "TRAP_BRKPT",  "TRAP_TRACE",
                                                 "TRAP_BRANCH", "TRAP_HWBKPT", "TRAP_UNK"};
            return code >= 1 && code <= 5 ? kNames[code] : nullptr;
        }
        default:
            return nullptr;
    }
}

bool is_fault(int signo) {
    return signo == SIGSEGV || signo == SIGBUS || signo == SIGILL || signo == SIGFPE ||
           signo == SIGTRAP;
}

}  // namespace

void append_strace_siginfo(fmt::memory_buffer& out, const SignalEvent& sig) {
    char scratch[32];
    auto it = std::back_inserter(out);
    fmt::format_to(it, "{{si_signo={}, si_code=", signal_name(sig.signo, scratch));
    const char* code = sig.code > 0 ? specific_code_name(sig.signo, sig.code) : nullptr;
    if (!code) code = generic_code_name(sig.code);
    if (code) {
        out.append(std::string_view(code));
    } else {
        fmt::format_to(it, "{}", sig.code);
    }
    if (sig.code <= 0 && sig.code != SI_KERNEL) {
        // Sent by a process (kill, tgkill, sigqueue).
        fmt::format_to(it, ", si_pid={}, si_uid={}", sig.sender_pid, sig.sender_uid);
        if (sig.code == SI_QUEUE) {
            fmt::format_to(it, ", si_int={}, si_ptr={:#x}", static_cast<std::int32_t>(sig.value),
                           sig.value);
        }
    } else if (sig.signo == SIGCHLD && sig.code > 0) {
        fmt::format_to(it, ", si_pid={}, si_uid={}, si_status=", sig.sender_pid, sig.sender_uid);
        if (sig.code == CLD_EXITED) {
            fmt::format_to(it, "{}", sig.status);
        } else {
            out.append(signal_name(sig.status, scratch));
        }
        fmt::format_to(it, ", si_utime={}, si_stime={}", sig.utime, sig.stime);
    } else if (is_fault(sig.signo) && sig.code > 0) {
        if (sig.addr == 0) {
            out.append(std::string_view(", si_addr=NULL"));
        } else {
            fmt::format_to(it, ", si_addr={:#x}", sig.addr);
        }
    }
    out.push_back('}');
}

}  // namespace sctrace
