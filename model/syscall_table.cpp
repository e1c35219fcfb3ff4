// Lookups over the generated syscall tables (see gen_syscall_table.cmake).
#include "model/syscall_table.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <span>

#include "model/syscall_table_data.h"

namespace sctrace {

namespace {

using syscall_data::kI386;
using syscall_data::kI386ByName;
using syscall_data::kX32Compat;
using syscall_data::kX32CompatFirst;
using syscall_data::kX86_64;
using syscall_data::kX86_64ByName;

constexpr int kX32CompatEnd = kX32CompatFirst + static_cast<int>(std::size(kX32Compat));

// The by-name indexes are sorted by the generator (CMake's string sort); check
// here, at compile time, that the order is the one std::lower_bound relies on.
constexpr bool sorted_by_name(std::span<const SyscallInfo> table,
                              std::span<const std::uint16_t> by_name) {
    for (std::size_t i = 1; i < by_name.size(); ++i) {
        if (!(table[by_name[i - 1]].name < table[by_name[i]].name)) return false;
    }
    return true;
}
static_assert(sorted_by_name(kX86_64, kX86_64ByName));
static_assert(sorted_by_name(kI386, kI386ByName));

const SyscallInfo* lookup(std::span<const SyscallInfo> table, std::int64_t nr) {
    if (nr < 0 || nr >= static_cast<std::int64_t>(table.size())) return nullptr;
    const SyscallInfo& info = table[static_cast<std::size_t>(nr)];
    return info.name.empty() ? nullptr : &info;
}

std::optional<int> find_by_name(std::span<const SyscallInfo> table,
                                std::span<const std::uint16_t> by_name, std::string_view name) {
    auto it = std::lower_bound(
        by_name.begin(), by_name.end(), name,
        [&](std::uint16_t nr, std::string_view key) { return table[nr].name < key; });
    if (it == by_name.end() || table[*it].name != name) return std::nullopt;
    return *it;
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
            return find_by_name(kX86_64, kX86_64ByName, name);
        case Arch::I386:
            return find_by_name(kI386, kI386ByName, name);
        case Arch::X32: {
            // A call with an x32-specific entry point must use it: the x86_64
            // number of the same name is the 64-bit-only variant there.
            for (std::size_t i = 0; i < std::size(kX32Compat); ++i) {
                if (kX86_64[kX32Compat[i]].name == name) {
                    return static_cast<int>(kX32SyscallBit) + kX32CompatFirst + static_cast<int>(i);
                }
            }
            auto native = find_by_name(kX86_64, kX86_64ByName, name);
            if (!native) return std::nullopt;
            return static_cast<int>(kX32SyscallBit) + *native;
        }
        case Arch::Unknown:
            break;
    }
    return std::nullopt;
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
