// Numbers read from text that an untrusted source wrote (strace logs, event
// logs): the whole text or nothing.
#pragma once

#include <limits>
#include <string_view>
#include <type_traits>

namespace sctrace {

// The whole of `text` as a number, with std::from_chars's rules (a '-' for
// signed types only, no '+', no spaces, overflow fails, `out` untouched on
// failure). Hand-rolled: from_chars's general path cost 8% of parsing, on
// numbers that are mostly a few digits long.
template <typename T>
bool to_number(std::string_view text, T& out, int base = 10) {
    using U = std::make_unsigned_t<T>;
    const char* p = text.data();
    const char* const end = p + text.size();
    bool negative = false;
    if constexpr (std::is_signed_v<T>) {
        if (p != end && *p == '-') {
            negative = true;
            ++p;
        }
    }
    if (p == end) return false;
    U value = 0;
    if (base == 10 && end - p <= std::numeric_limits<U>::digits10) {
        // No overflow possible with this few digits: no checks in the chain.
        for (; p != end; ++p) {
            const auto digit = static_cast<unsigned>(*p - '0');
            if (digit > 9) return false;
            value = value * 10 + digit;
        }
    }
    for (; p != end; ++p) {
        unsigned digit;
        if (*p >= '0' && *p <= '9') {
            digit = static_cast<unsigned>(*p - '0');
        } else if (const char lower = static_cast<char>(*p | 0x20); lower >= 'a' && lower <= 'z') {
            digit = static_cast<unsigned>(lower - 'a' + 10);
        } else {
            return false;
        }
        if (digit >= static_cast<unsigned>(base)) return false;
        if (__builtin_mul_overflow(value, static_cast<U>(base), &value) ||
            __builtin_add_overflow(value, static_cast<U>(digit), &value)) {
            return false;
        }
    }
    if constexpr (std::is_signed_v<T>) {
        const U limit = static_cast<U>(std::numeric_limits<T>::max()) + (negative ? 1 : 0);
        if (value > limit) return false;
        out = static_cast<T>(negative ? U{0} - value : value);  // modular since C++20
    } else {
        out = value;
    }
    return true;
}

}  // namespace sctrace
