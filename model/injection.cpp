#include "model/injection.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>

#include "base/number_text.h"
#include "model/names.h"

namespace sctrace {

namespace {

constexpr std::uint32_t kMaxFirst = 65535;
constexpr std::uint32_t kMaxLast = 65534;
constexpr int kMaxErrno = 4095;
constexpr int kMaxSignal = 64;

[[noreturn]] void fail(std::string_view token, std::string_view why) {
    throw InjectionError(std::string(token) + ": " + std::string(why));
}

// A whole decimal number, or nullopt.
std::optional<std::uint64_t> decimal(std::string_view text) {
    std::uint64_t value = 0;
    if (!to_number(text, value)) return std::nullopt;
    return value;
}

// Decimal, 0x hex or 0 octal, as strace's string_to_ulonglong reads it.
std::optional<std::uint64_t> c_number(std::string_view text) {
    if (text.empty() || text.front() == '-' || text.front() == '+') return std::nullopt;
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text.remove_prefix(2);
    } else if (text.size() > 1 && text[0] == '0') {
        base = 8;
        text.remove_prefix(1);
    }
    std::uint64_t value = 0;
    if (!to_number(text, value, base)) return std::nullopt;
    return value;
}

InjectionWhen parse_when(std::string_view token, std::string_view expr) {
    InjectionWhen when;
    when.step = 0;
    std::string_view rest = expr;
    const auto first_end = rest.find_first_of(".+");
    const auto first = decimal(rest.substr(0, first_end));
    if (!first || *first < 1 || *first > kMaxFirst) fail(token, "FIRST must be 1..65535");
    when.first = static_cast<std::uint32_t>(*first);
    rest = first_end == std::string_view::npos ? std::string_view{} : rest.substr(first_end);
    if (rest.starts_with("..")) {
        rest.remove_prefix(2);
        const auto last_end = rest.find('+');
        const auto last = decimal(rest.substr(0, last_end));
        if (!last || *last < 1 || *last > kMaxLast) fail(token, "LAST must be 1..65534");
        if (*last < when.first) fail(token, "LAST is before FIRST");
        when.last = static_cast<std::uint32_t>(*last);
        // first..last alone means every invocation in the range.
        when.step = 1;
        rest = last_end == std::string_view::npos ? std::string_view{} : rest.substr(last_end);
    }
    if (rest.starts_with("+")) {
        rest.remove_prefix(1);
        if (rest.empty()) {
            when.step = 1;
        } else {
            const auto step = decimal(rest);
            if (!step || *step < 1 || *step > kMaxFirst) fail(token, "STEP must be 1..65535");
            when.step = static_cast<std::uint32_t>(*step);
        }
        rest = {};
    }
    if (!rest.empty()) fail(token, "expected FIRST[..LAST][+[STEP]]");
    return when;
}

}  // namespace

std::optional<std::chrono::nanoseconds> parse_strace_delay(std::string_view text) {
    // strtod's number, then an optional unit.
    const std::string copy(text);
    if (copy.empty() || copy.front() == '-' || std::isspace(static_cast<unsigned char>(copy[0]))) {
        return std::nullopt;
    }
    char* end = nullptr;
    const double value = std::strtod(copy.c_str(), &end);
    if (end == copy.c_str() || !std::isfinite(value) || value < 0) return std::nullopt;
    const std::string_view unit(end);
    double scale = 1e3;  // microseconds by default
    if (unit == "s") {
        scale = 1e9;
    } else if (unit == "ms") {
        scale = 1e6;
    } else if (unit == "us") {
        scale = 1e3;
    } else if (unit == "ns") {
        scale = 1;
    } else if (!unit.empty()) {
        return std::nullopt;
    }
    const double nanos = value * scale;
    // A day is beyond any use a delay has, and keeps the cast defined.
    if (nanos > 86'400e9) return std::nullopt;
    return std::chrono::nanoseconds(static_cast<std::int64_t>(nanos));
}

Injection parse_injection(std::string_view text, InjectionKind kind) {
    const std::string_view spelled = kind == InjectionKind::Fault ? "fault=" : "inject=";
    Injection inj;
    inj.text = std::string(text);
    const auto colon = text.find(':');
    const std::string_view set = text.substr(0, colon);
    try {
        inj.calls = parse_trace_expression(set);
    } catch (const TraceExpressionError& e) {
        throw InjectionError(std::string(spelled) + std::string(text) + ": " + e.what());
    }
    std::string_view rest =
        colon == std::string_view::npos ? std::string_view{} : text.substr(colon);
    bool delay = false;
    while (!rest.empty()) {
        rest.remove_prefix(1);  // the ':'
        const auto next = rest.find(':');
        const std::string_view token = rest.substr(0, next);
        rest = next == std::string_view::npos ? std::string_view{} : rest.substr(next);
        const auto eq = token.find('=');
        const std::string_view key = token.substr(0, eq);
        const std::string_view value =
            eq == std::string_view::npos ? std::string_view{} : token.substr(eq + 1);
        if (eq == std::string_view::npos) fail(token, "expected KEY=VALUE");
        if (key == "when") {
            inj.when = parse_when(token, value);
        } else if (key == "error") {
            if (inj.error || inj.retval) fail(token, "only one error= or retval= is allowed");
            std::optional<int> number = errno_number(value);
            if (!number) {
                // Past the range stays past it: no wrap into a valid errno.
                if (const auto n = decimal(value)) {
                    number = static_cast<int>(std::min<std::uint64_t>(*n, kMaxErrno + 1));
                }
            }
            if (!number || *number < 1 || *number > kMaxErrno) {
                fail(token, "not an errno name (ENOENT) or number 1..4095");
            }
            inj.error = *number;
        } else if (kind == InjectionKind::Fault) {
            fail(token, "fault= takes only error= and when= (inject= takes the rest)");
        } else if (key == "retval") {
            if (inj.error || inj.retval) fail(token, "only one error= or retval= is allowed");
            const auto number = c_number(value);
            if (!number) fail(token, "not a non-negative number (error= makes a call fail)");
            inj.retval = *number;
        } else if (key == "signal") {
            if (inj.signal) fail(token, "only one signal= is allowed");
            std::optional<int> number = signal_number(value);
            if (!number || *number < 1 || *number > kMaxSignal) {
                fail(token, "not a signal name (SIGUSR1) or number 1..64");
            }
            inj.signal = *number;
        } else if (key == "delay_enter" || key == "delay_exit") {
            const auto d = parse_strace_delay(value);
            if (!d) fail(token, "not a time (a number, then s, ms, us or ns; us by default)");
            (key == "delay_enter" ? inj.delay_enter : inj.delay_exit) = *d;
            delay = true;
        } else if (key == "syscall" || key == "poke_enter" || key == "poke_exit") {
            fail(token, "strace's " + std::string(key) + "= is not supported yet");
        } else {
            fail(token,
                 "unknown; expected error=, retval=, signal=, delay_enter=, delay_exit= or when=");
        }
    }
    if (kind == InjectionKind::Fault && !inj.error) inj.error = ENOSYS;
    if (!inj.tampers_result() && !inj.signal && !delay) {
        throw InjectionError(std::string(spelled) + std::string(text) +
                             ": says nothing to do (error=, retval=, signal=, delay_enter= or "
                             "delay_exit=)");
    }
    return inj;
}

}  // namespace sctrace
