// User-space stack traces of a traced thread: "which thread, in which call, on
// which line".
//
// libunwind's ptrace unwinder walks the stack remotely with the modules' DWARF
// CFI (.eh_frame), so it needs no frame pointers; the Symbolizer (libdwfl)
// names each pc, with file:line and inlined calls when DWARF is present.
//
// Caches, all per process and dropped by forget_process(): one libunwind
// address space with UNW_CACHE_GLOBAL (a pc seen before costs no new CFI
// lookup) and one Dwfl (each module's ELF, symbols and DWARF parsed once).
// Memory reads go through process_vm_readv in small cached blocks rather than
// one PTRACE_PEEKDATA per word.
//
// Not thread-safe: one per tracing session, used on the tracer's thread, the
// only thread allowed to make ptrace requests for its tracees.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "model/stack_frame.h"
#include "sources/live/symbolizer.h"

namespace sctrace {

// What the caches did, for tests and benchmarks.
struct UnwinderStats {
    std::size_t unwinds = 0;
    std::size_t address_spaces_created = 0;  // libunwind address spaces (one per process)
    std::size_t memory_block_reads = 0;      // process_vm_readv calls for stack/CFI reads
    SymbolizerStats symbols;
};

class Unwinder {
public:
    Unwinder();
    ~Unwinder();
    Unwinder(const Unwinder&) = delete;
    Unwinder& operator=(const Unwinder&) = delete;

    // The stack of thread `tid` of process `pid` (its thread group id),
    // innermost frame first; inlined calls are frames of their own, marked
    // inlined, before the frame they were inlined into.
    //
    // `tid` must be in a ptrace-stop of the calling thread (syscall, signal-
    // delivery, group or PTRACE_EVENT stop), and stay stopped for the call.
    // Never throws: on failure returns the frames found so far and sets *note
    // (if given) to why it stopped early; *note is cleared on a complete
    // stack. At most max_frames frames are returned.
    std::vector<StackFrame> unwind(pid_t pid, pid_t tid, std::size_t max_frames = 64,
                                   std::string* note = nullptr);

    // exec or exit of `pid`: its mappings changed, drop what was cached.
    void forget_process(pid_t pid);

    UnwinderStats stats() const;

    struct AddressSpace;  // libunwind's per-process state (unwinder.cpp)
    struct RemoteMemory;  // the block cache behind access_mem (unwinder.cpp)

private:
    AddressSpace* address_space(pid_t pid);

    std::map<pid_t, std::unique_ptr<AddressSpace>> spaces_;
    std::unique_ptr<RemoteMemory> memory_;
    Symbolizer symbolizer_;
    UnwinderStats stats_;
};
// format_frame() is in model/stack_frame.h.

}  // namespace sctrace
