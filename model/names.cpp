#include "model/names.h"

#include <signal.h>
#include <string.h>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <unordered_map>

#include "model/xlat_tables.h"

namespace sctrace {

namespace {

std::string_view number_into(int value, std::span<char> scratch) {
    const int n = std::snprintf(scratch.data(), scratch.size(), "%d", value);
    return {scratch.data(), static_cast<std::size_t>(n > 0 ? n : 0)};
}

// The si_codes specific to a signal; the generic ones (SI_USER ...) apply to all.
struct SignalCodes {
    int signo;
    const XlatTable* codes;
};
const SignalCodes kSignalCodes[] = {
    {SIGTRAP, &xlat::sig_code_trap}, {SIGCHLD, &xlat::sig_code_chld},
    {SIGIO, &xlat::sig_code_poll},   {SIGILL, &xlat::sig_code_ill},
    {SIGFPE, &xlat::sig_code_fpe},   {SIGSEGV, &xlat::sig_code_segv},
    {SIGBUS, &xlat::sig_code_bus},   {SIGSYS, &xlat::sig_code_sys},
};

const XlatTable* si_code_table(int signo) {
    for (const SignalCodes& s : kSignalCodes) {
        if (s.signo == signo) return s.codes;
    }
    return nullptr;
}

// The kernel's restart codes (include/linux/errno.h): a call interrupted by
// a signal shows them to a tracer.
struct KernelErrno {
    int value;
    std::string_view name;
};
constexpr KernelErrno kKernelErrnos[] = {
    {512, "ERESTARTSYS"}, {513, "ERESTARTNOINTR"},        {514, "ERESTARTNOHAND"},
    {515, "ENOIOCTLCMD"}, {516, "ERESTART_RESTARTBLOCK"},
};

}  // namespace

std::string_view signal_name(int signo) {
    if (signo <= 0) return {};
    return xlat::sig_names.name_of(static_cast<std::uint64_t>(signo)).value_or(std::string_view{});
}

std::string_view signal_name(int signo, std::span<char> scratch) {
    if (const std::string_view name = signal_name(signo); !name.empty()) return name;
    return number_into(signo, scratch);
}

std::optional<int> signal_number(std::string_view name) {
    if (const auto n = xlat::sig_names.value_of(name)) return static_cast<int>(*n);
    if (const auto n = xlat::sig_name_aliases.value_of(name)) return static_cast<int>(*n);
    if (name.empty() || name.starts_with("SIG")) return std::nullopt;
    // A number, as strace prints a signal it has no name for.
    int n = 0;
    const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), n);
    if (ec == std::errc{} && end == name.data() + name.size() && n > 0 && n <= 64) return n;
    // A set member or a rule's short form: "USR1", "RT_2".
    char full[24] = "SIG";
    if (name.size() + 3 >= sizeof full) return std::nullopt;
    std::memcpy(full + 3, name.data(), name.size());
    return signal_number(std::string_view(full, name.size() + 3));
}

std::string_view si_code_name(int signo, int code) {
    const auto as_key = static_cast<std::uint64_t>(static_cast<std::int64_t>(code));
    if (const auto name = xlat::sig_code_generic.name_of(as_key)) return *name;
    const XlatTable* table = si_code_table(signo);
    if (!table) return {};
    return table->name_of(as_key).value_or(std::string_view{});
}

std::optional<int> si_code_number(int signo, std::string_view name) {
    const auto as_int = [](std::uint64_t v) {
        return static_cast<int>(static_cast<std::int64_t>(v));
    };
    if (const auto v = xlat::sig_code_generic.value_of(name)) return as_int(*v);
    if (const XlatTable* table = si_code_table(signo)) {
        if (const auto v = table->value_of(name)) return as_int(*v);
    }
    int n = 0;
    const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), n);
    if (ec == std::errc{} && end == name.data() + name.size() && !name.empty()) return n;
    return std::nullopt;
}

std::string_view errno_name(int error) {
    for (const KernelErrno& e : kKernelErrnos) {
        if (e.value == error) return e.name;
    }
    if (const char* name = strerrorname_np(error)) return name;
    return {};
}

std::string_view errno_name(int error, std::span<char> scratch) {
    if (const std::string_view name = errno_name(error); !name.empty()) return name;
    return number_into(error, scratch);
}

std::optional<int> errno_number(std::string_view name) {
    // Keyed by views of static names, so a lookup allocates nothing.
    static const std::unordered_map<std::string_view, int> kByName = [] {
        std::unordered_map<std::string_view, int> m;
        for (int e = 1; e < 4096; ++e) {
            if (const std::string_view n = errno_name(e); !n.empty()) m.emplace(n, e);
        }
        return m;
    }();
    const auto it = kByName.find(name);
    if (it == kByName.end()) return std::nullopt;
    return it->second;
}

}  // namespace sctrace
