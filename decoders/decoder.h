// Syscall decoders: from a call's raw registers and the tracee's memory to an
// ArgTree (what strace would print) and typed facts (what rules read).
//
// One file per family (net.cpp, desc.cpp, poll.cpp, futex.cpp, io_uring.cpp,
// signal.cpp, process.cpp, file.cpp, stat.cpp, mem.cpp, time.cpp,
// resource.cpp, creds.cpp, prctl.cpp, ioctl.cpp), each exporting a table
// of SyscallDecoder. A
// decoder has two halves, as strace's do: `entry` adds the arguments known
// when the call starts (what an "<unfinished ...>" line shows), `exit` adds
// the rest once the result is known (buffers filled by the kernel, the
// decoded return value). Either may be null.
//
// Decoders read memory only through DecodeContext, which reads from a live
// tracee, or in tests from a fake address space: no decoder knows which.
// The shapes strace prints everywhere are decoders/shapes.h.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "model/arg_tree.h"
#include "model/event.h"

namespace sctrace {

// What strace's --decode-fds (-yy) describes of a descriptor beyond its
// path, as bits: the kinds of descriptors asked for.
enum FdDetail : unsigned {
    kFdDetailSocket = 1,  // a socket's protocol and endpoints: "TCP:[1.2.3.4:5->6.7.8.9:10]"
    kFdDetailDevice = 2,  // a device's numbers: "/dev/null<char 1:3>"
    kFdDetailPidfd = 4,   // a pidfd's process: "pid:4711"
};

// strace's -e read=SET / -e write=SET: the descriptors whose data is
// dumped. strace's number sets: listed ones, or with `inverted` every one
// but them ("!3", "all").
struct DescriptorSet {
    std::vector<int> fds;  // sorted
    bool inverted = false;

    bool contains(int fd) const;
    bool empty() const { return fds.empty() && !inverted; }
};

struct DecodeOptions {
    // strace's -s: the most bytes of a string or buffer shown (default 32).
    std::size_t string_limit = 32;
    // Arrays show at most string_limit elements; not with -v.
    bool abbreviate = true;
    // -y (and -P): fds carry the path they name ("3</dev/null>").
    bool fd_paths = false;
    // -yy: FdDetail bits; an fd they describe carries that description
    // instead of its path.
    unsigned fd_details = 0;
    // -P: the descriptors a call names but strace does not print (past -s)
    // are kept for matching (ArgTree::unshown_fds).
    bool match_paths = false;
    // -e read=, -e write=: whose data is dumped (ArgTree::dump).
    DescriptorSet dump_reads;
    DescriptorSet dump_writes;
    // --decode-pids=pidns: a process id the tracee's namespace numbers
    // differently carries sctrace's number for it ("2 /* 4711 in strace's
    // PID NS */").
    bool pidns_translation = false;
};

// What a process id names, as the kernel's namespaces keep them apart.
enum class PidKind : std::uint8_t { Tid, Tgid, Pgid, Sid };

// Where a decoder reads the tracee's memory from. Live: process_vm_readv.
// Tests: a map of fake addresses.
class MemoryReader {
public:
    virtual ~MemoryReader() = default;
    // Copies up to out.size() bytes at addr; returns how many were readable.
    virtual std::size_t read(std::uint64_t addr, std::span<char> out) = 0;
    // What the process's descriptor `fd` names, as readlink of
    // /proc/PID/fd/FD says it ("/dev/null", "socket:[4711]"), into `out`;
    // its length, 0 when unknown.
    virtual std::size_t fd_path(int fd, std::span<char> out) {
        (void)fd;
        (void)out;
        return 0;
    }
    // The id `pid` (of `kind`, as the tracee numbers it) has in sctrace's
    // pid namespace; 0 when there is no such process or it is unknown.
    virtual pid_t pid_in_tracer_namespace(pid_t pid, PidKind kind) {
        (void)kind;
        return pid;
    }
    // What -yy says of `fd` beyond `path` (what fd_path read), for the
    // FdDetail `kinds` asked: a socket's endpoints, a device's numbers
    // ("char 1:3", shown after its path), a pidfd's process. Writes the
    // text into `out` and its kind into `decoration`; returns its length,
    // 0 when none of the kinds applies (then the path is shown).
    virtual std::size_t fd_details(int fd, std::string_view path, unsigned kinds,
                                   std::span<char> out, FdDecoration& decoration) {
        (void)fd;
        (void)path;
        (void)kinds;
        (void)out;
        (void)decoration;
        return 0;
    }
    // The process's working directory, as readlink of /proc/PID/cwd says
    // it (-y shows it after AT_FDCWD); its length, 0 when unknown.
    virtual std::size_t cwd_path(std::span<char> out) {
        (void)out;
        return 0;
    }
    // The name of the thread's previous call, which a restart_syscall
    // resumes ("nanosleep"); empty when unknown. Must outlive the decoding.
    virtual std::string_view previous_syscall() { return {}; }
};

// An fd's decoration as a decoder stores it (see FdDecoration).
struct FdText {
    std::string_view text;  // empty: none
    FdDecoration decoration = FdDecoration::Path;
};

class DecodeContext {
public:
    DecodeContext(const SyscallEvent& call, ArgTree& tree, MemoryReader& memory,
                  const DecodeOptions& options, bool exiting)
        : call_(call), tree_(tree), memory_(memory), options_(options), exiting_(exiting) {}

    const SyscallEvent& call() const { return call_; }
    std::uint64_t arg(int i) const { return call_.args[static_cast<std::size_t>(i)]; }
    // The argument as the C int the kernel sees (fds, lengths, ops).
    int iarg(int i) const { return static_cast<int>(arg(i)); }
    Arch arch() const { return call_.arch; }
    bool exiting() const { return exiting_; }
    // At exit: did the call succeed? (ret and err are set only then)
    bool failed() const { return call_.err != 0; }
    std::int64_t ret() const { return call_.ret; }

    ArgTree& tree() { return tree_; }
    NodeId root() const { return tree_.root(); }
    const DecodeOptions& options() const { return options_; }
    // How many elements of an array are shown: -s of them, all with -v.
    std::uint64_t array_limit() const {
        return options_.abbreviate ? options_.string_limit : ~std::uint64_t{0};
    }

    // Reads exactly sizeof(T) bytes; false when not all were readable, and
    // at the exit of a failed call, where strace shows only the address (a
    // failed call wrote nothing worth showing there).
    template <typename T>
    bool read_struct(std::uint64_t addr, T& out) {
        return !(exiting_ && failed()) && read_value(addr, out);
    }
    // Reads exactly sizeof(T) bytes whatever the call's outcome: strace's
    // printnum shows an int pointer's value even after a failed call.
    template <typename T>
    bool read_value(std::uint64_t addr, T& out) {
        return addr != 0 &&
               memory_.read(addr, {reinterpret_cast<char*>(&out), sizeof(T)}) == sizeof(T);
    }
    std::size_t read(std::uint64_t addr, std::span<char> out) {
        return addr ? memory_.read(addr, out) : 0;
    }
    // What `fd` names, stored in the tree (-y, -yy, -P); empty when
    // unknown or not asked.
    FdText fd_text(int fd);
    // sctrace's number for the tracee's process id `pid`, stored in the tree
    // when --decode-pids=pidns asks and it differs; empty otherwise.
    std::string_view pid_in_tracer_namespace(std::int64_t pid, PidKind kind);
    // The working directory, stored in the tree (-y); empty when unknown or
    // not asked.
    std::string_view cwd_path();
    // The call a restart_syscall resumes; empty when unknown.
    std::string_view previous_syscall() { return memory_.previous_syscall(); }

private:
    const SyscallEvent& call_;
    ArgTree& tree_;
    MemoryReader& memory_;
    const DecodeOptions& options_;
    bool exiting_;
};

using DecodeFn = void (*)(DecodeContext& ctx);

struct SyscallDecoder {
    std::string_view name;  // as in the syscall tables: "connect"
    DecodeFn entry = nullptr;
    DecodeFn exit = nullptr;
};

// The decoders of each family (defined in their files).
std::span<const SyscallDecoder> net_decoders();
std::span<const SyscallDecoder> desc_decoders();
std::span<const SyscallDecoder> poll_decoders();
std::span<const SyscallDecoder> futex_decoders();
std::span<const SyscallDecoder> io_uring_decoders();
std::span<const SyscallDecoder> signal_decoders();
std::span<const SyscallDecoder> process_decoders();
std::span<const SyscallDecoder> file_decoders();
std::span<const SyscallDecoder> stat_decoders();
std::span<const SyscallDecoder> mem_decoders();
std::span<const SyscallDecoder> time_decoders();
std::span<const SyscallDecoder> resource_decoders();
std::span<const SyscallDecoder> creds_decoders();
std::span<const SyscallDecoder> prctl_decoders();
std::span<const SyscallDecoder> ioctl_decoders();

// The decoder for a syscall, or nullptr when none is specific to it (then
// the default prints each argument as strace's printargs does: hex). O(1).
const SyscallDecoder* find_decoder(Arch arch, std::int64_t nr);

// Runs the entry (or exit) half for `call` into `tree`. The entry half
// clears the tree first; a missing decoder falls back to raw arguments.
void decode_entry(const SyscallEvent& call, ArgTree& tree, MemoryReader& memory,
                  const DecodeOptions& options);
void decode_exit(const SyscallEvent& call, ArgTree& tree, MemoryReader& memory,
                 const DecodeOptions& options);

// -e read=SET / -e write=SET (decoders/io_dump.cpp): at a call's exit, the
// data it read from or wrote to a descriptor of the sets, into the tree's
// dump, as strace 6.1 dumps it; decode_exit calls it when a set is given.
void add_io_dump(const SyscallEvent& call, ArgTree& tree, MemoryReader& memory,
                 const DecodeOptions& options);

}  // namespace sctrace
