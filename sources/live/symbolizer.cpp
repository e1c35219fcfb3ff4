#include "sources/live/symbolizer.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iterator>

namespace sctrace {

namespace {

// libdwfl's own Linux helpers: module files are opened by the paths
// /proc/PID/maps names (or from the tracee's memory for the vDSO); separate
// debug files are looked up by build-id and .gnu_debuglink under
// /usr/lib/debug. libdw consults debuginfod only when the user has set
// DEBUGINFOD_URLS. Constant, so it is not mutable global state; libdwfl keeps
// a pointer to it for the Dwfl's lifetime.
const Dwfl_Callbacks kProcCallbacks = {
    .find_elf = dwfl_linux_proc_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = nullptr,
    .debuginfo_path = nullptr,
};

// Bounds the set of "no module here" pages (JIT code, anonymous memory), so
// that a JIT-heavy tracee cannot grow it without limit.
constexpr std::size_t kMaxUnmappedPages = 4096;

// The name a person knows a DWARF function by: the linkage name where there
// is one (so that it matches the ELF symbol strace -k prints), else DW_AT_name.
// Both follow DW_AT_abstract_origin, which is where an inlined instance keeps
// them.
const char* die_function_name(Dwarf_Die* die) {
    Dwarf_Attribute attr;
    if (const char* name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr)))
        return name;
    if (const char* name =
            dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr)))
        return name;
    return dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
}

// A source file as a path of its own: DWARF names files relative to the
// compile directory ("../samples/x.c" from build/samples), which says
// nothing to a reader elsewhere, nor to a report that matches repository
// paths.
std::string source_path(const char* name, const char* comp_dir) {
    std::filesystem::path path(name);
    if (path.is_relative() && comp_dir && *comp_dir) path = std::filesystem::path(comp_dir) / path;
    return path.lexically_normal().string();
}

const char* comp_dir_of(Dwarf_Die* cu) {
    Dwarf_Attribute attr;
    return cu ? dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &attr)) : nullptr;
}

// Where an inlined instance was called from: DW_AT_call_file/DW_AT_call_line.
void call_site(Dwarf_Die* inlined, Dwarf_Files* files, const char* comp_dir, std::string& file,
               int& line) {
    Dwarf_Attribute attr;
    Dwarf_Word value = 0;
    file.clear();
    line = 0;
    if (files && dwarf_formudata(dwarf_attr(inlined, DW_AT_call_file, &attr), &value) == 0) {
        if (const char* name = dwarf_filesrc(files, value, nullptr, nullptr)) {
            file = source_path(name, comp_dir);
        }
    }
    if (dwarf_formudata(dwarf_attr(inlined, DW_AT_call_line, &attr), &value) == 0)
        line = static_cast<int>(value);
}

// strace -k's name for `addr` of `module`: libunwind's, the nearest
// STT_FUNC symbol at or below it in the main file's .symtab and .dynsym, in
// section and table order (the first of equal ones wins). Sets `frame`'s
// elf_symbol and elf_symbol_offset.
void name_as_libunwind(Dwfl_Module* module, Dwarf_Addr addr, bool return_address,
                       StackFrame& frame) {
    GElf_Addr bias = 0;
    Elf* elf = dwfl_module_getelf(module, &bias);
    if (!elf) return;
    const std::uint64_t link_addr = addr - bias;
    std::uint64_t best = ~std::uint64_t{0};
    const char* name = nullptr;
    for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
        GElf_Shdr shdr;
        if (!gelf_getshdr(scn, &shdr) ||
            (shdr.sh_type != SHT_SYMTAB && shdr.sh_type != SHT_DYNSYM) || shdr.sh_entsize == 0) {
            continue;
        }
        Elf_Data* data = elf_getdata(scn, nullptr);
        if (!data) continue;
        const std::size_t count = shdr.sh_size / shdr.sh_entsize;
        for (std::size_t i = 0; i < count; ++i) {
            GElf_Sym sym;
            if (!gelf_getsym(data, static_cast<int>(i), &sym)) break;
            if (GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF) continue;
            const std::uint64_t distance = link_addr - sym.st_value;
            if (distance < best) {
                best = distance;
                name = elf_strptr(elf, shdr.sh_link, sym.st_name);
            }
        }
    }
    if (!name) return;
    frame.elf_symbol = name;
    frame.elf_symbol_offset = best + (return_address ? 1 : 0);
}

// The frames for link-time address `addr` of `module` (already offset into
// the module's Dwfl): function+offset from the ELF symbol tables, then the
// source position and the inlined calls around it from DWARF, innermost
// first. `return_address` only adjusts function_offset back to the real pc.
std::vector<StackFrame> describe(Dwfl_Module* module, Dwarf_Addr addr, bool return_address) {
    std::vector<StackFrame> frames;
    StackFrame outer;
    GElf_Off sym_offset = 0;
    GElf_Sym sym;
    if (const char* name =
            dwfl_module_addrinfo(module, addr, &sym_offset, &sym, nullptr, nullptr, nullptr)) {
        // Without the symbol version ("__libc_start_main@@GLIBC_2.34"): a C
        // name has no '@', and people and rules know the plain name.
        outer.function.assign(name, std::strcspn(name, "@"));
        outer.function_offset = sym_offset + (return_address ? 1 : 0);
    }

    // The source position of addr itself, then one frame per inlined call
    // around it, each positioned at its call site in the next one out.
    std::string file;
    int line = 0;
    if (Dwfl_Line* src = dwfl_module_getsrc(module, addr)) {
        int l = 0;
        if (const char* name = dwfl_lineinfo(src, nullptr, &l, nullptr, nullptr, nullptr)) {
            file = source_path(name, dwfl_line_comp_dir(src));
            line = l;
        }
    }

    Dwarf_Addr bias = 0;
    Dwarf_Die* cu = dwfl_module_addrdie(module, addr, &bias);
    Dwarf_Die* scopes = nullptr;
    const int nscopes = cu ? dwarf_getscopes(cu, addr - bias, &scopes) : 0;
    if (nscopes > 0) {
        // dwarf_getscopes() may continue through abstract origins; the chain
        // of concrete DIEs (inlined instance -> ... -> subprogram) comes from
        // dwarf_getscopes_die() on the innermost scope, as eu-addr2line -i
        // does it.
        Dwarf_Die innermost = scopes[0];
        std::free(scopes);
        scopes = nullptr;
        const int nchain = dwarf_getscopes_die(&innermost, &scopes);
        Dwarf_Files* files = nullptr;
        if (dwarf_getsrcfiles(cu, &files, nullptr) != 0) files = nullptr;
        for (int i = 0; i < nchain; ++i) {
            Dwarf_Die* die = &scopes[i];
            const int tag = dwarf_tag(die);
            if (tag == DW_TAG_inlined_subroutine) {
                StackFrame frame;
                if (const char* name = die_function_name(die)) frame.function = name;
                frame.file = file;
                frame.line = line;
                frame.inlined = true;
                frames.push_back(std::move(frame));
                call_site(die, files, comp_dir_of(cu), file, line);
            } else if (tag == DW_TAG_subprogram) {
                if (outer.function.empty()) {
                    if (const char* name = die_function_name(die)) outer.function = name;
                }
                break;
            }
        }
    }
    std::free(scopes);
    name_as_libunwind(module, addr, return_address, outer);
    outer.file = std::move(file);
    outer.line = line;
    frames.push_back(std::move(outer));
    return frames;
}

std::string hex(const unsigned char* bytes, int length) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * static_cast<std::size_t>(length));
    for (int i = 0; i < length; ++i) {
        out += kDigits[bytes[i] >> 4];
        out += kDigits[bytes[i] & 0xf];
    }
    return out;
}

// Where address `pc` of the process lies in `module`'s file: the loadable
// segment covering it, as the kernel mapped it (the segment's file offset plus
// pc's distance from the segment's start). pc - load address when the
// program headers cannot be read or no segment covers pc.
std::uint64_t file_offset_of(Dwfl_Module* module, std::uint64_t pc) {
    GElf_Addr bias = 0;
    Dwarf_Addr start = 0;
    dwfl_module_info(module, nullptr, &start, nullptr, nullptr, nullptr, nullptr, nullptr);
    Elf* elf = dwfl_module_getelf(module, &bias);
    std::size_t count = 0;
    if (elf && elf_getphdrnum(elf, &count) == 0) {
        const std::uint64_t vaddr = pc - bias;
        for (std::size_t i = 0; i < count; ++i) {
            GElf_Phdr phdr;
            if (!gelf_getphdr(elf, static_cast<int>(i), &phdr) || phdr.p_type != PT_LOAD) continue;
            if (vaddr >= phdr.p_vaddr && vaddr - phdr.p_vaddr < phdr.p_memsz) {
                return vaddr - phdr.p_vaddr + phdr.p_offset;
            }
        }
    }
    return pc - start;
}

// Bounds the per-file memory of described addresses (a long session with a
// JIT or deep recursion); dropping it only costs a new description.
constexpr std::size_t kMaxFramesPerFile = 16384;

}  // namespace

void Symbolizer::DwflDeleter::operator()(Dwfl* dwfl) const {
    dwfl_end(dwfl);
}

Symbolizer::Symbolizer() = default;
Symbolizer::~Symbolizer() = default;

void Symbolizer::forget_process(pid_t pid) {
    processes_.erase(pid);
}

Symbolizer::Process* Symbolizer::process(pid_t pid) {
    if (auto it = processes_.find(pid); it != processes_.end()) return &it->second;
    DwflPtr dwfl(dwfl_begin(&kProcCallbacks));
    if (!dwfl) return nullptr;
    dwfl_report_begin(dwfl.get());
    const int rc = dwfl_linux_proc_report(dwfl.get(), pid);
    dwfl_report_end(dwfl.get(), nullptr, nullptr);
    // Not cached on failure: the process is gone or unreadable, and a later
    // call for a reused pid must not see an empty module list.
    if (rc != 0) return nullptr;
    ++stats_.processes_reported;
    Process proc;
    proc.dwfl = std::move(dwfl);
    return &processes_.emplace(pid, std::move(proc)).first->second;
}

Dwfl_Module* Symbolizer::module_at(pid_t pid, Process& proc, std::uint64_t addr) {
    if (Dwfl_Module* mod = dwfl_addrmodule(proc.dwfl.get(), addr)) return mod;
    // Nothing covers addr: a library dlopen'ed since the maps were read, or
    // code outside any file (JIT). Re-read the maps once per such page;
    // libdwfl keeps the modules that are still mapped.
    const std::uint64_t page = addr >> 12;
    if (proc.unmapped_pages.contains(page)) return nullptr;
    ++stats_.maps_rereads;
    dwfl_report_begin(proc.dwfl.get());
    dwfl_linux_proc_report(proc.dwfl.get(), pid);
    dwfl_report_end(proc.dwfl.get(), nullptr, nullptr);
    // Modules that went away were freed, and a new one may sit at the same
    // address: placements are cheap to redo, stale ones would be wrong.
    proc.placements.clear();
    Dwfl_Module* mod = dwfl_addrmodule(proc.dwfl.get(), addr);
    if (!mod) {
        if (proc.unmapped_pages.size() >= kMaxUnmappedPages) proc.unmapped_pages.clear();
        proc.unmapped_pages.insert(page);
    }
    return mod;
}

Symbolizer::Placement Symbolizer::place(Process& proc, Dwfl_Module* module) {
    if (auto it = proc.placements.find(module); it != proc.placements.end()) return it->second;
    Placement placement;
    // Opening the main ELF (not its debug info) is cheap and gives the load
    // bias and the build-id.
    GElf_Addr bias = 0;
    const char* mainfile = nullptr;
    if (dwfl_module_getelf(module, &bias)) {
        placement.bias = bias;
        dwfl_module_info(module, nullptr, nullptr, nullptr, nullptr, nullptr, &mainfile, nullptr);
    }
    const unsigned char* id = nullptr;
    GElf_Addr id_vaddr = 0;
    const int id_length = mainfile ? dwfl_module_build_id(module, &id, &id_vaddr) : 0;
    // Shared only when the file has a build-id (so that "the same file" is
    // certain) and a path we can open again (not the vDSO).
    if (id_length > 0 && mainfile[0] == '/') {
        const std::string key = hex(id, id_length);
        auto it = files_.find(key);
        if (it == files_.end()) {
            auto file = std::make_unique<FileSymbols>();
            file->dwfl.reset(dwfl_begin(&kProcCallbacks));
            if (file->dwfl) {
                dwfl_report_begin(file->dwfl.get());
                const char* name = dwfl_module_info(module, nullptr, nullptr, nullptr, nullptr,
                                                    nullptr, nullptr, nullptr);
                // Base 0: the module's addresses are the file's own.
                file->module = dwfl_report_elf(file->dwfl.get(), name, mainfile, -1, 0, false);
                dwfl_report_end(file->dwfl.get(), nullptr, nullptr);
            }
            GElf_Addr file_bias = 0;
            const unsigned char* file_id = nullptr;
            if (file->module && dwfl_module_getelf(file->module, &file_bias) &&
                dwfl_module_build_id(file->module, &file_id, &id_vaddr) == id_length &&
                std::equal(id, id + id_length, file_id)) {
                file->bias = file_bias;
                ++stats_.modules_loaded;
                it = files_.emplace(key, std::move(file)).first;
            }
        }
        if (it != files_.end()) placement.file = it->second.get();
    }
    if (!placement.file) ++stats_.modules_loaded;  // described through the process's Dwfl
    proc.placements.emplace(module, placement);
    return placement;
}

void Symbolizer::symbolize(pid_t pid, std::uint64_t pc, bool return_address,
                           std::vector<StackFrame>& out) {
    // Lookups use the address of the call instruction's last byte for return
    // addresses: pc itself may already be the next line, or the next function
    // when the call was the last instruction (a noreturn callee).
    const std::uint64_t addr = return_address && pc > 0 ? pc - 1 : pc;
    StackFrame unknown;
    unknown.pc = pc;

    Process* proc = process(pid);
    Dwfl_Module* module = proc ? module_at(pid, *proc, addr) : nullptr;
    if (!module) {
        out.push_back(std::move(unknown));
        return;
    }
    Dwarf_Addr start = 0;
    const char* name =
        dwfl_module_info(module, nullptr, &start, nullptr, nullptr, nullptr, nullptr, nullptr);
    const Placement placement = place(*proc, module);

    const std::size_t first = out.size();
    if (placement.file) {
        FileSymbols& file = *placement.file;
        const std::uint64_t link_addr = addr - placement.bias;
        const std::uint64_t key = link_addr << 1 | (return_address ? 1 : 0);
        auto it = file.frames.find(key);
        if (it != file.frames.end()) {
            ++stats_.frame_cache_hits;
        } else {
            if (file.frames.size() >= kMaxFramesPerFile) file.frames.clear();
            it = file.frames
                     .emplace(key, describe(file.module, link_addr + file.bias, return_address))
                     .first;
        }
        out.insert(out.end(), it->second.begin(), it->second.end());
    } else {
        auto frames = describe(module, addr, return_address);
        out.insert(out.end(), std::make_move_iterator(frames.begin()),
                   std::make_move_iterator(frames.end()));
    }
    const std::uint64_t file_offset = file_offset_of(module, pc);
    for (std::size_t i = first; i < out.size(); ++i) {
        out[i].pc = pc;
        if (name) out[i].module = name;
        out[i].module_offset = pc - start;
        out[i].file_offset = file_offset;
    }
}

}  // namespace sctrace
