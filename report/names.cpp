// Names of errno values and signals, as strace prints them.
#include <signal.h>
#include <string.h>

#include <cstdio>

#include "report/event_writer.h"

namespace sctrace {

std::string_view errno_name(int error, std::span<char> scratch) {
    // The kernel's internal restart codes reach tracers (a call interrupted
    // by a signal) but have no libc name.
    switch (error) {
        case 512:
            return "ERESTARTSYS";
        case 513:
            return "ERESTARTNOINTR";
        case 514:
            return "ERESTARTNOHAND";
        case 515:
            return "ENOIOCTLCMD";
        case 516:
            return "ERESTART_RESTARTBLOCK";
        default:
            break;
    }
    if (const char* name = strerrorname_np(error)) return name;
    const int n = std::snprintf(scratch.data(), scratch.size(), "%d", error);
    return {scratch.data(), static_cast<std::size_t>(n > 0 ? n : 0)};
}

std::string_view signal_name(int signo, std::span<char> scratch) {
    // Real-time signals by the kernel's numbering, as strace names them
    // (glibc's SIGRTMIN is 34: it keeps 32 and 33 for itself).
    constexpr int kKernelRtMin = 32;
    int n = 0;
    if (signo == kKernelRtMin) {
        n = std::snprintf(scratch.data(), scratch.size(), "SIGRTMIN");
    } else if (signo > kKernelRtMin && signo <= SIGRTMAX) {
        n = std::snprintf(scratch.data(), scratch.size(), "SIGRT_%d", signo - kKernelRtMin);
    } else if (const char* abbrev = signo > 0 && signo < kKernelRtMin ? sigabbrev_np(signo) : nullptr) {
        n = std::snprintf(scratch.data(), scratch.size(), "SIG%s", abbrev);
    } else {
        n = std::snprintf(scratch.data(), scratch.size(), "%d", signo);
    }
    return {scratch.data(), static_cast<std::size_t>(n > 0 ? n : 0)};
}

void append_json_string(fmt::memory_buffer& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
            case '"':
                out.append(std::string_view("\\\""));
                break;
            case '\\':
                out.append(std::string_view("\\\\"));
                break;
            case '\n':
                out.append(std::string_view("\\n"));
                break;
            case '\t':
                out.append(std::string_view("\\t"));
                break;
            case '\r':
                out.append(std::string_view("\\r"));
                break;
            default:
                if (u < 0x20 || u == 0x7f) {
                    const char esc[] = {'\\', 'u', '0', '0', kHex[u >> 4], kHex[u & 15]};
                    out.append(esc, esc + sizeof esc);
                } else {
                    out.push_back(c);
                }
        }
    }
    out.push_back('"');
}

}  // namespace sctrace
