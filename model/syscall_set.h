// A set of syscalls, and strace's `-e trace=` expression language to build one.
#pragma once

#include <bitset>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "model/event.h"

namespace sctrace {

// Membership by x86_64 syscall number (the native table). Calls made through
// another ABI are looked up by name (see contains()). Fixed size, no
// allocation: checked on the per-syscall hot path.
//
// i386 membership is kept in a second bitset, filled by name whenever a native
// number is added, so contains(Arch::I386, nr) is one bit test too. It exists
// because i386 has calls with no x86_64 namesake (_llseek, mmap2, fstat64,
// socketcall ...): "%desc" or "all" must still cover them for a 32-bit tracee,
// and "read@32" (strace's personality suffix) names i386 alone.
class SyscallSet {
public:
    static constexpr int kCapacity = 1024;

    // Every number, known or not, in every ABI: like strace's "all", unknown
    // syscalls are included.
    static SyscallSet all();
    static SyscallSet none() { return {}; }

    // Adds (removes) the native syscall and its i386 namesake, if any.
    void add(int x86_64_nr);
    void remove(int x86_64_nr);
    bool contains_native(int x86_64_nr) const {
        return x86_64_nr >= 0 && x86_64_nr < kCapacity && bits_.test(x86_64_nr);
    }
    // Any ABI: i386/x32 numbers are mapped by name to the native table.
    // (i386 through the second bitset; x32 numbers, with or without the x32
    // bit, through the x86_64 table.) Arch::Unknown: false.
    bool contains(Arch arch, long nr) const;
    bool empty() const { return bits_.none() && i386_bits_.none(); }
    // The number of native members (unknown numbers included, see all()).
    std::size_t size() const { return bits_.count(); }
    SyscallSet& operator|=(const SyscallSet& other) {
        bits_ |= other.bits_;
        i386_bits_ |= other.i386_bits_;
        return *this;
    }
    bool operator==(const SyscallSet&) const = default;

    // The members' names, in number order (for libseccomp and for messages).
    // Only known syscalls have names: numbers without one are left out.
    std::vector<std::string_view> names() const;
    // The same for one ABI's table (X32 shares the native names).
    std::vector<std::string_view> names(Arch arch) const;

private:
    friend SyscallSet parse_trace_expression(std::string_view expression);

    std::bitset<kCapacity> bits_;
    std::bitset<kCapacity> i386_bits_;
};

// What a live run also stops at to follow io_uring rings when `traced` holds
// io_uring_setup or io_uring_enter: the calls that create, map, alias and
// drop a ring, and the last stops of a process (the ring_tracked rows of
// model/syscall_traits.in). Empty when `traced` holds neither.
SyscallSet ring_followers(const SyscallSet& traced);

// A syntax or name error in a -e trace= expression; what() names the token.
class TraceExpressionError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Parses strace's -e trace= syntax (the part after "trace="):
//   names and classes, comma separated:  connect,socket,%net,%desc
//   all / none; a leading '!' negates the whole set: !%memory,close
//   a leading '?' on an item ignores it if unknown: ?nosuchcall
//   /REGEX matches names (std::regex, ECMAScript, search semantics)
//   classes: %file %desc %net %network %process %signal %ipc %memory %creds
//            %clock %stat %lstat %fstat %%stat %statfs %fstatfs %%statfs %pure
// As strace 6.1 also accepts: syscall numbers (decimal, in every ABI whose
// table reaches that far), the legacy class names without '%' (file, desc,
// memory, process, signal, ipc, network), "all" as an item of a list, empty
// items (skipped), and an "@64" or "@32" suffix on an item to restrict it to
// the x86_64 or the i386 ABI ("@x32" is refused: x32 shares the native set).
// Throws TraceExpressionError naming the offending item, in strace's words:
// "invalid system call 'conect'".
SyscallSet parse_trace_expression(std::string_view expression);

}  // namespace sctrace
