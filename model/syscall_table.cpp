// Lookups over the generated syscall tables (see gen_syscall_table.cmake).
#include "model/syscall_table.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <span>
#include <vector>

#include "model/syscall_table_data.h"

namespace sctrace {

namespace {

using syscall_data::kI386;
using syscall_data::kX32Compat;
using syscall_data::kX32CompatFirst;
using syscall_data::kX86_64;

constexpr int kX32CompatEnd = kX32CompatFirst + static_cast<int>(std::size(kX32Compat));

const SyscallInfo* lookup(std::span<const SyscallInfo> table, std::int64_t nr) {
    if (nr < 0 || nr >= static_cast<std::int64_t>(table.size())) return nullptr;
    const SyscallInfo& info = table[static_cast<std::size_t>(nr)];
    return info.name.empty() ? nullptr : &info;
}

// The rows of one table by name, hashed: every line of a strace log and
// every event of a JSONL log needs its call's row, and the binary search by
// name costs a string compare per step. Open addressing, at most a quarter
// full, so a lookup is one compare as a rule. Built once, read-only after.
class NameIndex {
public:
    explicit NameIndex(std::span<const SyscallInfo> table) : table_(table) {
        std::size_t slots = 16;
        while (slots < 4 * table.size()) slots *= 2;
        slots_.assign(slots, -1);
        mask_ = slots - 1;
        for (std::size_t nr = 0; nr < table.size(); ++nr) {
            if (table[nr].name.empty()) continue;
            std::size_t at = hash(table[nr].name) & mask_;
            while (slots_[at] >= 0) at = (at + 1) & mask_;
            slots_[at] = static_cast<int>(nr);
        }
    }

    const SyscallInfo* find(std::string_view name) const {
        for (std::size_t at = hash(name) & mask_; slots_[at] >= 0; at = (at + 1) & mask_) {
            const SyscallInfo& info = table_[static_cast<std::size_t>(slots_[at])];
            if (info.name == name) return &info;
        }
        return nullptr;
    }

private:
    static std::size_t hash(std::string_view s) {
        std::uint64_t h = 14695981039346656037ull;  // FNV-1a
        for (const char ch : s) h = (h ^ static_cast<unsigned char>(ch)) * 1099511628211ull;
        return static_cast<std::size_t>(h ^ (h >> 29));
    }

    std::span<const SyscallInfo> table_;
    std::vector<int> slots_;  // numbers, -1 empty
    std::size_t mask_ = 0;
};

const NameIndex& x86_64_names() {
    static const NameIndex index(kX86_64);
    return index;
}

const NameIndex& i386_names() {
    static const NameIndex index(kI386);
    return index;
}

// An x32 number (with or without the x32 bit) as the x86_64 number whose
// table entry describes it; -1 when there is none.
std::int64_t x32_to_native(std::int64_t nr) {
    if (nr < 0) return -1;
    nr &= ~kX32SyscallBit;
    if (nr >= kX32CompatFirst && nr < kX32CompatEnd) return kX32Compat[nr - kX32CompatFirst];
    // 463-511 are unassigned on x32 as on x86_64; the table lookup rejects
    // them. Numbers above 547 are not syscalls at all.
    return nr < kX32CompatFirst ? nr : -1;
}

}  // namespace

const SyscallInfo* syscall_info(Arch arch, std::int64_t nr) {
    switch (arch) {
        case Arch::X86_64:
            return lookup(kX86_64, nr);
        case Arch::I386:
            return lookup(kI386, nr);
        case Arch::X32:
            return lookup(kX86_64, x32_to_native(nr));
        case Arch::Unknown:
            break;
    }
    return nullptr;
}

std::optional<int> syscall_number(Arch arch, std::string_view name) {
    switch (arch) {
        case Arch::X86_64:
        case Arch::I386:
            if (const SyscallInfo* row = syscall_info(arch, name)) {
                return syscall_number_of(arch, *row);
            }
            return std::nullopt;
        case Arch::X32: {
            // A call with an x32-specific entry point must use it: the x86_64
            // number of the same name is the 64-bit-only variant there.
            for (std::size_t i = 0; i < std::size(kX32Compat); ++i) {
                if (kX86_64[kX32Compat[i]].name == name) {
                    return static_cast<int>(kX32SyscallBit) + kX32CompatFirst + static_cast<int>(i);
                }
            }
            const SyscallInfo* native = x86_64_names().find(name);
            if (!native) return std::nullopt;
            return static_cast<int>(kX32SyscallBit) + static_cast<int>(native - kX86_64);
        }
        case Arch::Unknown:
            break;
    }
    return std::nullopt;
}

const SyscallInfo* syscall_info(Arch arch, std::string_view name) {
    switch (arch) {
        case Arch::X86_64:
        case Arch::X32:
            return x86_64_names().find(name);
        case Arch::I386:
            return i386_names().find(name);
        case Arch::Unknown:
            break;
    }
    return nullptr;
}

int syscall_number_of(Arch arch, const SyscallInfo& row) {
    switch (arch) {
        case Arch::X86_64:
            return static_cast<int>(&row - kX86_64);
        case Arch::I386:
            return static_cast<int>(&row - kI386);
        case Arch::X32:
            return syscall_number(arch, row.name).value_or(-1);
        case Arch::Unknown:
            break;
    }
    return -1;
}

const SyscallTraits& syscall_traits(const SyscallEvent& call) {
    static constexpr SyscallTraits kNone{};
    const SyscallInfo* info = syscall_info(call.arch, call.nr);
    // A known call's name is a view of its row's: the same address, so the
    // usual case is decided without reading the text.
    if (info && (info->name.data() == call.name.data() || info->name == call.name)) {
        return info->traits;
    }
    for (const NameIndex* names : {&x86_64_names(), &i386_names()}) {
        if (const SyscallInfo* named = names->find(call.name)) return named->traits;
    }
    return kNone;
}

std::vector<std::string_view> syscalls_with(std::uint32_t traits) {
    std::vector<std::string_view> names;
    for (const auto table :
         {std::span<const SyscallInfo>(kX86_64), std::span<const SyscallInfo>(kI386)}) {
        for (const SyscallInfo& info : table) {
            if (!info.name.empty() && info.traits.has(traits)) names.push_back(info.name);
        }
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

std::optional<std::uint32_t> syscall_trait_by_name(std::string_view word) {
    for (const auto& t : syscall_data::kTraitWords) {
        if (t.word == word) return t.bit;
    }
    return std::nullopt;
}

std::span<const std::string_view> syscall_trait_names() {
    static const std::vector<std::string_view> names = [] {
        std::vector<std::string_view> v;
        for (const auto& t : syscall_data::kTraitWords) v.push_back(t.word);
        return v;
    }();
    return names;
}

int syscall_table_size(Arch arch) {
    switch (arch) {
        case Arch::X86_64:
            return static_cast<int>(std::size(kX86_64));
        case Arch::I386:
            return static_cast<int>(std::size(kI386));
        case Arch::X32:
            return kX32CompatEnd;
        case Arch::Unknown:
            break;
    }
    return 0;
}

std::string_view syscall_name(Arch arch, std::int64_t nr, std::span<char> scratch) {
    if (const SyscallInfo* info = syscall_info(arch, nr)) return info->name;

    // strace prints unknown calls as syscall_%#lx of the raw number.
    char buf[kSyscallNameScratchSize];
    constexpr std::string_view kPrefix = "syscall_0x";
    std::memcpy(buf, kPrefix.data(), kPrefix.size());
    auto [end, ec] =
        std::to_chars(buf + kPrefix.size(), buf + sizeof buf, static_cast<std::uint64_t>(nr), 16);
    (void)ec;  // 16 hex digits always fit after the prefix.
    const std::size_t len =
        std::min<std::size_t>(static_cast<std::size_t>(end - buf), scratch.size());
    if (len == 0) return {};  // an empty span may have no storage at all
    std::memcpy(scratch.data(), buf, len);
    return {scratch.data(), len};
}

}  // namespace sctrace
