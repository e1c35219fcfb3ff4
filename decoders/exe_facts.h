// Facts about an executable, read from its ELF file at exec time: is it
// static, which interpreter does it name, is it built on glibc. Rules such
// as static-glibc-nss need them (a static glibc binary that loads NSS
// modules), and they cost one file read per exec, not per syscall.
#pragma once

#include <string>

namespace sctrace {

struct ExeFacts {
    bool readable = false;    // an ELF file that libelf could parse
    bool is_static = false;   // no PT_INTERP: nothing loads libraries for it
    bool is_pie = false;      // ET_DYN
    std::string interpreter;  // PT_INTERP's path, "" when static
    bool glibc = false;       // built against GNU libc (see glibc_evidence)
    // What showed glibc: "libc.so.6" (DT_NEEDED), "GLIBC_" (symbol
    // versions), "ld-linux" (the interpreter); for static programs a glibc
    // section name ("__libc_freeres_fn" ...), "GLIBC_TUNABLES" or
    // "GNU C Library" in .rodata. Empty when not glibc.
    std::string glibc_evidence;
    std::string error;  // why readable is false
};

// Reads `path`'s ELF headers (and, for static files, its section names and
// read-only data). Never throws; a non-ELF file gives readable == false.
// Allocates (the strings): call it once per exec, not per syscall.
ExeFacts read_exe_facts(const char* path);

}  // namespace sctrace
