// Constant tables ("xlat", after strace's name): value <-> name for flags and
// enumerations, generated at build time from the data files in xlat/*.in.
//
// Each xlat/NAME.in becomes `xlat::NAME`, an XlatTable. The .in format:
//
//   # comment
//   #kind flags          (or: #kind enum)
//   O_APPEND 02000       NAME VALUE, VALUE any C++ constant expression
//   1<<CAP_CHOWN 0x1     a NAME may start with "1<<": a bit named by its
//                        number, as strace prints capability sets
//
// Order matters for flags: strace prints the names in table order, so keep
// each file in the order strace 6.1 prints them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace sctrace {

struct XlatEntry {
    std::uint64_t value;
    std::string_view name;
};

struct XlatTable {
    enum class Kind : std::uint8_t { Flags, Enum };
    std::string_view name;  // the .in file's stem, for messages
    Kind kind;
    std::span<const XlatEntry> entries;

    // The name of an exact value, if the table has one.
    std::optional<std::string_view> name_of(std::uint64_t value) const {
        for (const XlatEntry& e : entries) {
            if (e.value == value) return e.name;
        }
        return std::nullopt;
    }
    // The value of a name (for rules and tests).
    std::optional<std::uint64_t> value_of(std::string_view wanted) const {
        for (const XlatEntry& e : entries) {
            if (e.name == wanted) return e.value;
        }
        return std::nullopt;
    }
};

}  // namespace sctrace
