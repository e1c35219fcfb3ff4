// SyscallSet and strace's -e trace= expression language.
#include "model/syscall_set.h"

#include <array>
#include <charconv>
#include <regex>
#include <string>

#include "model/syscall_table.h"
#include "model/syscall_table_data.h"

namespace sctrace {

namespace {

using syscall_data::kX32Compat;
using syscall_data::kX32CompatFirst;
using syscall_data::kX86_64ToI386;

constexpr long kX32CompatEnd = kX32CompatFirst + static_cast<long>(std::size(kX32Compat));

// Every table must fit the fixed-size bitsets.
static_assert(std::size(syscall_data::kX86_64) <= SyscallSet::kCapacity);
static_assert(std::size(syscall_data::kI386) <= SyscallSet::kCapacity);

int i386_namesake(int x86_64_nr) {
    if (x86_64_nr < 0 || x86_64_nr >= static_cast<int>(std::size(kX86_64ToI386))) return -1;
    return kX86_64ToI386[x86_64_nr];
}

// Which ABIs' tables an item of the expression applies to.
struct Personalities {
    bool native = true;
    bool i386 = true;
};

struct ClassName {
    std::string_view name;
    std::uint32_t bits;
};

// strace 6.1's lookup_class(), legacy names without '%' included.
constexpr std::array kClassNames = {
    ClassName{"%desc", kClassDesc},       ClassName{"%file", kClassFile},
    ClassName{"%memory", kClassMemory},   ClassName{"%process", kClassProcess},
    ClassName{"%creds", kClassCreds},     ClassName{"%signal", kClassSignal},
    ClassName{"%ipc", kClassIpc},         ClassName{"%net", kClassNet},
    ClassName{"%network", kClassNet},     ClassName{"%stat", kClassStat},
    ClassName{"%lstat", kClassLstat},     ClassName{"%fstat", kClassFstat},
    ClassName{"%%stat", kClassStatLike},  ClassName{"%statfs", kClassStatfs},
    ClassName{"%fstatfs", kClassFstatfs}, ClassName{"%%statfs", kClassStatfsLike},
    ClassName{"%pure", kClassPure},       ClassName{"%clock", kClassClock},
    ClassName{"desc", kClassDesc},        ClassName{"file", kClassFile},
    ClassName{"memory", kClassMemory},    ClassName{"process", kClassProcess},
    ClassName{"signal", kClassSignal},    ClassName{"ipc", kClassIpc},
    ClassName{"network", kClassNet},
};

std::string quoted(std::string_view text) {
    std::string out = "'";
    out += text;
    out += '\'';
    return out;
}

}  // namespace

SyscallSet SyscallSet::all() {
    SyscallSet set;
    set.bits_.set();
    set.i386_bits_.set();
    return set;
}

void SyscallSet::add(int x86_64_nr) {
    if (x86_64_nr < 0 || x86_64_nr >= kCapacity) return;
    bits_.set(x86_64_nr);
    if (int i386_nr = i386_namesake(x86_64_nr); i386_nr >= 0) i386_bits_.set(i386_nr);
}

void SyscallSet::remove(int x86_64_nr) {
    if (x86_64_nr < 0 || x86_64_nr >= kCapacity) return;
    bits_.reset(x86_64_nr);
    if (int i386_nr = i386_namesake(x86_64_nr); i386_nr >= 0) i386_bits_.reset(i386_nr);
}

bool SyscallSet::contains(Arch arch, long nr) const {
    switch (arch) {
        case Arch::X86_64:
            return nr >= 0 && nr < kCapacity && bits_.test(nr);
        case Arch::I386:
            return nr >= 0 && nr < kCapacity && i386_bits_.test(nr);
        case Arch::X32: {
            // An x32 call is traced as its x86_64 namesake. Numbers the table
            // does not know keep their own native bit, so that "all" and
            // negations cover them as strace does.
            if (nr < 0) return false;
            long native = nr & ~kX32SyscallBit;
            if (native >= kX32CompatFirst && native < kX32CompatEnd) {
                native = kX32Compat[native - kX32CompatFirst];
            }
            return native < kCapacity && bits_.test(native);
        }
        case Arch::Unknown:
            break;
    }
    return false;
}

std::vector<std::string_view> SyscallSet::names() const {
    return names(Arch::X86_64);
}

std::vector<std::string_view> SyscallSet::names(Arch arch) const {
    const Arch table = arch == Arch::X32 ? Arch::X86_64 : arch;
    const auto& bits = table == Arch::I386 ? i386_bits_ : bits_;
    std::vector<std::string_view> out;
    const int size = syscall_table_size(table);
    for (int nr = 0; nr < size; ++nr) {
        if (!bits.test(nr)) continue;
        if (const SyscallInfo* info = syscall_info(table, nr)) out.push_back(info->name);
    }
    return out;
}

namespace {

// Adds the syscalls an item selects; false when it selects nothing (strace's
// "invalid system call"). Mirrors strace 6.1's qualify_syscall().
class ItemParser {
public:
    ItemParser(std::bitset<SyscallSet::kCapacity>& native, std::bitset<SyscallSet::kCapacity>& i386)
        : native_(native), i386_(i386) {}

    bool add(std::string_view item) {
        bool ignore_unknown = false;
        while (item.starts_with('?')) {
            item.remove_prefix(1);
            ignore_unknown = true;
        }
        // An "@personality" suffix applies to every kind of item, regexes
        // included (so a regex cannot contain '@'); a bad one is an error
        // even after '?'. Both as in strace.
        Personalities which;
        if (auto at = item.find('@'); at != std::string_view::npos) {
            which = personality(item.substr(at + 1), item);
            item = item.substr(0, at);
        }
        bool found;
        if (!item.empty() && item.front() >= '0' && item.front() <= '9') {
            found = add_number(item, which);
        } else if (item.starts_with('/')) {
            found = add_regex(item.substr(1), which);
        } else if (item == "all") {
            // strace 6.1 takes "all" inside a list too.
            if (which.native) native_.set();
            if (which.i386) i386_.set();
            found = true;
        } else {
            found = add_class(item, which) || add_name(item, which);
        }
        return found || ignore_unknown;
    }

private:
    static Personalities personality(std::string_view designator, std::string_view item) {
        if (designator == "64") return {.native = true, .i386 = false};
        if (designator == "32") return {.native = false, .i386 = true};
        if (designator == "x32") {
            throw TraceExpressionError(
                "personality designator 'x32' in " + quoted(item) +
                " is not supported: x32 calls are traced by their x86_64 namesake, use '@64'");
        }
        throw TraceExpressionError("incorrect personality designator " + quoted(designator) +
                                   " in qualification " + quoted(item));
    }

    // Decimal only, like strace's string_to_uint: "0x2a" and "42x" are
    // invalid. A number counts where the table reaches that far, holes
    // included (strace adds them too).
    bool add_number(std::string_view digits, Personalities which) {
        int nr = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), nr, 10);
        if (ec != std::errc() || end != digits.data() + digits.size()) return false;
        bool found = false;
        if (which.native && nr < syscall_table_size(Arch::X86_64)) {
            native_.set(nr);
            found = true;
        }
        if (which.i386 && nr < syscall_table_size(Arch::I386)) {
            i386_.set(nr);
            found = true;
        }
        return found;
    }

    bool add_regex(std::string_view pattern, Personalities which) {
        // std::regex reports bad patterns, and patterns too complex to run,
        // by throwing; both are the user's item, so both name it.
        try {
            const std::regex re(pattern.begin(), pattern.end(), std::regex::ECMAScript);
            bool found = false;
            if (which.native) found |= match_names(re, native_, Arch::X86_64);
            if (which.i386) found |= match_names(re, i386_, Arch::I386);
            return found;
        } catch (const std::regex_error& e) {
            throw TraceExpressionError("invalid regular expression " + quoted(pattern) + ": " +
                                       e.what());
        }
    }

    static bool match_names(const std::regex& re, std::bitset<SyscallSet::kCapacity>& bits,
                            Arch arch) {
        bool found = false;
        for (int nr = 0; nr < syscall_table_size(arch); ++nr) {
            const SyscallInfo* info = syscall_info(arch, nr);
            if (info && std::regex_search(info->name.begin(), info->name.end(), re)) {
                bits.set(nr);
                found = true;
            }
        }
        return found;
    }

    // A known class is valid even where no syscall of a table belongs to it.
    bool add_class(std::string_view name, Personalities which) {
        for (const ClassName& cls : kClassNames) {
            if (cls.name != name) continue;
            auto select = [&](std::bitset<SyscallSet::kCapacity>& bits, Arch arch) {
                for (int nr = 0; nr < syscall_table_size(arch); ++nr) {
                    const SyscallInfo* info = syscall_info(arch, nr);
                    if (info && (info->classes & cls.bits) == cls.bits) bits.set(nr);
                }
            };
            if (which.native) select(native_, Arch::X86_64);
            if (which.i386) select(i386_, Arch::I386);
            return true;
        }
        return false;
    }

    // A name valid in either table counts: "_llseek" exists on i386 only.
    bool add_name(std::string_view name, Personalities which) {
        bool found = false;
        if (which.native) {
            if (auto nr = syscall_number(Arch::X86_64, name)) {
                native_.set(*nr);
                found = true;
            }
        }
        if (which.i386) {
            if (auto nr = syscall_number(Arch::I386, name)) {
                i386_.set(*nr);
                found = true;
            }
        }
        return found;
    }

    std::bitset<SyscallSet::kCapacity>& native_;
    std::bitset<SyscallSet::kCapacity>& i386_;
};

}  // namespace

SyscallSet parse_trace_expression(std::string_view expression) {
    // Each leading '!' inverts the rest (so "!!read" is "read").
    std::string_view rest = expression;
    bool negate = false;
    while (rest.starts_with('!')) {
        negate = !negate;
        rest.remove_prefix(1);
    }

    SyscallSet set;
    if (rest == "all") {
        set = SyscallSet::all();
    } else if (rest != "none") {
        ItemParser parser(set.bits_, set.i386_bits_);
        bool any_item = false;
        // Items are comma separated; empty ones are skipped (strtok in strace).
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            const std::string_view item = rest.substr(0, comma);
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
            if (item.empty()) continue;
            any_item = true;
            if (!parser.add(item))
                throw TraceExpressionError("invalid system call " + quoted(item));
        }
        // Nothing to parse at all ("", ",", "!"): strace names the whole text.
        if (!any_item) throw TraceExpressionError("invalid system call " + quoted(expression));
    }

    if (negate) {
        set.bits_.flip();
        set.i386_bits_.flip();
    }
    return set;
}

SyscallSet ring_followers(const SyscallSet& traced) {
    SyscallSet followers;
    bool rings_traced = false;
    for (int nr = 0; nr < syscall_table_size(Arch::X86_64); ++nr) {
        const SyscallInfo* info = syscall_info(Arch::X86_64, nr);
        if (!info || !info->traits.has(kTraitRingTracked)) continue;
        followers.add(nr);
        const SyscallKind kind = info->traits.kind;
        if ((kind == SyscallKind::IoUringSetup || kind == SyscallKind::IoUringEnter) &&
            traced.contains_native(nr)) {
            rings_traced = true;
        }
    }
    return rings_traced ? followers : SyscallSet{};
}

}  // namespace sctrace
