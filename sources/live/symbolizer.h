// Turning a tracee's code address into frames a person reads: module path and
// offset, function+offset from the ELF symbol tables, source file:line and the
// chain of inlined calls from DWARF. Built on elfutils' libdwfl, which already
// knows how to map /proc/PID/maps to modules, find separate debug files by
// build-id or debuglink, and look scopes up by address.
//
// Two levels of caching. Per process, until forget_process(): a Dwfl built
// from /proc/PID/maps, which says which file covers an address and at which
// load bias. Per file (by build-id), for the whole session: a Dwfl holding that
// file alone, where libdwfl parses its symbol table and DWARF lazily, once,
// plus the frames already described for each address. A second stack of the
// same program, in the same or another process, costs map lookups. Not
// thread-safe: used on the tracer's thread.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/stack_frame.h"

struct Dwfl;
struct Dwfl_Module;

namespace sctrace {

// What the caches did, for tests and benchmarks.
struct SymbolizerStats {
    std::size_t processes_reported = 0;  // Dwfl sessions built from /proc/PID/maps
    std::size_t maps_rereads = 0;        // refreshes after an address outside every module
    std::size_t modules_loaded = 0;      // ELF files whose symbols/DWARF were opened
    std::size_t frame_cache_hits = 0;    // addresses described before, in any process
};

class Symbolizer {
public:
    Symbolizer();
    ~Symbolizer();
    Symbolizer(const Symbolizer&) = delete;
    Symbolizer& operator=(const Symbolizer&) = delete;

    // Appends the frames for `pc` in process `pid` to `out`: the innermost
    // inlined function first (inlined = true), the real function last. One
    // frame when there is no DWARF. `return_address` (every frame but the
    // first): pc is where a call returns to, so the lookups use pc - 1, which
    // is still inside the call's line and function. The frames keep pc.
    void symbolize(pid_t pid, std::uint64_t pc, bool return_address, std::vector<StackFrame>& out);

    // exec or exit: the process's mappings are gone or different. What was
    // learnt about the files it mapped stays, for the next process.
    void forget_process(pid_t pid);

    const SymbolizerStats& stats() const { return stats_; }

private:
    struct DwflDeleter {
        void operator()(Dwfl* dwfl) const;
    };
    using DwflPtr = std::unique_ptr<Dwfl, DwflDeleter>;

    // One ELF file (by build-id), opened on its own and shared by every
    // process that maps it: symbols and DWARF are parsed once per file, not
    // once per process, which matters for fork-heavy workloads (a libc with
    // debug info costs ~0.2 s to load). Addresses are the file's own
    // (link-time) addresses.
    struct FileSymbols {
        DwflPtr dwfl;
        Dwfl_Module* module = nullptr;
        std::uint64_t bias = 0;  // link-time address + bias = address in `dwfl`
        // Described addresses: (link-time address << 1 | return_address).
        std::unordered_map<std::uint64_t, std::vector<StackFrame>> frames;
    };
    // How a module of a process maps onto a FileSymbols.
    struct Placement {
        FileSymbols* file = nullptr;  // null: no build-id or no file; use the module itself
        std::uint64_t bias = 0;       // address in the process - link-time address
    };
    struct Process {
        DwflPtr dwfl;
        std::map<const Dwfl_Module*, Placement> placements;
        std::set<std::uint64_t> unmapped_pages;  // re-read maps already, still no module
    };

    Process* process(pid_t pid);
    Dwfl_Module* module_at(pid_t pid, Process& proc, std::uint64_t addr);
    Placement place(Process& proc, Dwfl_Module* module);

    std::map<pid_t, Process> processes_;
    std::map<std::string, std::unique_ptr<FileSymbols>> files_;  // by build-id (hex)
    SymbolizerStats stats_;
};

}  // namespace sctrace
