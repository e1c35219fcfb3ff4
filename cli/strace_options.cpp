#include "cli/strace_options.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdlib>
#include <string_view>
#include <utility>

#include "cli/attach_targets.h"
#include "model/names.h"

namespace sctrace {

namespace {

enum class Takes : std::uint8_t { Nothing, Value, OptionalValue };

// Every option of strace 6.1 (short letter, long name) and sctrace's own
// long ones. `supported` false: strace has it and sctrace does not do it yet,
// so it is refused by name rather than taken for something else.
struct OptionSpec {
    char letter;  // 0: long only
    std::string_view name;
    Takes takes;
    bool supported;
};

constexpr std::array kOptions = {
    OptionSpec{'a', "columns", Takes::Value, true},
    OptionSpec{'A', "output-append-mode", Takes::Nothing, true},
    OptionSpec{'b', "detach-on", Takes::Value, false},
    OptionSpec{'c', "summary-only", Takes::Nothing, true},
    OptionSpec{'C', "summary", Takes::Nothing, true},
    OptionSpec{'d', "debug", Takes::Nothing, false},
    OptionSpec{'D', "daemonize", Takes::OptionalValue, false},
    OptionSpec{0, "daemonised", Takes::OptionalValue, false},
    OptionSpec{0, "daemonized", Takes::OptionalValue, false},
    OptionSpec{'e', "", Takes::Value, true},
    OptionSpec{'E', "env", Takes::Value, true},
    OptionSpec{'f', "", Takes::Nothing, true},
    OptionSpec{0, "follow-forks", Takes::Nothing, true},
    OptionSpec{0, "output-separately", Takes::Nothing, true},
    OptionSpec{'F', "", Takes::Nothing, false},
    OptionSpec{'h', "help", Takes::Nothing, true},
    OptionSpec{'i', "instruction-pointer", Takes::Nothing, false},
    OptionSpec{'I', "interruptible", Takes::Value, false},
    OptionSpec{'k', "stack-traces", Takes::Nothing, true},
    OptionSpec{'n', "syscall-number", Takes::Nothing, false},
    OptionSpec{'o', "output", Takes::Value, true},
    OptionSpec{'O', "summary-syscall-overhead", Takes::Value, true},
    OptionSpec{'p', "attach", Takes::Value, true},
    OptionSpec{'P', "trace-path", Takes::Value, true},
    OptionSpec{'q', "", Takes::Nothing, true},
    OptionSpec{'r', "relative-timestamps", Takes::OptionalValue, true},
    OptionSpec{'s', "string-limit", Takes::Value, true},
    OptionSpec{'S', "summary-sort-by", Takes::Value, true},
    OptionSpec{'t', "", Takes::Nothing, true},
    OptionSpec{0, "absolute-timestamps", Takes::OptionalValue, true},
    OptionSpec{0, "timestamps", Takes::OptionalValue, true},
    OptionSpec{'T', "syscall-times", Takes::OptionalValue, true},
    OptionSpec{'u', "user", Takes::Value, true},
    OptionSpec{'U', "summary-columns", Takes::Value, true},
    OptionSpec{'v', "no-abbrev", Takes::Nothing, true},
    OptionSpec{'V', "version", Takes::Nothing, true},
    OptionSpec{'w', "summary-wall-clock", Takes::Nothing, true},
    OptionSpec{'x', "", Takes::Nothing, false},
    OptionSpec{0, "strings-in-hex", Takes::OptionalValue, false},
    OptionSpec{'X', "const-print-style", Takes::Value, true},
    OptionSpec{'y', "", Takes::Nothing, true},
    OptionSpec{'Y', "", Takes::Nothing, false},
    OptionSpec{0, "pidns-translation", Takes::Nothing, true},
    OptionSpec{'z', "successful-only", Takes::Nothing, true},
    OptionSpec{'Z', "failed-only", Takes::Nothing, true},
    OptionSpec{0, "failing-only", Takes::Nothing, true},
    OptionSpec{0, "seccomp-bpf", Takes::Nothing, true},
    OptionSpec{0, "tips", Takes::OptionalValue, false},
    // -e's qualifiers as long options (--trace=dup); 'e' marks them.
    OptionSpec{'e', "trace", Takes::Value, true},
    OptionSpec{'e', "abbrev", Takes::Value, true},
    OptionSpec{'e', "verbose", Takes::Value, true},
    OptionSpec{'e', "raw", Takes::Value, true},
    OptionSpec{'e', "signals", Takes::Value, true},
    OptionSpec{'e', "status", Takes::Value, true},
    OptionSpec{'e', "read", Takes::Value, true},
    OptionSpec{'e', "write", Takes::Value, true},
    OptionSpec{'e', "fault", Takes::Value, true},
    OptionSpec{'e', "inject", Takes::Value, true},
    OptionSpec{'e', "kvm", Takes::Value, true},
    OptionSpec{'e', "quiet", Takes::OptionalValue, true},
    OptionSpec{'e', "silent", Takes::OptionalValue, true},
    OptionSpec{'e', "silence", Takes::OptionalValue, true},
    OptionSpec{'e', "decode-fds", Takes::OptionalValue, true},
    OptionSpec{'e', "decode-pids", Takes::Value, true},
    OptionSpec{'e', "secontext", Takes::OptionalValue, true},
    // sctrace's own.
    OptionSpec{0, "rules", Takes::Value, true},
    OptionSpec{0, "no-rules", Takes::Nothing, true},
    OptionSpec{0, "rule", Takes::Value, true},
    OptionSpec{0, "findings", Takes::Value, true},
};

// -e's qualifiers, by every name strace accepts, and what they mean.
enum class Qualifier {
    Trace,
    Abbrev,
    Verbose,
    Raw,
    Signal,
    Status,
    Read,
    Write,
    Fault,
    Inject,
    Kvm,
    Quiet,
    DecodeFds,
    DecodePids,
    TraceFds,
    Secontext
};

struct QualifierName {
    std::string_view name;
    Qualifier qualifier;
};

constexpr std::array kQualifierNames = {
    QualifierName{"trace", Qualifier::Trace},
    QualifierName{"t", Qualifier::Trace},
    QualifierName{"abbrev", Qualifier::Abbrev},
    QualifierName{"a", Qualifier::Abbrev},
    QualifierName{"verbose", Qualifier::Verbose},
    QualifierName{"v", Qualifier::Verbose},
    QualifierName{"raw", Qualifier::Raw},
    QualifierName{"x", Qualifier::Raw},
    QualifierName{"signal", Qualifier::Signal},
    QualifierName{"signals", Qualifier::Signal},
    QualifierName{"s", Qualifier::Signal},
    QualifierName{"status", Qualifier::Status},
    QualifierName{"read", Qualifier::Read},
    QualifierName{"reads", Qualifier::Read},
    QualifierName{"r", Qualifier::Read},
    QualifierName{"write", Qualifier::Write},
    QualifierName{"writes", Qualifier::Write},
    QualifierName{"w", Qualifier::Write},
    QualifierName{"fault", Qualifier::Fault},
    QualifierName{"inject", Qualifier::Inject},
    QualifierName{"kvm", Qualifier::Kvm},
    QualifierName{"quiet", Qualifier::Quiet},
    QualifierName{"silent", Qualifier::Quiet},
    QualifierName{"silence", Qualifier::Quiet},
    QualifierName{"q", Qualifier::Quiet},
    QualifierName{"decode-fds", Qualifier::DecodeFds},
    QualifierName{"decode-fd", Qualifier::DecodeFds},
    QualifierName{"decode-pids", Qualifier::DecodePids},
    QualifierName{"decode-pid", Qualifier::DecodePids},
    QualifierName{"trace-fds", Qualifier::TraceFds},
    QualifierName{"trace-fd", Qualifier::TraceFds},
    QualifierName{"fd", Qualifier::TraceFds},
    QualifierName{"fds", Qualifier::TraceFds},
    QualifierName{"secontext", Qualifier::Secontext},
};

class Parser {
public:
    explicit Parser(const std::vector<std::string>& args) : args_(args) {}

    std::variant<StraceCommandLine, StraceUsageError> parse() {
        std::size_t i = 0;
        while (i < args_.size() && !error_) {
            const std::string& arg = args_[i];
            if (arg == "--") {
                ++i;
                break;
            }
            if (arg.size() < 2 || arg[0] != '-') break;  // the command
            if (arg[1] == '-') {
                i = long_option(i);
            } else {
                i = short_options(i);
            }
        }
        if (error_) return *error_;
        if (result_.action != StraceAction::Trace) return result_;
        result_.options.command.assign(args_.begin() + static_cast<std::ptrdiff_t>(i), args_.end());
        finish();
        if (error_) return *error_;
        return result_;
    }

private:
    // "--name", "--name=value" or "--name value"; a unique prefix of a name
    // is that name, as getopt_long takes it.
    std::size_t long_option(std::size_t i) {
        const std::string_view arg = std::string_view(args_[i]).substr(2);
        const auto eq = arg.find('=');
        const std::string_view name = arg.substr(0, eq);
        const OptionSpec* found = nullptr;
        int prefixed = 0;
        for (const OptionSpec& spec : kOptions) {
            if (spec.name.empty()) continue;
            if (spec.name == name) {
                found = &spec;
                prefixed = 1;
                break;
            }
            if (spec.name.starts_with(name)) {
                if (!found || found->letter != spec.letter || found->takes != spec.takes)
                    ++prefixed;
                if (!found) found = &spec;
            }
        }
        if (!found || name.empty())
            return fail("unknown option '--" + std::string(name) + "'"), i + 1;
        if (prefixed > 1) {
            return fail("option '--" + std::string(name) + "' is ambiguous"), i + 1;
        }
        std::optional<std::string> value;
        if (eq != std::string_view::npos) {
            if (found->takes == Takes::Nothing) {
                return fail("option '--" + std::string(found->name) +
                            "' doesn't allow an argument"),
                       i + 1;
            }
            value = std::string(arg.substr(eq + 1));
        } else if (found->takes == Takes::Value) {
            if (i + 1 >= args_.size()) {
                return fail("option '--" + std::string(found->name) + "' requires an argument"),
                       i + 1;
            }
            value = args_[++i];
        }
        option(*found, "--" + std::string(found->name), value);
        return i + 1;
    }

    // "-fvs64", "-etrace=dup", "-e trace=dup".
    std::size_t short_options(std::size_t i) {
        const std::string& arg = args_[i];
        for (std::size_t k = 1; k < arg.size() && !error_; ++k) {
            const char letter = arg[k];
            const OptionSpec* spec = short_spec(letter);
            if (!spec) return fail("unknown option '-" + std::string(1, letter) + "'"), i + 1;
            if (spec->takes == Takes::Nothing || spec->takes == Takes::OptionalValue) {
                option(*spec, "-" + std::string(1, letter), std::nullopt);
                continue;
            }
            std::string value;
            if (k + 1 < arg.size()) {
                value = arg.substr(k + 1);
            } else if (i + 1 < args_.size()) {
                value = args_[++i];
            } else {
                return fail("option requires an argument -- '" + std::string(1, letter) + "'"),
                       i + 1;
            }
            option(*spec, "-" + std::string(1, letter), value);
            break;
        }
        return i + 1;
    }

    static const OptionSpec* short_spec(char letter) {
        for (const OptionSpec& spec : kOptions) {
            if (spec.letter == letter && (spec.name.empty() || letter != 'e')) return &spec;
        }
        return nullptr;
    }

    void option(const OptionSpec& spec, const std::string& shown,
                const std::optional<std::string>& value) {
        if (!spec.supported) {
            fail("strace's " + shown + " is not supported yet");
            return;
        }
        StraceOptions& o = result_.options;
        const std::string v = value.value_or("");
        if (spec.letter == 'e') {
            // -e EXPR, or --QUALIFIER=VALUE; a bare --decode-fds is -y.
            const std::string given = spec.name == "decode-fds" && !value ? std::string("path") : v;
            qualifier(spec.name.empty() ? v : std::string(spec.name) + "=" + given, shown,
                      spec.name.empty() || value.has_value() || spec.name == "decode-fds");
            return;
        }
        if (spec.name == "rules") {
            o.rule_paths.push_back(v);
        } else if (spec.name == "no-rules") {
            o.no_rules = true;
        } else if (spec.name == "rule") {
            o.only_rules.push_back(v);
        } else if (spec.name == "findings") {
            o.findings_path = v;
        } else if (spec.name == "follow-forks") {
            o.follow = std::max(o.follow, 1);
        } else if (spec.name == "output-separately") {
            separately_ = true;
        } else if (spec.name == "pidns-translation") {
            o.pidns_translation = true;
        } else if (spec.name == "seccomp-bpf") {
            // sctrace's seccomp prefilter is on whenever it can be.
        } else if (spec.name == "timestamps" || spec.name == "absolute-timestamps") {
            timestamp_format(v, shown);
        } else {
            switch (spec.letter) {
                case 'a':
                    o.column = number(v, shown, 0, 4096);
                    break;
                case 'A':
                    o.output_append = true;
                    break;
                case 'c':
                case 'C': {
                    const auto wanted = spec.letter == 'c' ? StraceOptions::Summary::Only
                                                           : StraceOptions::Summary::WithTrace;
                    if (o.summary != StraceOptions::Summary::None && o.summary != wanted) {
                        fail("-c/--summary-only and -C/--summary are mutually exclusive");
                    }
                    o.summary = wanted;
                    break;
                }
                case 'O':
                    if (const auto overhead = parse_summary_overhead(v)) {
                        o.summary_layout.overhead = *overhead;
                    } else {
                        fail("invalid " + shown + " argument: '" + v + "'");
                    }
                    break;
                case 'S':
                    if (const auto column = summary_column_named(v)) {
                        o.summary_layout.sort_by = *column;
                        sort_set_ = true;
                    } else {
                        fail("invalid sortby: '" + v + "'");
                    }
                    break;
                case 'U': {
                    std::string error;
                    if (auto columns = parse_summary_columns(v, &error)) {
                        o.summary_layout.columns = std::move(*columns);
                        columns_set_ = true;
                    } else {
                        fail(error);
                    }
                    break;
                }
                case 'w':
                    o.summary_layout.wall_clock = true;
                    break;
                case 'E':
                    o.env_changes.push_back(v);
                    break;
                case 'f':
                    ++o.follow;
                    break;
                case 'h':
                    result_.action = StraceAction::Help;
                    break;
                case 'k':
                    o.stack_traces = true;
                    break;
                case 'o':
                    o.output = v;
                    break;
                case 'p':
                    attach(v);
                    break;
                case 'P':
                    o.trace_paths.push_back(v);
                    break;
                case 'q':
                    ++o.quiet;
                    break;
                case 'r':
                    if (!v.empty() && v != "s" && v != "us") {
                        fail("-r " + v + ": only the default precision is supported yet");
                    }
                    o.relative_timestamps = true;
                    break;
                case 's':
                    o.string_limit = number(v, shown, 0, INT_MAX);
                    break;
                case 't':
                    o.timestamps = std::min(o.timestamps + 1, 3);
                    break;
                case 'T':
                    if (!v.empty() && v != "us") {
                        fail("-T " + v + ": only the default precision is supported yet");
                    }
                    o.syscall_times = true;
                    break;
                case 'v':
                    o.verbose = true;
                    break;
                case 'u':
                    o.user = v;
                    break;
                case 'V':
                    result_.action = StraceAction::Version;
                    break;
                case 'X':
                    xlat_style(v, shown);
                    break;
                case 'y':
                    ++y_count_;
                    break;
                case 'z':
                    status_set("successful");
                    break;
                case 'Z':
                    status_set("failed");
                    break;
                default:
                    fail("strace's " + shown + " is not supported yet");
                    break;
            }
        }
    }

    void qualifier(const std::string& expression, const std::string& shown, bool has_value) {
        StraceOptions& o = result_.options;
        const auto eq = expression.find('=');
        Qualifier q = Qualifier::Trace;
        std::string value = expression;
        if (eq != std::string::npos) {
            const std::string_view name = std::string_view(expression).substr(0, eq);
            bool known = false;
            for (const QualifierName& n : kQualifierNames) {
                if (n.name == name) {
                    q = n.qualifier;
                    known = true;
                    break;
                }
            }
            // Any other text before '=' belongs to a syscall set, as strace
            // reads it (and refuses as an invalid system call).
            if (known) value = expression.substr(eq + 1);
        } else if (!has_value) {
            value.clear();
        }
        switch (q) {
            case Qualifier::Trace:
                o.trace_expressions.push_back(value);
                break;
            case Qualifier::Signal:
                signal_set(value);
                break;
            case Qualifier::Status:
                status_set(value);
                break;
            case Qualifier::Abbrev:
                if (value == "none") {
                    o.verbose = true;
                } else if (value != "all") {
                    fail(shown + " abbrev=" + value +
                         ": only abbrev=all and abbrev=none are supported yet");
                }
                break;
            case Qualifier::Verbose:
                if (value != "all") {
                    fail(shown + " verbose=" + value + ": only verbose=all is supported yet");
                }
                break;
            case Qualifier::Quiet:
                quiet(value, shown);
                break;
            case Qualifier::DecodeFds:
                decode_fds(value);
                break;
            case Qualifier::Read:
                descriptor_set(value, o.dump_reads);
                break;
            case Qualifier::Write:
                descriptor_set(value, o.dump_writes);
                break;
            case Qualifier::Inject:
            case Qualifier::Fault:
                try {
                    o.injections.push_back(parse_injection(value, q == Qualifier::Fault
                                                                      ? InjectionKind::Fault
                                                                      : InjectionKind::Inject));
                } catch (const InjectionError& e) {
                    fail(shown + " " + expression + ": " + e.what());
                }
                break;
            case Qualifier::DecodePids:
                decode_pids(value, shown);
                break;
            default:
                fail("strace's -e " + expression.substr(0, eq) + "= is not supported yet");
                break;
        }
    }

    void quiet(const std::string& value, const std::string& shown) {
        StraceOptions& o = result_.options;
        for (const std::string& item : split(value.empty() ? "all" : value)) {
            if (item == "all") {
                o.quiet_exit = o.quiet_path_resolution = true;
            } else if (item == "none") {
                o.quiet_exit = o.quiet_path_resolution = false;
            } else if (item == "path-resolution") {
                o.quiet_path_resolution = true;
            } else if (item == "attach" || item == "personality" || item == "thread-execve" ||
                       item == "superseded") {
                // Messages sctrace does not print.
            } else if (item == "exit" || item == "exits") {
                o.quiet_exit = true;
            } else {
                fail("invalid quiet '" + item + "' (" + shown + ")");
            }
        }
    }

    // -e signal=SET: names with or without SIG, numbers, all, none; a
    // leading '!' inverts. A later expression replaces an earlier one.
    void signal_set(const std::string& expression) {
        std::string_view text = expression;
        const bool invert = text.starts_with('!');
        if (invert) text.remove_prefix(1);
        std::bitset<128> set;
        for (const std::string& item : split(std::string(text))) {
            if (item == "all") {
                set.set();
            } else if (item == "none") {
                set.reset();
            } else if (const auto signo = signal_number(item); signo && *signo < 128) {
                set.set(static_cast<std::size_t>(*signo));
            } else {
                fail("invalid signal '" + item + "'");
            }
        }
        result_.options.signals = invert ? ~set : set;
    }

    // -e status=SET (and -z, -Z): successful, failed, unfinished,
    // unavailable, detached, all, none; '!' inverts.
    void status_set(const std::string& expression) {
        std::string_view text = expression;
        const bool invert = text.starts_with('!');
        if (invert) text.remove_prefix(1);
        bool successful = false, failed = false, unfinished = false;
        for (const std::string& item : split(std::string(text))) {
            if (item == "all") {
                successful = failed = unfinished = true;
            } else if (item == "none") {
                successful = failed = unfinished = false;
            } else if (item == "successful") {
                successful = true;
            } else if (item == "failed") {
                failed = true;
            } else if (item == "unfinished" || item == "unavailable" || item == "detached") {
                unfinished = true;
            } else {
                fail("invalid status '" + item + "'");
            }
        }
        StraceOptions& o = result_.options;
        o.status_filtered = true;
        o.show_successful = successful != invert;
        o.show_failed = failed != invert;
        o.show_unfinished = unfinished != invert;
    }

    // strace's number sets (qualify_tokens): each leading '!' inverts the
    // rest; "all" and "none"; else items split at commas, each one turned
    // into a number by `item_value` (nullopt: "invalid WHAT 'ITEM'"), at
    // least one of them. A later set replaces an earlier one.
    template <typename Fn>
    bool number_set(const std::string& text, std::string_view what, Fn item_value,
                    std::vector<int>& values, bool& inverted) {
        values.clear();
        inverted = false;
        std::string_view rest = text;
        while (rest.starts_with('!')) {
            inverted = !inverted;
            rest.remove_prefix(1);
        }
        if (rest == "none") return true;
        if (rest == "all") {
            inverted = !inverted;
            return true;
        }
        const std::vector<std::string> items = split(std::string(rest));
        for (const std::string& item : items) {
            const std::optional<int> number = item_value(item);
            if (!number) {
                fail("invalid " + std::string(what) + " '" + item + "'");
                return false;
            }
            values.push_back(*number);
        }
        if (items.empty()) {
            fail("invalid " + std::string(what) + " '" + text + "'");
            return false;
        }
        std::sort(values.begin(), values.end());
        return true;
    }

    // -e read=SET, -e write=SET: descriptors, as strace's string_to_uint
    // reads them (decimal, 0 to INT_MAX).
    void descriptor_set(const std::string& value, DescriptorSet& set) {
        const auto descriptor = [](const std::string& item) -> std::optional<int> {
            errno = 0;
            char* end = nullptr;
            const long long n = std::strtoll(item.c_str(), &end, 10);
            if (end == item.c_str() || *end != '\0' || n < 0 || n > INT_MAX || errno == ERANGE) {
                return std::nullopt;
            }
            return static_cast<int>(n);
        };
        number_set(value, "descriptor", descriptor, set.fds, set.inverted);
    }

    // -e decode-fds=SET: path, socket, dev, pidfd.
    void decode_fds(const std::string& value) {
        static constexpr std::array<std::pair<std::string_view, unsigned>, 4> kKinds = {{
            {"path", StraceOptions::kFdPath},
            {"socket", StraceOptions::kFdSocket},
            {"dev", StraceOptions::kFdDevice},
            {"pidfd", StraceOptions::kFdPidfd},
        }};
        const auto kind = [](const std::string& item) -> std::optional<int> {
            for (const auto& [name, bit] : kKinds) {
                if (item == name) return static_cast<int>(bit);
            }
            return std::nullopt;
        };
        std::vector<int> bits;
        bool inverted = false;
        if (!number_set(value, "decode-fds", kind, bits, inverted)) return;
        unsigned set = 0;
        for (const auto& [name, bit] : kKinds) {
            if (std::binary_search(bits.begin(), bits.end(), static_cast<int>(bit)) != inverted) {
                set |= bit;
            }
        }
        result_.options.decode_fds = set;
        decode_fds_given_ = true;
    }

    // -e decode-pids=pidns (--pidns-translation); comm (-Y) is not done yet.
    void decode_pids(const std::string& value, const std::string& shown) {
        StraceOptions& o = result_.options;
        for (const std::string& item : split(value)) {
            if (item == "pidns") {
                o.pidns_translation = true;
            } else if (item == "none") {
                o.pidns_translation = false;
            } else if (item == "comm" || item == "all") {
                fail(shown + " decode-pids=" + item + ": comm is not supported yet");
            } else {
                fail("invalid decode-pids '" + item + "'");
            }
        }
    }

    void timestamp_format(const std::string& value, const std::string& shown) {
        StraceOptions& o = result_.options;
        if (value.empty() || value == "time") {
            o.timestamps = std::max(o.timestamps, 1);
        } else if (value == "unix") {
            o.timestamps = 3;
        } else if (value == "time,us" || value == "us") {
            o.timestamps = 2;
        } else if (value == "unix,us") {
            o.timestamps = 3;
        } else {
            fail(shown + "=" + value + ": only time, unix, time,us and unix,us are supported yet");
        }
    }

    // -X, --const-print-style: how named constants print.
    void xlat_style(const std::string& value, const std::string& shown) {
        StraceOptions& o = result_.options;
        if (value == "raw") {
            o.xlat = StraceOptions::XlatStyle::Raw;
        } else if (value == "abbrev") {
            o.xlat = StraceOptions::XlatStyle::Abbrev;
        } else if (value == "verbose") {
            o.xlat = StraceOptions::XlatStyle::Verbose;
        } else {
            fail("invalid " + shown + " argument: '" + value + "'");
        }
    }

    // -p takes a list: "1,2", "1 2" (strace splits on commas and blanks).
    void attach(const std::string& value) {
        for (const std::string& item : split(value, ", \t")) {
            const auto pid = parse_process_id(item);
            if (!pid) {
                fail("invalid process id: '" + item + "'");
                return;
            }
            result_.options.attach.push_back(*pid);
        }
    }

    unsigned number(const std::string& text, const std::string& shown, unsigned low,
                    unsigned high) {
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size() || value < low || value > high) {
            fail("invalid " + shown + " argument: '" + text + "'");
            return 0;
        }
        return value;
    }

    static std::vector<std::string> split(const std::string& text,
                                          std::string_view separators = ",") {
        std::vector<std::string> items;
        std::size_t start = 0;
        while (start <= text.size()) {
            const auto end = text.find_first_of(separators, start);
            const std::string item = text.substr(start, end - start);
            if (!item.empty()) items.push_back(item);
            if (end == std::string::npos) break;
            start = end + 1;
        }
        return items;
    }

    // What the options mean together, as strace decides it.
    void finish() {
        StraceOptions& o = result_.options;
        // -ff (or --output-separately) writes a file per process only with
        // -o; without -o it is one -f.
        if (separately_) o.follow = std::max(o.follow, 2);
        // strace refuses -ff with a summary even where -ff means -f.
        const bool file_per_thread = o.follow >= 2;
        if (o.follow >= 2 && o.output.empty()) o.follow = 1;
        if (o.follow > 2) o.follow = 2;
        if (!o.output.empty() && (o.output.front() == '|' || o.output.front() == '!')) {
            fail("-o " + o.output + ": output to a command is not supported yet");
        }
        if (o.quiet >= 2) o.quiet_exit = true;
        if (o.quiet >= 3) o.quiet_path_resolution = true;
        if (y_count_ > 0) {
            if (decode_fds_given_) {
                fail("-y and --decode-fds cannot be provided simultaneously");
            } else {
                o.decode_fds = y_count_ == 1
                                   ? StraceOptions::kFdPath
                                   : StraceOptions::kFdPath | StraceOptions::kFdSocket |
                                         StraceOptions::kFdDevice | StraceOptions::kFdPidfd;
            }
        }
        summary_rules(file_per_thread);
        if (o.command.empty() && o.attach.empty()) {
            fail("must have PROG [ARGS] or -p PID");
        } else if (!o.command.empty() && !o.attach.empty()) {
            // strace traces both; sctrace's session does one or the other.
            fail("-p and a command together are not supported yet");
        }
    }

    // The summary options' rules, in strace's order and words.
    void summary_rules(bool file_per_thread) {
        const StraceOptions& o = result_.options;
        const bool summary = o.summary != StraceOptions::Summary::None;
        const char* const either = " (-c/--summary-only or -C/--summary)";
        if (file_per_thread && summary) {
            fail(
                std::string("(-c/--summary-only or -C/--summary) and -ff/--output-separately"
                            " are mutually exclusive"));
        }
        if (o.summary_layout.wall_clock && !summary) {
            fail(std::string("-w/--summary-wall-clock must be given with") + either);
        }
        if (columns_set_ && !summary) {
            fail(std::string("-U/--summary-columns must be given with") + either);
        }
        if (sort_set_ && !summary) {
            warn(std::string("-S/--summary-sort-by has no effect without") + either);
        }
        if (o.summary == StraceOptions::Summary::Only) {
            if (o.stack_traces) warn("-k/--stack-traces has no effect with -c/--summary-only");
            if (o.relative_timestamps) {
                warn("-r/--relative-timestamps has no effect with -c/--summary-only");
            }
            if (o.timestamps > 0) {
                warn("-t/--absolute-timestamps has no effect with -c/--summary-only");
            }
            if (o.syscall_times) warn("-T/--syscall-times has no effect with -c/--summary-only");
            if (o.decode_fds > 0) warn("-y/--decode-fds has no effect with -c/--summary-only");
        }
    }

    void warn(std::string message) { result_.warnings.push_back(std::move(message)); }

    void fail(std::string message) {
        if (!error_) error_ = StraceUsageError{std::move(message)};
    }

    const std::vector<std::string>& args_;
    StraceCommandLine result_;
    bool separately_ = false;
    int y_count_ = 0;                // -y, -yy
    bool decode_fds_given_ = false;  // --decode-fds, -e decode-fds=
    bool sort_set_ = false;          // -S given
    bool columns_set_ = false;       // -U given
    std::optional<StraceUsageError> error_;
};

}  // namespace

std::variant<StraceCommandLine, StraceUsageError> parse_strace_command_line(
    const std::vector<std::string>& args) {
    return Parser(args).parse();
}

const char* strace_usage_text() {
    return "Usage: sctrace strace [OPTIONS] PROG [ARGS]\n"
           "       sctrace strace [OPTIONS] -p PID...\n"
           "strace 6.1's command line; what sctrace does not do yet is refused by name.\n"
           "\n"
           "Output format:\n"
           "  -a COLUMN       align syscall results at COLUMN (default 40)\n"
           "  -e abbrev=all|none, -v  abbreviate structures or not\n"
           "  -e quiet=SET, -q, -qq   suppress attach and exit messages\n"
           "  -e decode-fds=SET, -y, -yy  print paths (path), socket endpoints (socket),\n"
           "                  device numbers (dev), pidfds' processes (pidfd)\n"
           "  -o FILE         write the trace to FILE (-ff: FILE.TID per thread)\n"
           "  -A              append to FILE\n"
           "  -s STRSIZE      print at most STRSIZE bytes of strings (default 32)\n"
           "  -t, -tt, -ttt   absolute timestamps; -r relative ones\n"
           "  -T              time spent in each syscall\n"
           "  -X raw|abbrev|verbose  how named constants print\n"
           "  -e read=SET     dump the data read from these descriptors\n"
           "  -e write=SET    dump the data written to these descriptors\n"
           "  -k              the stack after each call and signal\n"
           "  -e decode-pids=pidns  process ids also as sctrace's pid namespace numbers them\n"
           "Statistics:\n"
           "  -c, -C          a summary of the calls instead of / after the trace\n"
           "  -S SORTBY       sort it by time, calls, errors, name, avg_time, min_time,\n"
           "                  max_time or none (default time)\n"
           "  -U COLUMNS      its columns: time_percent, total_time, avg_time, min_time,\n"
           "                  max_time, calls, errors, name\n"
           "  -w              wall clock time instead of system time\n"
           "  -O OVERHEAD     take OVERHEAD (us, or with s, ms, ns) off each call\n"
           "Filtering:\n"
           "  -e trace=SET    trace only these syscalls (%net, %desc, ...)\n"
           "  -e signal=SET   show only these signals\n"
           "  -e status=SET   show only calls that ended so (successful, failed)\n"
           "  -P PATH         trace only calls that access PATH\n"
           "  -z, -Z          only successful, only failed calls\n"
           "Tampering:\n"
           "  -e inject=SET:error=E|retval=N[:signal=S][:delay_enter=D][:delay_exit=D]"
           "[:when=FIRST[..LAST][+STEP]]\n"
           "                  tamper with calls (results show \"(INJECTED)\")\n"
           "  -e fault=SET[:error=E][:when=EXPR]  fail calls (ENOSYS by default)\n"
           "Tracing:\n"
           "  -f, -ff         follow forks (and threads)\n"
           "  -p PID          attach to PID\n"
           "  -E VAR=VAL, -E VAR  set or unset VAR in the command's environment\n"
           "  -u USER         run the command as USER (root only)\n"
           "Rules (sctrace's own; findings go to stderr):\n"
           "  --rules PATH    rule file or folder (default: the bundled pack)\n"
           "  --no-rules      load no rules: a plain strace\n"
           "  --rule ID       judge with only rule ID (repeatable)\n"
           "  --findings FILE write findings as JSON Lines\n";
}

}  // namespace sctrace
